"""The writer's batch reads on real Redis and SQLite: bad entries leave alone, a failed batch is retried
entry by entry, and every entry ends stored or dead-lettered."""

import json
from collections.abc import Callable
from datetime import UTC, datetime

from faststream.redis import RedisBroker
from newsflow_shared import streams
from newsflow_shared.contracts import extracted_articles, story_updates
from newsflow_shared.contracts.dead_letters import DeadLettered
from newsflow_shared.contracts.story_updates import StoryChange
from newsflow_shared.delivery import OUTAGE, dead_letter_entry
from redis.asyncio import Redis
from store.app import build_app
from store.settings import StoreSettings
from store.testing import extracted, migrated_engine, source_ref
from structlog.testing import capture_logs

from tests.integration.store.test_consumer import article_rows, drained, eventually, read_story_updates
from tests.support.redis_memory import refuse_writes

DEAD = streams.dead_letter_stream(streams.STORE_GROUP)


async def letters(redis: Redis) -> list[DeadLettered]:
    return [DeadLettered.model_validate_json(fields[b"json"]) for _, fields in await redis.xrange(DEAD)]


async def settled(redis: Redis, *, updates: int, dead: int) -> bool:
    pending = await redis.xpending(extracted_articles.STREAM, streams.STORE_GROUP)
    return (await redis.xlen(story_updates.STREAM) == updates and await redis.xlen(DEAD) == dead
            and pending["pending"] == 0)


async def test_bad_entries_of_a_batch_are_dead_lettered_alone_and_the_rest_stored(
    redis_url: str, sqlite_url: str
) -> None:
    """One batch holding two good articles, another schema version, a body that is no article, an oversized
    entry, an unstorable URL and an entry no FastStream producer wrote: the five bad ones are dead-lettered
    with their reasons, the two good ones stored and announced (one story, one update), nothing left pending."""
    migrated_engine(sqlite_url).dispose()
    good = [extracted(), extracted("https://harbor.example/k", source=source_ref("harbor"))]
    unstorable = extracted("https://example.com/" + "x" * 3000)
    oversized = extracted("https://big.example/k", text="word " * 2000)
    async with RedisBroker(redis_url) as producer:
        publish = producer.publish
        await publish(good[0], stream=extracted_articles.STREAM, headers=good[0].headers())
        await publish(good[0], stream=extracted_articles.STREAM, headers={**good[0].headers(), "schema_version": "9"})
        await publish({"not": "an article"}, stream=extracted_articles.STREAM, headers=good[0].headers())
        await publish(oversized, stream=extracted_articles.STREAM, headers=oversized.headers())
        await publish(unstorable, stream=extracted_articles.STREAM, headers=unstorable.headers())
        async with Redis.from_url(redis_url) as plain:  # a producer that is not FastStream: no __data__ field
            await plain.xadd(extracted_articles.STREAM, {"url": "https://example.com/", "title": "raw"})
        await publish(good[1], stream=extracted_articles.STREAM, headers=good[1].headers())

    settings = StoreSettings(REDIS_URL=redis_url, DATABASE_URL=sqlite_url, consumer_name="store-test",
                             max_message_bytes=8000)
    async with Redis.from_url(redis_url) as redis, build_app(settings).start_lifespan_context():
        await eventually(lambda: settled(redis, updates=1, dead=5), what="one update, five dead letters")
        dead = await letters(redis)

    assert article_rows(sqlite_url) == 2
    # Checked entry by entry before the transaction, then the one the transaction found unstorable.
    assert [(d.reason, d.attempts, d.stage) for d in dead] == [
        ("invalid", 1, streams.STORE_GROUP), ("invalid", 1, streams.STORE_GROUP),
        ("oversized", 1, streams.STORE_GROUP), ("invalid", 1, streams.STORE_GROUP),
        ("invalid", 1, streams.STORE_GROUP),
    ]
    assert "schema version '9'" in dead[0].error
    assert "canonical_url" in dead[1].error
    assert "no __data__ field" in dead[3].error
    assert "canonical_url longer than" in dead[4].error


async def test_a_batch_publishes_one_update_per_story_version(redis_url: str, sqlite_url: str) -> None:
    """Three outlets' articles about one event and one about another, read in one batch: two updates, the
    event's counting all three articles, each naming the last article that changed it and carrying that
    article's correlation id."""
    migrated_engine(sqlite_url).dispose()
    kursk = [extracted(), extracted("https://harbor.example/kursk", source=source_ref("harbor-times"),
                                    title="Pyongyang to dispatch 6,000 troops to help clear mines in Kursk"),
             extracted("https://capital.example/kursk", source=source_ref("capital-wire"),
                       title="North Korea to send 6,000 engineers and deminers to Kursk")]
    floods = extracted("https://harbor.example/floods", source=source_ref("harbor-times"),
                       title="Flash floods kill dozens in eastern Spain",
                       text="Torrential rain caused flash floods in Valencia, killing dozens.")
    async with RedisBroker(redis_url) as producer:  # before the writer starts: its first read takes all four
        for n, message in enumerate([kursk[0], floods, *kursk[1:]]):
            await producer.publish(message, stream=extracted_articles.STREAM, headers=message.headers(),
                                   correlation_id=f"corr-{n}")
    settings = StoreSettings(REDIS_URL=redis_url, DATABASE_URL=sqlite_url, consumer_name="store-test")
    async with Redis.from_url(redis_url) as redis, build_app(settings).start_lifespan_context():
        await eventually(lambda: drained(redis), what="every entry read and acknowledged")
        updates = await read_story_updates(redis)
    assert [(u.article_count, u.version, u.change, u.article_id, h["correlation_id"]) for u, h in updates] == [
        (3, 1, StoryChange.CREATED, kursk[2].article_id, "corr-3"),
        (1, 1, StoryChange.CREATED, floods.article_id, "corr-1")]
    assert len({u.story_id for u, _ in updates}) == 2


