"""store.overlap: the transaction's statements run in a helper thread while the writer computes."""

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session
from store.overlap import meanwhile
from store.testing import migrated_engine

DEADLINE_S = 10.0


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
