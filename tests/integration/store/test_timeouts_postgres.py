"""PostgreSQL's session settings as the store sets them: a frozen writer's transaction stops holding up the
others, and an API query running too long is cancelled into a 503; and a streamed export meeting a database
error."""

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from faststream.redis import RedisBroker
from newsflow_shared import streams
from newsflow_shared.contracts import extracted_articles
from newsflow_shared.delivery import OUTAGE, is_transient
from prometheus_client import REGISTRY
from sqlalchemy.engine import Engine
from sqlmodel import Session
from redis.asyncio import Redis
from store.api import build_api
from store.app import build_app
from store.db import make_engine
from store.ingest import Outcome, ingest_article
from store.locks import lock_keys
from store.queries import StoryFilters
from store.settings import ApiSettings, StoreSettings
from store.testing import extracted
from store.web import gdelt
from store.web.exports import stream_lines

from tests.integration.store.test_consumer import article_rows, drained, eventually
from tests.unit.api.newsroom import KURSK, NOW, RATES, ingest_story
from tests.unit.api.test_events import DEPLOYMENT

KEYS = ["term:kursk", "entity:north korea"]


@pytest.fixture
def frozen_after(postgres_url: str, engine: Engine) -> Iterator[Engine]:  # `engine` migrates the database
    """A writer engine whose transactions PostgreSQL ends after 0.5 s idle."""
    writer = make_engine(postgres_url, writer=True, idle_in_transaction_s=0.5)
    yield writer
    writer.dispose()


def setting(engine: Engine, name: str) -> str:
    with engine.connect() as connection:
        return connection.execute(sa.text(f"show {name}")).scalar_one()


def test_each_engine_carries_only_the_limits_it_was_given(postgres_url: str, frozen_after: Engine,
                                                          engine: Engine) -> None:
    api = make_engine(postgres_url, statement_timeout_s=2.5, application_name="store-api")
    named = make_engine(postgres_url, writer=True, application_name=f"store:{'replica' * 20}")
    try:
        assert setting(api, "application_name") == "store-api"  # pg_stat_activity tells the processes apart
        assert setting(named, "application_name") == f"store:{'replica' * 20}"[:63]
        assert setting(frozen_after, "idle_in_transaction_session_timeout") == "500ms"
        assert setting(frozen_after, "statement_timeout") == "0"
        assert setting(frozen_after, "plan_cache_mode") == "force_custom_plan"
        assert setting(api, "statement_timeout") == "2500ms"
        assert setting(api, "idle_in_transaction_session_timeout") == "0"
        assert setting(engine, "idle_in_transaction_session_timeout") == "0"  # the defaults: no limit
    finally:
        api.dispose()
        named.dispose()


def test_the_urls_own_options_and_application_name_are_kept(postgres_url: str, engine: Engine) -> None:
    own = make_engine(f"{postgres_url}?options=-c%20work_mem%3D7MB&application_name=ops-console", writer=True,
                      idle_in_transaction_s=3, application_name="store:replica")
    try:
        assert setting(own, "work_mem") == "7MB"
        assert setting(own, "application_name") == "ops-console"
        assert setting(own, "idle_in_transaction_session_timeout") == "3s"
    finally:
        own.dispose()


def test_a_writer_frozen_inside_its_transaction_releases_its_locks_and_its_batch_is_retried(
        frozen_after: Engine, engine: Engine) -> None:
    """A paused replica (docker pause, SIGSTOP, a hung host) would otherwise keep its key locks, and every
    other replica waiting on them, for as long as it stays paused."""
    frozen = Session(frozen_after)
    frozen.begin()
    lock_keys(frozen, KEYS)  # then nothing more: the process is frozen
    with Session(engine) as other, other.begin():
        # The deadline: without the server ending the frozen session this fails after 20 s instead of hanging.
        other.execute(sa.text("set local lock_timeout = '20s'"))
        lock_keys(other, KEYS)
    with pytest.raises(sa.exc.DBAPIError) as ended:
        frozen.execute(sa.text("select 1"))  # it wakes up: its connection is gone, its transaction rolled back
    frozen.close()
    assert is_transient(ended.value)  # so the writer backs off and its batch stays pending, never dead-lettered
    ingested = ingest_article(frozen_after, extracted(), now=datetime.now(UTC))  # a fresh connection
    assert ingested.outcome is Outcome.INSERTED


def test_a_batch_whose_session_the_server_ended_runs_again_on_a_fresh_connection(frozen_after: Engine) -> None:
    """The writer paused mid-transaction (here: held up in its second statement) finds its session ended when it
    wakes; the transaction is run again at once instead of failing the batch."""
    statements = []

    @sa.event.listens_for(frozen_after, "before_cursor_execute")
    def pause_once(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)
        if len(statements) == 2:
            time.sleep(1.0)  # the pause under test, not a wait for something: idle past the 0.5 s limit

    ingested = ingest_article(frozen_after, extracted(), now=datetime.now(UTC))
    assert ingested.outcome is Outcome.INSERTED and ingested.update is not None
    assert statements.count(statements[0]) == 2  # the transaction's first statement: one run, then the re-run
    with frozen_after.connect() as connection:
        assert connection.execute(sa.text("select count(*) from article")).scalar_one() == 1


