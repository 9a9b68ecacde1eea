"""The publish-time size limit on a real Redis: an oversized message never reaches its stream, and the
input whose output it was is dead-lettered as output-oversized instead of being lost or retried."""

import json
from typing import ClassVar

import pytest
from faststream.redis.annotations import RedisStreamMessage
from newsflow_shared import streams
from newsflow_shared.contracts.base import Contract, stable_id
from newsflow_shared.delivery import (
    PUBLISH_REFUSED,
    OutputOversized,
    consume,
    ensure_group,
    message_bytes,
    publish,
)
from newsflow_shared.runtime import build_broker
from newsflow_shared.settings import ServiceSettings
from redis.asyncio import Redis

from tests.support.polling import eventually

GROUP = "sizer"


class Request(Contract):
    STREAM: ClassVar[str] = "newsflow:test:requests"
    n: int
    output_chars: int

    @property
    def message_id(self) -> str:
        return stable_id("request", str(self.n))


class Output(Contract):
    STREAM: ClassVar[str] = "newsflow:test:outputs"
    n: int
    text: str

    @property
    def message_id(self) -> str:
        return stable_id("output", str(self.n))


@pytest.fixture
async def redis(redis_url: str):
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


def settings(redis_url: str, limit: int) -> ServiceSettings:
    return ServiceSettings(REDIS_URL=redis_url, max_message_bytes=limit, claim_idle_ms=150, consumer_name="c1")


async def entries(redis: Redis, stream: str) -> list[dict]:
    return [{"data": fields} for _, fields in await redis.xrange(stream)]


async def test_the_publish_limit_measures_what_the_consumer_measures(redis_url: str, redis: Redis) -> None:
    """A message exactly at the limit is published (and its consumer, same limit, would take it); one byte
    less of limit and it is refused, counted, and the stream is left as it was."""
    message = Output(n=1, text="y" * 3000)
    async with build_broker(settings(redis_url, 10 * 1024 * 1024)) as broker:
        await publish(broker.publisher(stream=Output.STREAM), message, correlation_id="c-1")
    [entry] = await entries(redis, Output.STREAM)
    size = message_bytes(entry)

    async with build_broker(settings(redis_url, size)) as broker:
        await publish(broker.publisher(stream=Output.STREAM), message, correlation_id="c-1")
    assert await redis.xlen(Output.STREAM) == 2, "a message exactly at the limit is published"

    before = PUBLISH_REFUSED.labels(stream=Output.STREAM)._value.get()
    async with build_broker(settings(redis_url, size - 1)) as broker:
        with pytest.raises(OutputOversized):
            await publish(broker.publisher(stream=Output.STREAM), message, correlation_id="c-1")
    assert await redis.xlen(Output.STREAM) == 2, "nothing was added"
    assert PUBLISH_REFUSED.labels(stream=Output.STREAM)._value.get() == before + 1


async def test_a_publish_into_a_pipeline_is_refused_before_anything_is_queued(redis_url: str, redis: Redis) -> None:
    """The fetcher's and the store's batched publishes (publisher.publish(..., pipeline=)) are checked too."""
    async with build_broker(settings(redis_url, 2048)) as broker:
        publisher = broker.publisher(stream=Output.STREAM)
        async with redis.pipeline(transaction=True) as pipe:
            small, big = Output(n=1, text="ok"), Output(n=2, text="z" * 5000)
            await publisher.publish(small, headers=small.headers(), pipeline=pipe)
            with pytest.raises(OutputOversized):
                await publisher.publish(big, headers=big.headers(), pipeline=pipe)
            assert len(pipe.command_stack) == 1, "only the small message was queued"
            await pipe.execute()
    assert await redis.xlen(Output.STREAM) == 1


async def test_a_handler_whose_output_is_too_big_dead_letters_its_input(redis_url: str, redis: Redis) -> None:
    """The input is acknowledged into the dead-letter stream (reason output-oversized, original fields kept
    for a replay once the limit is raised), handled once, never retried; the other inputs flow."""
    config = settings(redis_url, 4096)
    broker = build_broker(config, consumes=[Request])
    to_outputs = broker.publisher(stream=Output.STREAM)
    calls: list[int] = []

    @consume(broker, stream=Request.STREAM, group=GROUP, consumer=config.consumer_name,
             read_batch=config.read_batch, claim_idle_ms=config.claim_idle_ms)
    async def handle(request: Request, msg: RedisStreamMessage) -> None:
        calls.append(request.n)
        await publish(to_outputs, Output(n=request.n, text="w" * request.output_chars),
                      correlation_id=msg.correlation_id)

    await ensure_group(redis, Request.STREAM, GROUP)
    async with build_broker(settings(redis_url, 4096)) as producer:
        for request in (Request(n=1, output_chars=10), Request(n=2, output_chars=10_000),
                        Request(n=3, output_chars=10)):
            await publish(producer.publisher(stream=Request.STREAM), request, correlation_id=f"c-{request.n}")

    async with broker:
        await broker.start()

        async def outputs() -> bool:
            return await redis.xlen(Output.STREAM) == 2

        await eventually(outputs, what="the two small outputs")
        letters = await eventually(
            lambda: redis.xrange(streams.dead_letter_stream(GROUP)), what="the oversized output's input dead-lettered"
        )
        assert (await redis.xpending(Request.STREAM, GROUP))["pending"] == 0
    [(_, fields)] = letters
    letter = json.loads(fields[b"json"])
    assert letter["reason"] == "output-oversized" and letter["attempts"] == 1
    assert letter["correlation_id"] == "c-2" and "OutputOversized" in letter["error"]
    assert sorted(calls) == [1, 2, 3], "handled once each: an oversized output is not retried"
