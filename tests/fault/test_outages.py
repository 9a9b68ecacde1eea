"""Redis restarted and PostgreSQL stopped mid-run: the services wait, recover by themselves, lose nothing."""

import time
from pathlib import Path

import pytest

from tests.fault.pipeline import Figures, Pipeline, pipeline_over_site, report
from tests.fault.servers import PrivatePostgres, PrivateRedis
from tests.fault.test_load_and_crash import assert_exactly_once


def outage_at(pipeline: Pipeline, figures: Figures, *, at: int, stop, start, down_s: float, what: str):
    """A `during` callback: once `at` articles are stored, stop the server, keep it down, start it again."""
    done = []

    def maybe(stored: int) -> None:
        if done or stored < at:
            return
        done.append(stored)
        stop()
        time.sleep(down_s)  # the outage itself: the server stays down this long, on purpose
        start()
        figures.notes.append(f"{what} down {down_s:.0f}s at {stored}/{figures.sent} stored")

    return maybe, done


def run_through_outage(tmp_path: Path, articles: int, *, name: str, redis_url: str, database_url: str,
                       server, what: str, down_s: float, timeout: float, check=None) -> None:
    """The pipeline over the synthetic site, with `server` stopped for `down_s` a third of the way in."""
    with pipeline_over_site(tmp_path, articles, redis_url=redis_url, database_url=database_url) as (pipeline, fig):
        fig.name = f"{name}[{articles}]"
        pipeline.start_all()
        during, done = outage_at(pipeline, fig, at=articles // 3, stop=server.stop, start=server.start,
                                 down_s=down_s, what=what)
        pipeline.wait_until_stored(fig, timeout=timeout, during=during)
        report(fig.line())
        assert done, "the outage happened mid-run"
        assert_exactly_once(fig, pipeline)
        if check is not None:
            check(pipeline)


def run_broker_restart(tmp_path: Path, articles: int, postgres_url: str, *, down_s: float, timeout: float) -> None:
    broker = PrivateRedis(tmp_path / "redis")
    broker.start()
    try:
        run_through_outage(tmp_path, articles, name="broker-restart", redis_url=broker.url, database_url=postgres_url,
                           server=broker, what="redis (appendonly yes)", down_s=down_s, timeout=timeout)
    finally:
        broker.stop()


def met_the_outage(pipeline: Pipeline) -> None:
    assert "dependency unavailable; message left pending, backing off" in pipeline.logs("store"), \
        "the stores did meet the outage"


def run_database_outage(tmp_path: Path, articles: int, redis_url: str, *, down_s: float, timeout: float) -> None:
    database = PrivatePostgres()
    database.start()
    try:
        run_through_outage(tmp_path, articles, name="database-outage", redis_url=redis_url,
                           database_url=database.url, server=database, what="postgresql", down_s=down_s,
                           timeout=timeout, check=met_the_outage)
    finally:
        database.remove()


def test_broker_restart_short(tmp_path: Path, postgres_url: str) -> None:
    """Redis (append-only on) restarted mid-run: every article stored once, nothing left pending."""
    run_broker_restart(tmp_path, 90, postgres_url, down_s=3, timeout=120)


def test_database_outage_short(tmp_path: Path, redis_url: str) -> None:
    """PostgreSQL stopped for 6 s mid-run: stores back off, nothing is dead-lettered or lost."""
    run_database_outage(tmp_path, 90, redis_url, down_s=6, timeout=120)


@pytest.mark.fault_long
def test_broker_restart_long(tmp_path: Path, postgres_url: str) -> None:
    """5,000 articles with Redis restarted (down 10 s) mid-run: none lost, none twice."""
    run_broker_restart(tmp_path, 5000, postgres_url, down_s=10, timeout=1800)


@pytest.mark.fault_long
def test_database_outage_long(tmp_path: Path, redis_url: str) -> None:
    """5,000 articles with PostgreSQL stopped for 20 s mid-run: none lost, none twice."""
    run_database_outage(tmp_path, 5000, redis_url, down_s=20, timeout=1800)
