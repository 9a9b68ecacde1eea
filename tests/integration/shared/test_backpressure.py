"""Backpressure and trimming on a real Redis: producers wait for slow consumers; nothing unacked is trimmed."""

import asyncio
import json
import time
from typing import ClassVar

import pytest
from faststream.redis import RedisBroker
from newsflow_shared import streams
from newsflow_shared.backpressure import WAITED_ON, backpressure_middleware, read_backlog, trim_acknowledged
from newsflow_shared.contracts.base import Contract, stable_id
from newsflow_shared.delivery import OUTAGE, InFlight, consume, ensure_group, publish
from newsflow_shared.runtime import build_broker
from newsflow_shared.settings import ServiceSettings
from redis.asyncio import Redis

from tests.support.polling import eventually
from tests.support.redis_memory import refuse_writes

STREAM = "newsflow:test:bp"
RELAYED = "newsflow:test:bp-relayed"
GROUP = "bp"


class Item(Contract):
    STREAM: ClassVar[str] = STREAM
    n: int
    pad: str = ""

    @property
    def message_id(self) -> str:
        return stable_id("bp", str(self.n))


@pytest.fixture
async def redis(redis_url: str):
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


async def test_backlog_counts_unread_and_pending_and_trim_keeps_them(redis: Redis) -> None:
    """Only entries every group acknowledged are trimmed; unread and pending ones stay."""
    ids = [await redis.xadd(STREAM, {"n": str(i)}) for i in range(10)]
    await ensure_group(redis, STREAM, "fast")
    await ensure_group(redis, STREAM, "slow")
    await redis.xreadgroup("fast", "f", {STREAM: ">"}, count=8)
    await redis.xack(STREAM, "fast", *ids[:8])
    await redis.xreadgroup("slow", "s", {STREAM: ">"}, count=5)
    await redis.xack(STREAM, "slow", *ids[:3])  # slow: 3 acked, 2 pending (ids 3, 4), 5 unread
    backlog = await read_backlog(redis, STREAM)
    assert (backlog.length, backlog.unacknowledged, backlog.groups) == (10, 7, 2)
    assert backlog.trim_below == ids[3].decode()
    assert await trim_acknowledged(redis, STREAM, keep=100) == 0, "under `keep`: nothing trimmed"
    assert await trim_acknowledged(redis, STREAM, keep=5) == 3
    assert [e[0] for e in await redis.xrange(STREAM)] == ids[3:]
    assert (await redis.xpending(STREAM, "slow"))["pending"] == 2


async def test_a_stream_without_groups_is_never_trimmed(redis: Redis) -> None:
    """Nobody has declared it consumed, so nothing is known to be processed."""
    for i in range(5):
        await redis.xadd(STREAM, {"n": str(i)})
    assert await trim_acknowledged(redis, STREAM, keep=0) == 0
    assert (await read_backlog(redis, STREAM)).unacknowledged == 0


async def test_publishing_waits_for_a_slow_consumer_and_loses_nothing(redis_url: str, redis: Redis) -> None:
    """With max_stream_lag=5 the producer never gets more than ~5 ahead; every message arrives once."""
    await ensure_group(redis, STREAM, GROUP)
    consumer_settings = ServiceSettings(REDIS_URL=redis_url, consumer_name="c", claim_idle_ms=60_000,
                                        read_batch=1, max_stream_lag=0)
    seen: list[int] = []
    worst_backlog = 0
    consumer = build_broker(consumer_settings, consumes=[Item])

    @consume(consumer, stream=STREAM, group=GROUP, consumer="c", read_batch=1, claim_idle_ms=60_000)
    async def slow(item: Item) -> None:
        await asyncio.sleep(0.02)  # a slow stage
        seen.append(item.n)

    producer = RedisBroker(redis_url, middlewares=[
        backpressure_middleware(redis_url=redis_url, max_lag=5, keep=0, waited_on=frozenset({STREAM}))])
    to_stream = producer.publisher(stream=STREAM)
    async with consumer, producer:
        await consumer.start()
        await producer.start()
        started = time.monotonic()
        for n in range(40):
            await publish(to_stream, Item(n=n))
            worst_backlog = max(worst_backlog, (await read_backlog(redis, STREAM)).unacknowledged)
        publish_s = time.monotonic() - started
        await eventually(lambda: len(seen) == 40, timeout=20, what="all 40 consumed")
    assert sorted(seen) == list(range(40))
    assert worst_backlog <= 7, f"backlog reached {worst_backlog} with max_stream_lag=5"
    assert publish_s >= 35 * 0.02 * 0.8, "the producer was slowed to the consumer's pace"


