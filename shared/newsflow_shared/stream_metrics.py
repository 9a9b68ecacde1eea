"""Consumer-group lag, pending counts and dead letters as Prometheus gauges, sampled from Redis on a timer.

Runs in every worker (started by newsflow_shared.runtime), so whichever process Prometheus scrapes
reports the whole pipeline's backlog.
"""

import asyncio
import contextlib
from collections.abc import Iterable

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from newsflow_shared.metrics import (
    DEAD_LETTERS,
    GROUP_CONSUMERS,
    GROUP_LAG,
    GROUP_OLDEST_PENDING_SECONDS,
    GROUP_PENDING,
    STATE_SCRAPE_ERRORS,
    STREAM_LENGTH,
)
from newsflow_shared.stream_state import PIPELINE_STREAMS, PipelineState, read_pipeline

log = structlog.get_logger(__name__)


def export(state: PipelineState) -> None:
    """Set every gauge from one reading."""
    for stream in state.streams:
        STREAM_LENGTH.labels(stream=stream.stream).set(stream.length)
    for group in state.groups:
        labels = {"stream": group.stream, "group": group.group}
        GROUP_LAG.labels(**labels).set(group.lag)
        GROUP_PENDING.labels(**labels).set(group.pending)
        GROUP_OLDEST_PENDING_SECONDS.labels(**labels).set(group.oldest_pending_age_s)
        GROUP_CONSUMERS.labels(**labels).set(group.consumers)
    for stage, count in state.dead_letters.items():
        DEAD_LETTERS.labels(stage=stage).set(count)


async def sample_once(redis: Redis, stream_names: Iterable[str] = PIPELINE_STREAMS) -> PipelineState | None:
    """Read and export; a Redis outage is counted and logged, never raised (readiness reports it)."""
    try:
        state = await read_pipeline(redis, stream_names)
    except (RedisError, OSError) as exc:
        STATE_SCRAPE_ERRORS.inc()
        log.warning("could not read stream state", error=str(exc))
        return None
    export(state)
    return state


class StreamStateSampler:
    """Samples every `interval_s` between start() and stop(), on its own Redis connection."""

    def __init__(self, redis_url: str, *, interval_s: float) -> None:
        self._redis_url = redis_url
        self._interval_s = interval_s
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="newsflow-stream-state")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            task, self._task = self._task, None
            try:
                await asyncio.wait_for(task, timeout=5.0)
            except TimeoutError:  # a Redis call hung; wait_for has cancelled it
                log.warning("stream-state sampler did not stop in time; cancelled")

    async def _run(self) -> None:
        async with Redis.from_url(self._redis_url) as redis:
            while not self._stop.is_set():
                await sample_once(redis)
                with contextlib.suppress(TimeoutError):
                    # the sampling period; returns at once when stop() is called
                    await asyncio.wait_for(self._stop.wait(), timeout=self._interval_s)
