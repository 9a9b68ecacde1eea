"""store.overlap: the transaction's statements run in a helper thread while the writer computes."""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from prometheus_client import REGISTRY
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from store.features import article_features
from store.idf import DOCUMENTS, weighted_terms
from store.ingest import ingest_articles
from store.models import TermStat
from store.overlap import meanwhile
from store.testing import extracted, migrated_engine

DEADLINE_S = 10.0
NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)


def test_on_postgresql_the_statements_run_while_the_block_computes(engine: Engine) -> None:
    """The helper's statement starts only once the block is running, and the block only ends once the
    statement has: were they run one after the other, one of the two waits would time out."""
    block_running, statement_done = threading.Event(), threading.Event()
    seen: list = []

    def work() -> None:
        assert block_running.wait(DEADLINE_S)
        seen.append((threading.current_thread().name, session.execute(sa.text("select 41 + 1")).scalar_one()))
        statement_done.set()

    with Session(engine) as session, session.begin():
        session.execute(sa.text("create temporary table scratch (n int)"))  # the same transaction after
        with meanwhile(session, work):
            block_running.set()
            assert statement_done.wait(DEADLINE_S)
        session.execute(sa.text("insert into scratch values (1)"))
    assert seen == [("store-statements", 42)]


def test_an_error_in_the_statements_reaches_the_caller_after_the_block(engine: Engine) -> None:
    computed = []

    def work() -> None:
        session.execute(sa.text("select * from no_such_table"))

    with Session(engine) as session, session.begin(), pytest.raises(sa.exc.ProgrammingError, match="no_such_table"):
        with meanwhile(session, work):
            computed.append(sum(range(1000)))
    assert computed == [499500]


def test_when_the_block_fails_the_helper_is_done_before_the_error_leaves(engine: Engine) -> None:
    """The caller rolls back next: the connection must be free of the helper by then."""
    done = threading.Event()

    def work() -> None:
        session.execute(sa.text("select 1"))
        done.set()

    with Session(engine) as session, session.begin(), pytest.raises(ValueError):
        with meanwhile(session, work):
            raise ValueError("computing failed")
    assert done.is_set()


def test_the_time_the_caller_waits_for_the_statements_is_measured(engine: Engine) -> None:
    """`waited` is the time from the block's end to the statements' end: long when the statement outlasts
    the block (a slow database), short when the block outlasts the statement."""
    block_ended, statement_done = threading.Event(), threading.Event()

    def slow() -> None:
        assert block_ended.wait(DEADLINE_S)
        session.execute(sa.text("select pg_sleep(0.3)"))

    def quick() -> None:
        session.execute(sa.text("select 1"))
        statement_done.set()

    with Session(engine) as session, session.begin():
        with meanwhile(session, slow) as slowly:
            block_ended.set()
        with meanwhile(session, quick) as quickly:
            assert statement_done.wait(DEADLINE_S)
    assert slowly.waited >= 0.25
    assert quickly.waited < 0.25


def test_each_batch_observes_every_phase_once(engine: Engine) -> None:
    """The writer's phases, the waits for the statements sent meanwhile included, are timed once a batch."""
    phases = ("features", "read", "place", "write", "write_wait", "recount", "recount_wait", "story_update",
              "announce", "commit")

    def observed() -> dict[str, float]:
        return {phase: REGISTRY.get_sample_value("newsflow_store_batch_phase_seconds_count", {"phase": phase}) or 0.0
                for phase in phases}

    before = observed()
    for n in range(2):
        ingest_articles(engine, [extracted(f"https://northwind.example/phases/{n}/{k}") for k in range(3)],
                        now=NOW)
    after = observed()
    assert {phase: after[phase] - before[phase] for phase in phases} == dict.fromkeys(phases, 2)


def test_on_sqlite_the_statements_run_first_in_the_callers_thread(tmp_path) -> None:
    sqlite = migrated_engine(f"sqlite:///{tmp_path / 'store.db'}")
    order = []

    def work() -> None:
        order.append(("work", threading.current_thread().name, session.execute(sa.text("select 1")).scalar_one()))

    with Session(sqlite) as session, session.begin():
        with meanwhile(session, work):
            order.append(("block", threading.current_thread().name, None))
    sqlite.dispose()
    main = threading.current_thread().name
    assert order == [("work", main, 1), ("block", main, None)]


def test_a_batch_writes_each_new_articles_terms_once_with_its_stories(engine: Engine) -> None:
    """The term counts go out from the helper while the stories are recounted: every new article counts
    once towards the documents and each of its terms, a redelivery not at all, and a batch of
    redeliveries alone (no story changes) writes nothing."""
    first = [extracted(f"https://outlet-{n}.example/kursk", content_hash=f"h{n}") for n in range(3)]
    other = extracted("https://outlet-9.example/storm", title="Storm floods the coast of Norfolk",
                      text="A storm flooded the coast of Norfolk overnight, the coastguard said.")
    batches = [first, [first[0], other], [first[1], first[2]]]
    expected: Counter = Counter()
    for number, batch in enumerate(batches):
        ingest_articles(engine, batch, now=NOW + timedelta(minutes=number))
        new = batch if number == 0 else [other] if number == 1 else []
        for message in new:
            expected.update(weighted_terms(article_features(message)) | {DOCUMENTS})
        with Session(engine) as session:
            stored = dict(session.exec(select(TermStat.term, TermStat.documents)).all())
        assert stored == dict(expected), f"after batch {number}"
    assert expected[DOCUMENTS] == 4
