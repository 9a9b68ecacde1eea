"""The machine's yardstick for the store's throughput target: FastStream consuming one message at a time.

Issue 5 sets the target (≥ 500 articles/s per store process) next to a measurement of this machine
("per-message consumption through FastStream measured about 1,100 messages/s here"). The machine's speed
varies from day to day (the same code ran at half the speed on another day), so the benchmark measures
that consumer again in the same run and quotes the store's rate as a ratio of it: 500 / 1,100 ≈ 0.45.
"""

import asyncio
import statistics
import time
import uuid

from faststream.redis import RedisBroker, StreamSub
from pydantic import BaseModel
from redis.asyncio import Redis

TARGET_RATIO = 500 / 1100  # the two figures, both taken on "here"


class Small(BaseModel):
    n: int
    text: str


async def faststream_per_message_rate(redis_url: str, messages: int = 3000) -> float:
    """Messages/s through a FastStream stream subscriber in a consumer group, one message per call (acked
    one by one), with an already-filled stream (the group is made at its start, so nothing is lost)."""
    stream, group = f"bench:reference:{uuid.uuid4().hex[:8]}", "reference"
    async with Redis.from_url(redis_url) as redis:
        await redis.xgroup_create(stream, group, id="0", mkstream=True)
        try:
            async with RedisBroker(redis_url) as producer:
                async with producer._connection.pipeline(transaction=False) as pipe:  # noqa: SLF001
                    for n in range(messages):
                        await producer.publish(Small(n=n, text="x" * 200), stream=stream, pipeline=pipe)
                    await pipe.execute()
            done, seen = asyncio.Event(), 0
            consumer = RedisBroker(redis_url, logger=None)

            @consumer.subscriber(stream=StreamSub(stream, group=group, consumer="reference"))
            async def handle(message: Small) -> None:
                nonlocal seen
                seen += 1
                if seen == messages:
                    done.set()

            started = time.perf_counter()
            async with consumer:
                await consumer.start()
                await asyncio.wait_for(done.wait(), timeout=600)
                elapsed = time.perf_counter() - started
            return messages / elapsed
        finally:
            await redis.delete(stream)


def measure_reference(redis_url: str, messages: int = 2000, runs: int = 3) -> float:
    """The median of `runs` measurements: a single one moves by ±40% with the machine's other load."""
    return statistics.median(asyncio.run(faststream_per_message_rate(redis_url, messages)) for _ in range(runs))


if __name__ == "__main__":
    import sys

    print(f"{measure_reference(sys.argv[1] if len(sys.argv) > 1 else 'redis://127.0.0.1:6379/15'):,.0f} messages/s")