async def test_a_failed_batch_is_retried_entry_by_entry_by_the_reclaimer(redis_url: str, sqlite_url: str) -> None:
    """A batch whose transaction fails stays pending; the reclaimer stores each of its entries alone."""
    migrated_engine(sqlite_url).dispose()
    calls = []

    def clock() -> datetime:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the first batch fails")
        return datetime.now(UTC)

    messages = [extracted(), extracted("https://harbor.example/k", source=source_ref("harbor"))]
    async with RedisBroker(redis_url) as producer:
        for message in messages:
            await producer.publish(message, stream=extracted_articles.STREAM, headers=message.headers())
    settings = StoreSettings(REDIS_URL=redis_url, DATABASE_URL=sqlite_url, consumer_name="store-test",
                             claim_idle_ms=200)
    async with Redis.from_url(redis_url) as redis, build_app(settings, clock=clock).start_lifespan_context():
        await eventually(lambda: settled(redis, updates=2, dead=0), what="both stored after the batch failed")
    assert article_rows(sqlite_url) == 2
    assert len(calls) == 3  # the failed batch, then one call per reclaimed entry


async def test_a_full_redis_holds_a_stored_batch_back_as_an_outage_and_loses_nothing(
        redis_url: str, sqlite_url: str) -> None:
    """Redis fills up while a batch is stored, and refuses its story updates (OOM, raised as a ResponseError): an
    outage, not the articles' failure. The batch subscriber backs off itself (the delivery middleware, which backs
    off for the reclaimer, does not see batches) and the entries stay pending however often they are tried; once
    Redis has room every update is published and nothing is dead-lettered."""
    migrated_engine(sqlite_url).dispose()
    OUTAGE.recovered()
    filled: list[Callable[[], None]] = []  # the function that gives Redis room again, once it is full

    def clock() -> datetime:
        if not filled:
            filled.append(refuse_writes(redis_url))  # full from the first batch's transaction on
        return datetime.now(UTC)

    messages = [extracted(), extracted("https://harbor.example/k", source=source_ref("harbor"))]
    settings = StoreSettings(REDIS_URL=redis_url, DATABASE_URL=sqlite_url, consumer_name="store-test",
                             claim_idle_ms=200, max_attempts=2)
    try:
        with capture_logs() as logs:
            app = build_app(settings, clock=clock)
            async with Redis.from_url(redis_url) as redis, app.start_lifespan_context():
                # Sent once every subscriber has started (the app's context is entered before they have): a full
                # Redis refuses the creation of their groups as well.
                async def started() -> bool:
                    return app.broker.running

                await eventually(started, what="the writer's subscribers started")
                async with RedisBroker(redis_url) as producer:
                    for message in messages:
                        await producer.publish(message, stream=extracted_articles.STREAM, headers=message.headers())

                async def tried_past_max_attempts() -> bool:
                    entries = await redis.xpending_range(extracted_articles.STREAM, streams.STORE_GROUP, "-", "+", 10)
                    return len(entries) == 2 and min(e["times_delivered"] for e in entries) > settings.max_attempts

                await eventually(tried_past_max_attempts, what="both entries tried past max_attempts, Redis full")
                assert "OutOfMemoryError" in (OUTAGE.problem() or ""), OUTAGE.problem()
                filled[0]()  # Redis has room again
                await eventually(lambda: settled(redis, updates=2, dead=0), what="both updates published")
    finally:
        if filled:
            filled[0]()
    assert article_rows(sqlite_url) == 2
    backed_off = [e for e in logs if e["event"] == "dependency unavailable; message left pending, backing off"]
    assert any("entries" in e and "OutOfMemoryError" in e["error"] for e in backed_off), backed_off  # the batch's own
    assert OUTAGE.problem() is None


async def test_dead_letter_entry_writes_the_letter_and_acks_that_entry_only(redis_url: str) -> None:
    """Of two pending entries, the dead-lettered one is acknowledged and described; the other stays pending."""
    stream, group = "newsflow:test:batch", "testers"
    async with Redis.from_url(redis_url) as redis:
        await redis.xgroup_create(stream, group, id="0", mkstream=True)
        first = (await redis.xadd(stream, {"a": "1"})).decode()
        await redis.xadd(stream, {"b": "2"})
        await redis.xreadgroup(group, "c1", {stream: ">"}, count=10)
        letter = await dead_letter_entry(redis, stream=stream, group=group, entry_id=first,
                                         fields={b"a": b"1"}, attempts=1, reason="invalid", error="bad",
                                         message_id="m1", correlation_id="c1")
        [(_, fields)] = await redis.xrange(streams.dead_letter_stream(group))
        pending = await redis.xpending(stream, group)
    assert json.loads(fields[b"json"])["entry_id"] == letter.entry_id == first
    assert (letter.reason, letter.original_message_id, letter.correlation_id, letter.fields) == (
        "invalid", "m1", "c1", {"a": "MQ=="})
    assert pending["pending"] == 1