async def test_an_oversized_message_is_dead_lettered_with_its_size(redis_url: str, redis: Redis) -> None:
    """A message beyond max_message_bytes goes to the dead-letter stream at once; the next one flows."""
    await ensure_group(redis, STREAM, GROUP)
    settings = ServiceSettings(REDIS_URL=redis_url, consumer_name="c", max_message_bytes=4096, max_stream_lag=0)
    seen: list[int] = []
    broker = build_broker(settings, consumes=[Item])

    @consume(broker, stream=STREAM, group=GROUP, consumer="c", read_batch=10, claim_idle_ms=60_000)
    async def handle(item: Item) -> None:
        seen.append(item.n)

    async with RedisBroker(redis_url) as producer:
        await publish(producer.publisher(stream=STREAM), Item(n=1, pad="x" * 10_000))
        await publish(producer.publisher(stream=STREAM), Item(n=2))
    async with broker:
        await broker.start()
        await eventually(lambda: seen == [2], what="the good message handled")
        [(_, fields)] = await eventually(lambda: redis.xrange(streams.dead_letter_stream(GROUP)), what="a letter")
    letter = json.loads(fields[b"json"])
    assert letter["reason"] == "oversized" and "exceeds the limit of 4096 bytes" in letter["error"]
    assert (await redis.xpending(STREAM, GROUP))["pending"] == 0


async def test_an_outage_never_dead_letters_and_the_message_is_handled_after_it(redis_url: str, redis: Redis) -> None:
    """A handler failing with a connection error keeps its message pending past max_attempts; once the
    dependency is back the reclaimer hands it over again and it is handled and acked, never dead-lettered."""
    await ensure_group(redis, STREAM, GROUP)
    settings = ServiceSettings(REDIS_URL=redis_url, consumer_name="c", max_attempts=2, claim_idle_ms=100,
                               max_stream_lag=0)
    database_up = False
    attempts: list[int] = []
    broker = build_broker(settings, consumes=[Item])

    @consume(broker, stream=STREAM, group=GROUP, consumer="c", read_batch=10, claim_idle_ms=100)
    async def store(item: Item) -> None:
        attempts.append(item.n)
        if not database_up:
            raise ConnectionRefusedError("database unreachable")

    async with RedisBroker(redis_url) as producer:
        await publish(producer.publisher(stream=STREAM), Item(n=1))
    async with broker:
        await broker.start()
        await eventually(lambda: len(attempts) >= 4, timeout=20, what="four failed attempts")
        assert OUTAGE.problem() and "database unreachable" in OUTAGE.problem()
        database_up = True
        async def acked() -> bool:
            return (await redis.xpending(STREAM, GROUP))["pending"] == 0

        await eventually(acked, timeout=20, what="the message handled once the database is back")
    assert await redis.xlen(streams.dead_letter_stream(GROUP)) == 0
    assert OUTAGE.problem() is None


