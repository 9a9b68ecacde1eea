"""INSERT … ON CONFLICT for both backends, so hot counters and index rows are written in one statement."""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

CHUNK_ROWS = 1000  # stays under SQLite's 32,766 bound parameters with a few columns per row


def insert_for(session: Session, table: sa.Table):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def upsert(session: Session, table: sa.Table, rows: Sequence[dict], *, keys: Sequence[str],
           update: dict | None = None) -> None:
    """Insert `rows`; on a key conflict apply `update` (column → f(existing, excluded)) or do nothing.

    Rows must come sorted by key: two transactions then lock conflicting rows in the same order and
    cannot deadlock on them.
    """
    for first in range(0, len(rows), CHUNK_ROWS):
        _upsert(session, table, rows[first:first + CHUNK_ROWS], keys=keys, update=update)


def _upsert(session: Session, table: sa.Table, rows: Sequence[dict], *, keys: Sequence[str],
            update: dict | None) -> None:
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        # One statement whatever the row count: the rows travel as one array per column.
        columns = list(rows[0])
        unnested = [sa.func.unnest(sa.bindparam(f"c{i}", type_=postgresql.ARRAY(table.c[c].type))).label(c)
                    for i, c in enumerate(columns)]
        statement = postgresql.insert(table).from_select(columns, sa.select(*unnested))
        params = {f"c{i}": [row[c] for row in rows] for i, c in enumerate(columns)}
    else:
        # executemany: the statement compiles once and is cached (a VALUES list compiles per row count).
        statement, params = insert_for(session, table), list(rows)
    if update:
        statement = statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={column: make(table.c[column], statement.excluded[column]) for column, make in update.items()},
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    session.execute(statement, params)
