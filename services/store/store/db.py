"""Engines for DATABASE_URL, tuned per backend, so every process opens the database the same way."""

from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url

from store.upserts import dumps

SQLITE_BUSY_TIMEOUT_S = 30.0
MAX_APPLICATION_NAME = 63  # PostgreSQL keeps that many bytes of it (ASCII: the names below are)
# JSON columns (story centroids, content, coverage) through orjson: the writer reads and writes megabytes a batch.
JSON_CODEC = {"json_serializer": dumps, "json_deserializer": orjson.loads}


def make_engine(database_url: str, *, writer: bool = False, idle_in_transaction_s: float = 0,
                statement_timeout_s: float = 0, application_name: str | None = None) -> Engine:
    """An engine for `database_url`; `writer` engines take SQLite's write lock when a transaction begins.

    Without that, two SQLite writers that both read first deadlock on the upgrade to a write lock
    and one fails at once instead of waiting for the busy timeout.

    PostgreSQL only (0: no limit): `idle_in_transaction_s` has the server end a session whose transaction sat
    idle that long, and `statement_timeout_s` cancel a statement running that long (SQLSTATE 57014);
    `application_name` names the sessions in pg_stat_activity (which replica holds a lock, say).
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        settings = {
            # psycopg prepares a statement run five times, and PostgreSQL may then settle on a generic plan made
            # for no particular parameters: for `term = ANY(:terms)` planned while a table was small, a
            # sequential scan that grows with the table. The writer's statements take whole batches as array
            # parameters, so planning each one for its values costs little and keeps lookups on the indexes.
            "plan_cache_mode": "force_custom_plan" if writer else None,
            "idle_in_transaction_session_timeout": _milliseconds(idle_in_transaction_s),
            "statement_timeout": _milliseconds(statement_timeout_s),
        }
        # connect_args replace the URL's own parameters: the URL's options are kept, before ours (for the same
        # setting the later -c, ours, wins), and so is an application_name the URL gives.
        options = [url.query.get("options"), *(f"-c {name}={value}" for name, value in settings.items() if value)]
        connect_args = {"options": " ".join(o for o in options if o)} if any(options) else {}
        if application_name and "application_name" not in url.query:
            connect_args["application_name"] = application_name[:MAX_APPLICATION_NAME]
        return sa.create_engine(database_url, pool_pre_ping=True, connect_args=connect_args, **JSON_CODEC)
    # The writer runs its transactions in worker threads, hence check_same_thread=False.
    engine = sa.create_engine(
        database_url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}, **JSON_CODEC
    )
    sa.event.listen(engine, "connect", _tune_sqlite)
    begin = "BEGIN IMMEDIATE" if writer else "BEGIN"
    sa.event.listen(engine, "begin", lambda connection: connection.exec_driver_sql(begin))
    return engine


def _milliseconds(seconds: float) -> int | None:
    if seconds < 0:
        raise ValueError(f"a timeout cannot be negative: {seconds}")
    return max(1, round(seconds * 1000)) if seconds else None


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
