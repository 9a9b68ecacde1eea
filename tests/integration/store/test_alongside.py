"""Writes run by a worker thread on the transaction's connection while the writer computes (store.alongside)."""

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from store.alongside import writing_alongside

pytestmark = pytest.mark.integration

INSERT = sa.text("insert into source (id, name, created_at, updated_at) values (:id, :id, now(), now())")


def test_the_writes_run_in_another_thread_inside_the_same_transaction(engine: Engine) -> None:
    threads = []

    def write(session: Session) -> None:
        threads.append(threading.current_thread())
        session.execute(INSERT, {"id": "alongside"})

    with Session(engine) as session, session.begin():
        with writing_alongside(session, lambda: write(session)):
            computed = sum(range(1000))
        # Written in this transaction: visible to it, not yet to others.
        assert session.execute(sa.text("select count(*) from source where id = 'alongside'")).scalar() == 1
        with engine.connect() as other:
            assert other.execute(sa.text("select count(*) from source where id = 'alongside'")).scalar() == 0
    assert computed == 499500
    assert threads and threads[0] is not threading.main_thread()
    with engine.connect() as other:
        assert other.execute(sa.text("select count(*) from source where id = 'alongside'")).scalar() == 1


def test_a_failed_write_fails_the_transaction_when_the_block_ends(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(INSERT, {"id": "taken"})
    finished_block = []
    with pytest.raises(IntegrityError), Session(engine) as session, session.begin():
        session.execute(INSERT, {"id": "first"})
        with writing_alongside(session, lambda: session.execute(INSERT, {"id": "taken"})):
            finished_block.append(True)  # the computation is not interrupted
    assert finished_block == [True]
    with engine.connect() as other:  # rolled back whole
        assert other.execute(sa.text("select count(*) from source where id = 'first'")).scalar() == 0


def test_the_blocks_own_error_wins_and_the_worker_is_waited_for(engine: Engine) -> None:
    done = threading.Event()

    def write(session: Session) -> None:
        session.execute(sa.text("select pg_sleep(0.2)"))
        done.set()

    with pytest.raises(ValueError, match="computation failed"), Session(engine) as session, session.begin():
        with writing_alongside(session, lambda: write(session)):
            raise ValueError("computation failed")
    assert done.is_set()  # the session was not handed back while the worker still used it


def test_on_sqlite_the_writes_run_first_in_this_thread(tmp_path) -> None:
    from store.testing import migrated_engine

    engine = migrated_engine(f"sqlite:///{tmp_path}/alongside.db")
    order = []
    try:
        with Session(engine) as session, session.begin():
            with writing_alongside(session, lambda: order.append(("write", threading.current_thread()))):
                order.append(("block", threading.current_thread()))
    finally:
        engine.dispose()
    assert order == [("write", threading.main_thread()), ("block", threading.main_thread())]
