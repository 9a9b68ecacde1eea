"""INSERT … ON CONFLICT for both backends, so hot counters and index rows are written in one statement."""

import functools
from collections.abc import Sequence
from datetime import UTC, datetime

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

CHUNK_ROWS = 1000  # stays under SQLite's 32,766 bound parameters with a few columns per row


def insert_for(session: Session, table: sa.Table):
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def insert_rows(session: Session, table: sa.Table, rows: Sequence[dict]) -> None:
    """Plain INSERT of new rows in one statement on PostgreSQL (an executemany sends one per row, a
    multi-row VALUES compiles thousands of parameters), an executemany on SQLite."""
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(sa.insert(table), list(rows))
        return
    columns = tuple(rows[0])
    session.execute(postgresql.insert(table).from_select(columns, recordset(table, columns)), {"rows": json_rows(rows)})


def upsert(session: Session, table: sa.Table, rows: Sequence[dict], *, keys: Sequence[str],
           update: dict | None = None) -> None:
    """Insert `rows`; on a key conflict apply `update` (column → f(existing, excluded)) or do nothing.

    Rows must come sorted by key: two transactions then lock conflicting rows in the same order and
    cannot deadlock on them.
    """
    # PostgreSQL takes any number of rows in one JSON parameter; SQLite binds each value.
    chunk = max(len(rows), 1) if session.get_bind().dialect.name == "postgresql" else CHUNK_ROWS
    for first in range(0, len(rows), chunk):
        _upsert(session, table, rows[first:first + chunk], keys=keys, update=update)


@functools.cache
def recordset(table: sa.Table, columns: tuple[str, ...]) -> sa.Select:
    """SELECT of `columns`, typed as in `table`, from the JSON array of row objects bound as :rows
    (PostgreSQL): a batch's rows as one parameter, which psycopg sends as it is (arrays of strings it
    escapes element by element, ~3× slower) and a statement compiled once (not per row count)."""
    types = ", ".join(f"{c} {table.c[c].type.compile(dialect=postgresql.dialect())}" for c in columns)
    return sa.select(*[sa.column(c) for c in columns]).select_from(
        sa.text(f"json_to_recordset(cast(:rows as json)) as rows({types})"))


def json_rows(rows: Sequence[dict]) -> str:
    """The rows for `recordset`; JSON columns nest as they are, times go as ISO 8601 in UTC."""
    return dumps(list(rows))


def dumps(value: object) -> str:
    """JSON text as json.dumps writes it for our values (orjson: ~8× faster on a batch's story rows, the
    writer's largest parameter); times pass through to `_iso`, non-string keys become strings."""
    return orjson.dumps(value, default=_iso, option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS).decode()


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is UTC:  # nearly all: the store's times are converted to UTC as they come in
            return value.isoformat()
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store only accepts timezone-aware times")
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _upsert(session: Session, table: sa.Table, rows: Sequence[dict], *, keys: Sequence[str],
            update: dict | None) -> None:
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        # One statement whatever the row count, the rows as one JSON parameter (see recordset).
        columns = tuple(rows[0])
        statement = postgresql.insert(table).from_select(columns, recordset(table, columns))
        params = {"rows": json_rows(rows)}
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
