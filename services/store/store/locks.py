"""Serialise writers that could decide about the same event: transaction-scoped advisory locks on keys.

Two articles can only land in one story if they share a candidate key (a term, an entity or a
fingerprint), so locking every key an article will look up — in sorted order, for the whole
transaction — makes a replica that reads those keys wait until the other's new story is committed
and visible. SQLite needs nothing: its writer transactions already run one at a time.
"""

import hashlib
from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import Session
from store.upserts import dumps

_LOCK_ALL = sa.text(  # the ids as a JSON array: see store.filters
    "select count(pg_advisory_xact_lock(k)) from "
    "(select cast(value as bigint) as k from json_array_elements_text(cast(:keys as json)) order by 1) s"
)


def lock_id(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def lock_keys(session: Session, keys: Iterable[str]) -> None:
    """Take every key's lock, smallest id first, so two transactions never wait on each other in a cycle."""
    if session.get_bind().dialect.name != "postgresql":
        return
    ids = sorted({lock_id(key) for key in keys})
    if ids:
        session.execute(_LOCK_ALL, {"keys": dumps(ids)})
