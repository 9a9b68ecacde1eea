"""The writer end to end on real Redis and SQLite: stream in, rows and story updates out, nothing pending."""

import asyncio
import time
from collections.abc import Awaitable, Callable

from faststream.redis import RedisBroker
from faststream.redis.parser.binary import BinaryMessageFormatV1
from newsflow_shared import streams
from newsflow_shared.contracts import extracted_articles, story_updates
from newsflow_shared.contracts.extracted_articles import ArticleExtracted
from newsflow_shared.contracts.story_updates import StoryChange, StoryUpdated
from redis.asyncio import Redis
from sqlmodel import Session, func, select
from store.app import build_app
from store.db import make_engine
from store.models import Article
from store.settings import StoreSettings
from store.testing import extracted, migrated_engine, source_ref


async def eventually(check: Callable[[], Awaitable[bool]], *, timeout: float = 20.0, what: str) -> None:
    """Poll `check` until it holds; fail with `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)  # poll interval, not synchronisation
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def article_rows(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return session.exec(select(func.count()).select_from(Article)).one()
    finally:
        engine.dispose()


async def read_story_updates(redis: Redis) -> list[tuple[StoryUpdated, dict]]:
    """Read the story stream as a non-FastStream consumer would: XRANGE, then FastStream's envelope."""
    entries = await redis.xrange(story_updates.STREAM)
    decoded = []
    for _entry_id, fields in entries:
        body, headers = BinaryMessageFormatV1.parse(fields[b"__data__"])
        decoded.append((StoryUpdated.model_validate_json(body), headers))
    return decoded


async def drained(redis: Redis) -> bool:
    """The store's group has read up to the stream's last entry and acknowledged everything it read."""
    groups = await redis.xinfo_groups(extracted_articles.STREAM)
    last = (await redis.xinfo_stream(extracted_articles.STREAM))["last-generated-id"]
    return any(g["name"] == streams.STORE_GROUP.encode() and g["last-delivered-id"] == last and g["pending"] == 0
               for g in groups)


async def test_the_writer_stores_articles_once_and_publishes_story_updates(
    redis_url: str, sqlite_url: str
) -> None:
    """Two articles and a redelivered duplicate give two rows, one update per story version (read in one
    batch: one; read one by one: three, the duplicate re-announcing the current version), each with the
    correlation id of the article it names (the redelivery's own when it names an earlier one), and an
    empty pending list."""
    migrated_engine(sqlite_url).dispose()
    first = extracted()
    second = extracted("https://harbor.example/kursk", source=source_ref("harbor-times", bias="lean_right"),
                       title="Pyongyang to dispatch 6,000 troops to help clear mines in Kursk")
    sent: list[tuple[ArticleExtracted, str]] = [(first, "corr-1"), (second, "corr-2"), (first, "corr-3")]

    # Published before the writer starts: its group must be created at id 0 to see them.
    async with RedisBroker(redis_url) as producer:
        for message, correlation_id in sent:
            await producer.publish(message, stream=extracted_articles.STREAM, headers=message.headers(),
                                   correlation_id=correlation_id)

    settings = StoreSettings(REDIS_URL=redis_url, DATABASE_URL=sqlite_url, consumer_name="store-test")
    app = build_app(settings)
    async with Redis.from_url(redis_url) as redis, app.start_lifespan_context():
        await eventually(lambda: drained(redis), what="every entry read and acknowledged")
        updates = await read_story_updates(redis)
        group = await redis.xinfo_groups(extracted_articles.STREAM)

    assert article_rows(sqlite_url) == 2
    # Read in one batch the story is created once (version 1); read one by one it is created, then added to.
    assert [(u.version, u.change, h["correlation_id"]) for u, h in updates] in (
        [(1, StoryChange.CREATED, "corr-2")],
        [(1, StoryChange.CREATED, "corr-1"), (2, StoryChange.ARTICLE_ADDED, "corr-2"),
         (2, StoryChange.ARTICLE_ADDED, "corr-3")],
    )
    assert [h["message_id"] for _, h in updates] == [u.message_id for u, _ in updates]
    assert all(h["schema_version"] == "1" for _, h in updates)
    latest = updates[-1][0]
    assert (latest.article_count, latest.source_ids) == (2, ["harbor-times", "northwind-herald"])
    assert [(g["name"], g["pending"]) for g in group] == [(streams.STORE_GROUP.encode(), 0)]


async def test_an_unstorable_article_is_dead_lettered_and_the_next_one_stored(
    redis_url: str, sqlite_url: str
) -> None:
    """A message no retry can store goes to newsflow:dead:store at once; the consumer carries on."""
    migrated_engine(sqlite_url).dispose()
    unstorable = extracted("https://example.com/" + "x" * 3000)
    good = extracted()
    async with RedisBroker(redis_url) as producer:
        for message in (unstorable, good):
            await producer.publish(message, stream=extracted_articles.STREAM, headers=message.headers())

    app = build_app(StoreSettings(REDIS_URL=redis_url, DATABASE_URL=sqlite_url, consumer_name="store-test"))
    dead_letters = streams.dead_letter_stream(streams.STORE_GROUP)
    async with Redis.from_url(redis_url) as redis, app.start_lifespan_context():
        async def both_handled() -> bool:
            pending = await redis.xpending(extracted_articles.STREAM, streams.STORE_GROUP)
            return (await redis.xlen(dead_letters) == 1 and await redis.xlen(story_updates.STREAM) == 1
                    and pending["pending"] == 0)

        await eventually(both_handled, what="one dead letter, one story update, nothing pending")
        [(_, fields)] = await redis.xrange(dead_letters)

    assert article_rows(sqlite_url) == 1
    assert b"canonical_url longer than" in fields[b"json"]
