"""A store writer paused inside its transaction (docker compose pause, SIGSTOP, a frozen host): PostgreSQL
ends the idle transaction, so its locks stop holding up the other writer; woken, the paused writer runs its
batch again on a new connection. Every article is stored once."""

import os
import signal
from pathlib import Path

import pytest

from demo.services import Service
from tests.fault.pipeline import Pipeline, pipeline_over_site, report
from tests.fault.test_load_and_crash import assert_exactly_once
from tests.support.polling import eventually_sync

IDLE_LIMIT_S = 2  # STORE_IDLE_IN_TRANSACTION_TIMEOUT_S for this run (60 s by default)
PROGRESS = 15  # articles the other writer must store while this one stays paused


def pause_inside_a_transaction(pipeline: Pipeline, store: Service) -> int:
    """SIGSTOP `store` at a moment it is inside a transaction; the backend its session had."""

    def caught() -> int | None:
        backend = pipeline.transaction_of(store)
        if backend is None:
            return None
        os.kill(store.process.pid, signal.SIGSTOP)
        if pipeline.transaction_of(store) == backend:
            return backend
        os.kill(store.process.pid, signal.SIGCONT)  # it committed in between: catch the next one
        return None

    return eventually_sync(caught, timeout=60, interval=0.002, what="the writer paused inside a transaction")


def run_pause(tmp_path: Path, articles: int, redis_url: str, postgres_url: str, *, timeout: float) -> None:
    env = {"STORE_IDLE_IN_TRANSACTION_TIMEOUT_S": str(IDLE_LIMIT_S)}
    with pipeline_over_site(tmp_path, articles, redis_url=redis_url, database_url=postgres_url, env=env) as (
            pipeline, fig):
        fig.name = f"pause[{articles}]"
        pipeline.start_all(extractors=2, stores=2)
        paused: list[str] = []

        def pause_once(stored: int) -> None:
            if paused or stored < articles // 4:
                return
            store = pipeline.running("store")[0]
            pause_inside_a_transaction(pipeline, store)
            try:
                _, at_pause = pipeline.stored_urls()

                def others_go_on() -> bool:
                    # The paused session is gone (the server ended it) and the other writer kept storing.
                    return pipeline.transaction_of(store) is None and pipeline.stored_urls()[1] >= min(
                        at_pause + PROGRESS, fig.sent)

                eventually_sync(others_go_on, timeout=60, interval=0.25,
                                what="the paused writer's transaction ended and the other writer stored on")
                _, stored_paused = pipeline.stored_urls()
            finally:
                os.kill(store.process.pid, signal.SIGCONT)
            paused.append(store.name)
            fig.notes.append(f"{store.name} paused at {at_pause}/{fig.sent} stored, "
                             f"{stored_paused - at_pause} stored by the other writer meanwhile")

        pipeline.wait_until_stored(fig, timeout=timeout, during=pause_once)
        report(fig.line())
        assert paused, "a writer was paused mid-run"
        assert_exactly_once(fig, pipeline)
        assert len(pipeline.running("store")) == 2  # the paused writer woke up and carried on


def test_pause_short(tmp_path: Path, redis_url: str, postgres_url: str) -> None:
    """A store paused inside its transaction: the other store goes on within seconds; none lost, none twice."""
    run_pause(tmp_path, 120, redis_url, postgres_url, timeout=180)


@pytest.mark.fault_long
def test_pause_long(tmp_path: Path, redis_url: str, postgres_url: str) -> None:
    """The same with 5,000 articles."""
    run_pause(tmp_path, 5000, redis_url, postgres_url, timeout=1800)
