"""store.locks on PostgreSQL: a batch's locks fit the server's shared lock table, and a key's slot is held."""

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session
from store.locks import LOCK_SLOTS, lock_keys, lock_slot

HELD = [f"term:held{n}" for n in range(10)]


def advisory_locks_held(session: Session) -> int:
    return session.execute(sa.text(
        "select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()")).scalar_one()


def test_locking_more_keys_than_the_servers_lock_table_holds_takes_at_most_lock_slots_locks(engine: Engine) -> None:
    """20,000 keys (a batch of ~1,500 articles) as 20,000 locks exceed a default server's shared table
    (64 × 100 entries): "out of shared memory"."""
    keys = [f"term:word{n}" for n in range(20_000)]
    with Session(engine) as session, session.begin():
        lock_keys(session, keys)
        assert 0.9 * LOCK_SLOTS < advisory_locks_held(session) <= LOCK_SLOTS
    with Session(engine) as session:
        assert advisory_locks_held(session) == 0  # transaction-scoped: gone with the commit


def test_another_writer_waits_for_a_key_in_a_held_slot_and_not_for_one_in_a_free_slot(engine: Engine) -> None:
    held = {lock_slot(key) for key in HELD}
    same_slot = next(f"entity:other{n}" for n in range(100_000) if lock_slot(f"entity:other{n}") in held)
    free_slot = next(f"entity:other{n}" for n in range(100_000) if lock_slot(f"entity:other{n}") not in held)
    with Session(engine) as holder, holder.begin():
        lock_keys(holder, HELD)
        with Session(engine) as other, other.begin():
            other.execute(sa.text("set local lock_timeout = '200ms'"))
            lock_keys(other, [free_slot])
            assert advisory_locks_held(other) == 1
        with Session(engine) as other, other.begin():
            other.execute(sa.text("set local lock_timeout = '200ms'"))
            with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
                lock_keys(other, [same_slot])