def database_errors(kind: str) -> float:
    return REGISTRY.get_sample_value("newsflow_store_api_database_errors_total", {"kind": kind}) or 0.0


@pytest.mark.parametrize("path", ["/stories", "/exports/events.tsv?header=true"])
def test_an_api_query_past_the_statement_timeout_answers_503_and_says_why(postgres_url: str, engine: Engine,
                                                                          path: str) -> None:
    """A streamed export too: it runs its first query before its response (and status) starts."""
    api_engine = make_engine(postgres_url, statement_timeout_s=0.3)
    timeouts = database_errors("timeout")
    try:
        with TestClient(build_api(ApiSettings(DATABASE_URL=postgres_url), engine=api_engine)) as client, \
                Session(engine) as blocker, blocker.begin():
            assert client.get(path).status_code == 200
            # A query held up for longer than the limit: by a lock here, by a costly plan in production.
            blocker.execute(sa.text("lock table story in access exclusive mode"))
            response = client.get(path)
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == "the query took too long; try a narrower request"
        assert database_errors("timeout") == timeouts + 1
    finally:
        api_engine.dispose()


def test_an_export_failing_once_streaming_is_counted_and_raised_so_its_body_ends_incomplete(
        postgres_url: str, engine: Engine) -> None:
    """Past the first line the status is sent: the error must reach the server (which then closes the connection
    without the body's last chunk), not end the iteration as if the export were complete."""
    for story in (KURSK, RATES):
        ingest_story(engine, story, events=[DEPLOYMENT])
    api_engine = make_engine(postgres_url, application_name="store-api-export")
    filters = StoryFilters(since=NOW - timedelta(days=1), until=NOW + timedelta(hours=1))
    before = database_errors("unavailable")
    lines = stream_lines(api_engine, filters, gdelt.jsonl_line, path="/exports/events.jsonl")
    try:
        assert '"North Korea"' in next(lines)  # the first story's record
        with engine.connect() as admin:  # the export's session ends, as in a database restart
            ended = admin.execute(sa.text("select pg_terminate_backend(pid) from pg_stat_activity "
                                          "where application_name = 'store-api-export'")).scalars().all()
        assert ended == [True]
        with pytest.raises(sa.exc.OperationalError):
            list(lines)
        assert database_errors("unavailable") == before + 1
    finally:
        lines.close()
        api_engine.dispose()


def test_limits_are_seconds_and_never_negative(sqlite_url: str) -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", statement_timeout_s=-1)
    make_engine(sqlite_url, idle_in_transaction_s=5).dispose()  # SQLite has no such limits: accepted, unused


def retried(stream: str) -> float:
    return REGISTRY.get_sample_value("newsflow_messages_total", {"stream": stream, "outcome": "retried"}) or 0.0


async def test_a_writer_statement_held_up_past_the_statement_timeout_backs_off_and_its_article_is_stored_later(
        redis_url: str, postgres_url: str, engine: Engine) -> None:
    """A session outside the pipeline (an operator's, a migration's) holding a lock the writer needs: without a
    statement timeout the writer would wait unseen for as long as it is held. With one, PostgreSQL cancels the
    statement, the writer backs off as in an outage and says why, nothing is dead-lettered, and the article is
    stored once the lock is gone."""
    stream = extracted_articles.STREAM
    message = extracted()
    async with RedisBroker(redis_url) as producer:
        await producer.publish(message, stream=stream, headers=message.headers(), correlation_id="held-up")
    holder = psycopg.connect(postgres_url.replace("+psycopg", ""))
    holder.execute("lock table story_key in access exclusive mode")  # the writer reads it in every batch
    before = retried(stream)
    settings = StoreSettings(REDIS_URL=redis_url, DATABASE_URL=postgres_url, consumer_name="store-held-up",
                             statement_timeout_s=0.3, claim_idle_ms=300)
    app = build_app(settings)

    async def cancelled() -> bool:
        return "statement timeout" in (OUTAGE.problem() or "")

    async def stored() -> bool:
        return article_rows(postgres_url) == 1

    try:
        async with Redis.from_url(redis_url) as redis, app.start_lifespan_context():
            await eventually(cancelled, what="the writer to report the cancelled statement")
            assert retried(stream) > before
            assert article_rows(postgres_url) == 0
            holder.rollback()  # the lock goes
            await eventually(stored, what="the article stored")
            await eventually(lambda: drained(redis), what="nothing left pending")
            assert await redis.xlen(streams.dead_letter_stream(streams.STORE_GROUP)) == 0
            assert OUTAGE.problem() is None
    finally:
        holder.close()
