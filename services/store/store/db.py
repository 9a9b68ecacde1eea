"""Engines for DATABASE_URL, tuned per backend, so every process opens the database the same way."""

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url

from store.upserts import dumps

SQLITE_BUSY_TIMEOUT_S = 30.0
# JSON columns (story centroids, content, coverage) through orjson: the writer reads and writes megabytes a batch.
JSON_CODEC = {"json_serializer": dumps, "json_deserializer": orjson.loads}


def make_engine(database_url: str, *, writer: bool = False) -> Engine:
    """An engine for `database_url`; `writer` engines take SQLite's write lock when a transaction begins.

    Without that, two SQLite writers that both read first deadlock on the upgrade to a write lock
    and one fails at once instead of waiting for the busy timeout.
    """
    if make_url(database_url).get_backend_name() != "sqlite":
        # psycopg prepares a statement run five times, and PostgreSQL may then settle on a generic plan made
        # for no particular parameters: for `term = ANY(:terms)` planned while a table was small, a
        # sequential scan that grows with the table. The writer's statements take whole batches as array
        # parameters, so planning each one for its values costs little and keeps lookups on the indexes.
        options = {"options": "-c plan_cache_mode=force_custom_plan"} if writer else {}
        return sa.create_engine(database_url, pool_pre_ping=True, connect_args=options, **JSON_CODEC)
    # The writer runs its transactions in worker threads, hence check_same_thread=False.
    engine = sa.create_engine(
        database_url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}, **JSON_CODEC
    )
    sa.event.listen(engine, "connect", _tune_sqlite)
    begin = "BEGIN IMMEDIATE" if writer else "BEGIN"
    sa.event.listen(engine, "begin", lambda connection: connection.exec_driver_sql(begin))
    return engine


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy issue BEGIN itself (pysqlite's implicit BEGIN comes too late and is deferred), enforce
    # foreign keys, and use WAL so the API process reads while the writer writes.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def check_connection(engine: Engine) -> None:
    """Raise unless the database answers a trivial query."""
    with engine.connect() as connection:
        connection.execute(sa.text("select 1"))
