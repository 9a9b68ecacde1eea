"""The delivery policy on a real Redis: nothing published is lost, failures retry, poison dead-letters."""

import json
from typing import ClassVar

import pytest
from faststream.redis import RedisBroker
from faststream.redis.annotations import RedisStreamMessage
from redis.asyncio import Redis

from newsflow_shared import streams
from newsflow_shared.contracts.base import Contract, stable_id
from newsflow_shared.delivery import InvalidMessage, consume, ensure_group, publish
from newsflow_shared.runtime import build_broker
from newsflow_shared.settings import ServiceSettings
from tests.support.polling import eventually

GROUP = "probe"


class Probed(Contract):
    STREAM: ClassVar[str] = "newsflow:test:probe"
    n: int

    @property
    def message_id(self) -> str:
        return stable_id("probe", str(self.n))


class ProbedV2(Probed):
    SCHEMA_VERSION: ClassVar[int] = 2


@pytest.fixture
async def redis(redis_url: str):
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


def consumer_broker(redis_url: str, calls: list[int], *, fail: set[int] = frozenset(),
                    invalid: set[int] = frozenset()) -> RedisBroker:
    settings = ServiceSettings(REDIS_URL=redis_url, max_attempts=3, claim_idle_ms=150, consumer_name="c1")
    broker = build_broker(settings, consumes=[Probed])

    @consume(broker, stream=Probed.STREAM, group=GROUP, consumer=settings.consumer_name,
             read_batch=settings.read_batch, claim_idle_ms=settings.claim_idle_ms)
    async def handle(probe: Probed, msg: RedisStreamMessage) -> None:
        calls.append(probe.n)
        if probe.n in invalid:
            raise InvalidMessage(f"probe {probe.n} is unusable")
        if probe.n in fail:
            raise RuntimeError(f"probe {probe.n} failed")

    return broker


async def send(redis_url: str, *messages: Contract | dict, headers: dict | None = None) -> None:
    async with RedisBroker(redis_url) as broker:
        for message in messages:
            if isinstance(message, Contract):
                await publish(broker.publisher(stream=message.STREAM), message, correlation_id=f"c-{message.n}")
            else:
                await broker.publish(message, stream=Probed.STREAM, headers=headers or {"schema_version": "1"})


async def pending(redis: Redis) -> int:
    return (await redis.xpending(Probed.STREAM, GROUP))["pending"]


async def dead_letters(redis: Redis) -> list[dict]:
    return [json.loads(fields[b"json"]) for _, fields in await redis.xrange(streams.dead_letter_stream(GROUP))]


async def test_messages_published_before_the_group_existed_are_consumed(redis_url: str, redis: Redis) -> None:
    await send(redis_url, Probed(n=1), Probed(n=2))
    await ensure_group(redis, Probed.STREAM, GROUP)
    calls: list[int] = []
    async with consumer_broker(redis_url, calls) as broker:
        await broker.start()
        await eventually(lambda: sorted(calls) == [1, 2], what="both backlog messages handled")
    assert await pending(redis) == 0


async def test_a_failing_message_is_retried_then_dead_lettered_while_others_flow(redis_url: str, redis: Redis) -> None:
    await ensure_group(redis, Probed.STREAM, GROUP)
    await send(redis_url, Probed(n=1), Probed(n=2), Probed(n=3))
    calls: list[int] = []
    async with consumer_broker(redis_url, calls, fail={2}) as broker:
        await broker.start()
        letters = await eventually(lambda: dead_letters(redis), timeout=15, what="a dead letter")
    assert calls.count(2) == 3 and calls.count(1) == 1 and calls.count(3) == 1
    assert letters[0]["reason"] == "failed" and letters[0]["attempts"] == 3
    assert "probe 2 failed" in letters[0]["error"]
    assert letters[0]["correlation_id"] == "c-2"
    assert await pending(redis) == 0


async def test_invalid_messages_are_dead_lettered_at_once(redis_url: str, redis: Redis) -> None:
    await ensure_group(redis, Probed.STREAM, GROUP)
    await send(redis_url, {"unexpected": "shape"})
    await send(redis_url, Probed(n=7))
    await send(redis_url, {"n": 8}, headers={"schema_version": "2"})
    await send(redis_url, Probed(n=9))
    calls: list[int] = []
    async with consumer_broker(redis_url, calls, invalid={7}) as broker:
        await broker.start()
        async def three_letters() -> bool:
            return await redis.xlen(streams.dead_letter_stream(GROUP)) == 3

        await eventually(three_letters, what="three dead letters")
        await eventually(lambda: 9 in calls, what="the good message handled")
        letters = await dead_letters(redis)
    reasons = sorted(letter["error"].split(":")[0] for letter in letters)
    assert [letter["reason"] for letter in letters] == ["invalid"] * 3
    assert reasons == ["InvalidMessage", "ValidationError", "unsupported schema version '2' (accepted"]
    assert all(letter["attempts"] == 1 for letter in letters)
    assert calls.count(7) == 1, "an invalid message is not retried"
    assert await pending(redis) == 0


async def test_a_dead_letter_keeps_the_original_fields_for_a_byte_exact_replay(redis_url: str, redis: Redis) -> None:
    import base64

    await ensure_group(redis, Probed.STREAM, GROUP)
    await send(redis_url, Probed(n=5))
    [(entry_id, original)] = await redis.xrange(Probed.STREAM)
    async with consumer_broker(redis_url, [], invalid={5}) as broker:
        await broker.start()
        [letter] = await eventually(lambda: dead_letters(redis), what="a dead letter")
    assert letter["entry_id"] == entry_id.decode() and letter["stream"] == Probed.STREAM
    assert {k.encode(): base64.b64decode(v) for k, v in letter["fields"].items()} == original


async def test_a_crashed_consumers_pending_message_is_reclaimed_by_a_peer(redis_url: str, redis: Redis) -> None:
    await ensure_group(redis, Probed.STREAM, GROUP)
    await send(redis_url, Probed(n=4))
    # A consumer that read the message and died before acking it.
    await redis.xreadgroup(GROUP, "dead-consumer", {Probed.STREAM: ">"}, count=1)
    assert await pending(redis) == 1
    calls: list[int] = []
    async with consumer_broker(redis_url, calls) as broker:
        await broker.start()
        await eventually(lambda: calls == [4], what="the stranded message handled")
        async def acked() -> bool:
            return await pending(redis) == 0

        await eventually(acked, what="the message acked")
