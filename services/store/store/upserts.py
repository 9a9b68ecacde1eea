"""INSERT … ON CONFLICT for both backends, so hot counters and index rows are written in one statement."""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def insert_for(session: Session, table: sa.Table):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def upsert(session: Session, table: sa.Table, rows: Sequence[dict], *, keys: Sequence[str],
           update: dict | None = None) -> None:
    """Insert `rows`; on a key conflict apply `update` (column → f(existing, excluded)) or do nothing.

    Rows must come sorted by key: two transactions then lock conflicting rows in the same order and
    cannot deadlock on them.
    """
    if not rows:
        return
    statement = insert_for(session, table).values(list(rows))
    if update:
        statement = statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={column: make(table.c[column], statement.excluded[column]) for column, make in update.items()},
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    session.execute(statement)