async def test_extending_the_lease_keeps_peers_from_reclaiming(redis: Redis) -> None:
    """XCLAIM JUSTID resets the entry's idle time without counting a delivery."""
    entry = await redis.xadd(STREAM, {"n": "1"})
    await ensure_group(redis, STREAM, GROUP)
    await redis.xreadgroup(GROUP, "busy", {STREAM: ">"}, count=1)

    async def idle_past_claim_time() -> bool:
        [entry_state] = await redis.xpending_range(STREAM, GROUP, min="-", max="+", count=1)
        return entry_state["time_since_delivered"] >= 300  # as idle as a long wait would leave it

    await eventually(idle_past_claim_time, what="the entry idle for 300 ms")
    await InFlight(redis, STREAM, GROUP, entry.decode()).extend_lease()
    _, claimed, _ = await redis.xautoclaim(STREAM, GROUP, "peer", min_idle_time=250, start_id="0-0")
    assert claimed == []
    [pending] = await redis.xpending_range(STREAM, GROUP, min="-", max="+", count=1)
    assert pending["consumer"] == b"busy" and pending["times_delivered"] == 1


async def test_streams_outside_the_pipeline_are_trimmed_but_never_waited_on(redis_url: str, redis: Redis) -> None:
    """A stalled downstream group on story updates never blocks the store; acked entries are still trimmed."""
    assert streams.STORY_UPDATES not in WAITED_ON
    assert {streams.RAW_ARTICLES, streams.EXTRACTED_ARTICLES} <= WAITED_ON
    await ensure_group(redis, STREAM, "stalled")
    producer = RedisBroker(redis_url, middlewares=[backpressure_middleware(redis_url=redis_url, max_lag=2, keep=1)])
    async with producer:
        await producer.start()
        for n in range(10):
            await asyncio.wait_for(publish(producer.publisher(stream=STREAM), Item(n=n)), timeout=5)
    assert await redis.xlen(STREAM) == 10, "nothing acknowledged, nothing trimmed"


async def test_a_full_redis_is_an_outage_and_the_message_is_handled_after_it(redis_url: str, redis: Redis) -> None:
    """Redis at maxmemory (noeviction) refuses the handler's publish with OOM, which redis-py raises as a
    ResponseError, the class of a bad command: it was counted against the message. It is an outage: the message
    stays pending past max_attempts, the consumer backs off, and once Redis has room it is handled, never
    dead-lettered."""
    await ensure_group(redis, STREAM, GROUP)
    settings = ServiceSettings(REDIS_URL=redis_url, consumer_name="c", max_attempts=2, claim_idle_ms=100,
                               max_stream_lag=0)
    attempts: list[int] = []
    full = asyncio.Event()
    broker = build_broker(settings, consumes=[Item])
    relayed = broker.publisher(stream=RELAYED)

    @consume(broker, stream=STREAM, group=GROUP, consumer="c", read_batch=10, claim_idle_ms=100)
    async def relay(item: Item) -> None:
        attempts.append(item.n)
        await full.wait()  # started before Redis is filled: a full Redis refuses a group's creation too
        await publish(relayed, Item(n=item.n + 1))

    OUTAGE.recovered()
    async with RedisBroker(redis_url) as producer:
        await publish(producer.publisher(stream=STREAM), Item(n=1))
    async with broker:
        await broker.start()
        await eventually(lambda: attempts == [1], what="the message read")
        restore = refuse_writes(redis_url)
        try:
            full.set()
            await eventually(lambda: len(attempts) >= 4, timeout=20, what="four attempts refused by a full Redis")
            assert "OutOfMemoryError" in (OUTAGE.problem() or ""), OUTAGE.problem()
        finally:
            restore()

        async def acked() -> bool:
            return (await redis.xpending(STREAM, GROUP))["pending"] == 0

        await eventually(acked, timeout=20, what="the message handled once Redis has room")
    assert await redis.xlen(streams.dead_letter_stream(GROUP)) == 0
    assert [fields for _, fields in await redis.xrange(RELAYED)] and await redis.xlen(RELAYED) == 1
    assert OUTAGE.problem() is None
