"""Serialise writers that could decide about the same event: transaction-scoped advisory locks on keys.

Two articles can only land in one story if they share a candidate key (a term, an entity or a
fingerprint), so locking every key an article will look up — in sorted order, for the whole
transaction — makes a replica that reads those keys wait until the other's new story is committed
and visible. SQLite needs nothing: its writer transactions already run one at a time.

Keys are folded into LOCK_SLOTS locks. PostgreSQL keeps every session's locks in one shared table of
max_locks_per_transaction × max_connections entries (6,400 by default), and a batch of 250 articles
looks up ~3,300 distinct keys: a lock per key let one batch of 1,000, or two replicas' batches of 250,
fill it ("out of shared memory": every batch failed, its articles left to the one-by-one reclaimer). Two
keys in one slot only make a writer wait where it need not; every writer must fold alike, hence a constant.
"""

import hashlib
from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session
from store.upserts import dumps

LOCK_SLOTS = 1024  # the most locks a transaction holds: five writers take 5,120 of a default table's 6,400
# The first key of PostgreSQL's two-key advisory locks: the slots are ours alone in a shared database.
LOCK_SPACE = int.from_bytes(hashlib.blake2b(b"newsflow.story-keys", digest_size=4).digest(), "big", signed=True)

_LOCK_ALL = sa.text(  # the slots as a JSON array: see store.filters
    "select count(pg_advisory_xact_lock(:space, k)) from "
    "(select cast(value as integer) as k from json_array_elements_text(cast(:slots as json)) order by 1) s"
)


def lock_slot(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") % LOCK_SLOTS


def lock_slots(keys: Iterable[str]) -> list[int]:
    """The slots of `keys`, each once, smallest first (the order every writer takes them in)."""
    return sorted({lock_slot(key) for key in keys})


def lock_keys(session: Session, keys: Iterable[str]) -> None:
    """Take the lock of every key's slot, smallest first, so two transactions never wait on each other in
    a cycle."""
    if session.get_bind().dialect.name != "postgresql":
        return
    slots = lock_slots(keys)
    if slots:
        session.execute(_LOCK_ALL, {"space": LOCK_SPACE, "slots": dumps(slots)})
