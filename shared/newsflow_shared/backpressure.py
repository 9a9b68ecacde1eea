"""Bounded streams without losing a message: producers wait for room, and only acknowledged entries are trimmed.

A stream's backlog is, per consumer group, what it has not acknowledged yet (entries not yet read,
`lag`, plus entries read and still pending); the worst group counts. A producer publishing to a stream
whose backlog is at `max_lag` waits, with backoff, until the consumers catch up: a slow stage slows
its upstream down instead of growing Redis without bound. Trimming removes only entries below the
oldest id any group still needs (XTRIM MINID), never a message a group has not acknowledged, and a
stream no group reads yet is never trimmed.

Only the pipeline's own streams make producers wait. Story updates are read by programs outside the
pipeline: a stalled downstream consumer must not stop ingestion, so that stream is trimmed by the
same rule but never waited on (it grows while such a group is behind; its lag is a metric).
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import structlog
from faststream import BaseMiddleware
from prometheus_client import Counter
from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError

from newsflow_shared import streams
from newsflow_shared.delivery import IN_FLIGHT

log = structlog.get_logger(__name__)

WAITED_ON = frozenset({streams.RAW_ARTICLES, streams.EXTRACTED_ARTICLES})

BACKPRESSURE_WAITS = Counter(
    "newsflow_backpressure_waits_total",
    "Times a publish had to wait because the target stream's consumers were max_stream_lag behind.",
    ["stream"],
)
BACKPRESSURE_WAIT_SECONDS = Counter(
    "newsflow_backpressure_wait_seconds_total", "Seconds publishes spent waiting for room.", ["stream"]
)
TRIMMED = Counter(
    "newsflow_stream_trimmed_total", "Entries trimmed after every consumer group acknowledged them.", ["stream"]
)


@dataclass(frozen=True)
class Backlog:
    stream: str
    length: int
    unacknowledged: int  # the worst group's lag + pending; 0 when no group reads the stream
    groups: int
    trim_below: str | None  # entries with a smaller id are acknowledged by every group


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def next_id(entry_id: str) -> str:
    ms, seq = entry_id.split("-")
    return f"{ms}-{int(seq) + 1}"


def _smaller(a: str, b: str) -> str:
    return min(a, b, key=lambda i: tuple(int(part) for part in i.split("-")))


async def read_backlog(redis: Redis, stream: str) -> Backlog:
    """What the consumer groups of `stream` still owe, and the id below which every group is done."""
    length = await redis.xlen(stream)
    try:
        groups = await redis.xinfo_groups(stream)
    except ResponseError:  # no such stream yet
        groups = []
    worst, trim_below = 0, None
    for info in groups:
        pending = await redis.xpending(stream, info["name"])
        # Redis cannot always count the lag (after deletions); the stream's length bounds it from above.
        lag = info.get("lag")
        unacked = (length if lag is None else int(lag)) + int(pending["pending"])
        worst = max(worst, unacked)
        needed = _text(pending["min"]) if pending["pending"] else next_id(_text(info["last-delivered-id"]))
        trim_below = needed if trim_below is None else _smaller(trim_below, needed)
    return Backlog(stream, length, worst, len(groups), trim_below)


async def trim_acknowledged(redis: Redis, stream: str, *, keep: int) -> int:
    """Trim entries every group has acknowledged, once the stream holds more than `keep`; return how many."""
    backlog = await read_backlog(redis, stream)
    if backlog.length <= keep or backlog.trim_below is None:
        return 0
    trimmed = int(await redis.xtrim(stream, minid=backlog.trim_below, approximate=False))
    if trimmed:
        TRIMMED.labels(stream=stream).inc(trimmed)
        log.info("acknowledged entries trimmed", stream=stream, trimmed=trimmed, below=backlog.trim_below)
    return trimmed


@dataclass
class _StreamRoom:
    headroom: int = 0
    checked_at: float = float("-inf")
    trimmed_at: float = float("-inf")
    warned_at: float = float("-inf")


@dataclass
class Throttle:
    """Per process: how much room each target stream had at the last look, and waiting for more."""

    redis: Callable[[], Redis]
    max_lag: int
    keep: int
    recheck_s: float = 1.0
    trim_every_s: float = 5.0
    max_delay_s: float = 2.0
    warn_every_s: float = 30.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _rooms: dict[str, _StreamRoom] = field(default_factory=dict)

    async def wait_for_room(self, stream: str) -> float:
        """Return once `stream` has room for one more message; the seconds waited."""
        room = self._rooms.setdefault(stream, _StreamRoom())
        if room.headroom > 0 and self.clock() - room.checked_at < self.recheck_s:
            room.headroom -= 1
            return 0.0
        started, delay, waiting = self.clock(), 0.05, False
        while True:
            backlog = await self._look(stream, room)
            if backlog.unacknowledged < self.max_lag:
                # Half the room, so producers sharing the stream do not all spend the same room at once.
                room.headroom, room.checked_at = (self.max_lag - backlog.unacknowledged) // 2, self.clock()
                break
            if not waiting:
                waiting = True
                BACKPRESSURE_WAITS.labels(stream=stream).inc()
                if self.clock() - room.warned_at >= self.warn_every_s:  # one line per episode, not per publish
                    room.warned_at = self.clock()
                    log.warning("downstream is behind; publishing waits", stream=stream,
                                unacknowledged=backlog.unacknowledged, max_lag=self.max_lag)
            if (in_flight := IN_FLIGHT.get()) is not None:
                await in_flight.extend_lease()  # a handler waiting here is not a crashed one
            await self.sleep(delay)  # backoff between looks at the backlog
            delay = min(delay * 2, self.max_delay_s)
        waited = self.clock() - started
        if waiting:
            BACKPRESSURE_WAIT_SECONDS.labels(stream=stream).inc(waited)
            log.debug("room downstream; publishing", stream=stream, waited_s=round(waited, 2))
        return waited

    async def trim_now_and_then(self, stream: str) -> None:
        """For streams never waited on: trim what every group acknowledged, every `trim_every_s`."""
        room = self._rooms.setdefault(stream, _StreamRoom())
        if self.clock() - room.trimmed_at >= self.trim_every_s:
            room.trimmed_at = self.clock()
            await trim_acknowledged(self.redis(), stream, keep=self.keep)

    async def _look(self, stream: str, room: _StreamRoom) -> Backlog:
        redis = self.redis()
        if self.clock() - room.trimmed_at >= self.trim_every_s:
            room.trimmed_at = self.clock()
            await trim_acknowledged(redis, stream, keep=self.keep)
        return await read_backlog(redis, stream)


def backpressure_middleware(*, redis_url: str, max_lag: int, keep: int,
                            waited_on: frozenset[str] = WAITED_ON) -> type[BaseMiddleware]:
    """Broker middleware: publishes to `waited_on` streams wait for room, others only trim (`max_lag` 0: neither).

    It keeps its own connection (the broker's is not reachable from a middleware), opened on first
    use in the running event loop. If Redis cannot be asked, the publish goes ahead: it would fail
    on its own if Redis were really gone, and backpressure must never be why a message is lost.
    """
    clients: dict[int, Redis] = {}

    def client() -> Redis:
        loop = id(asyncio.get_running_loop())
        if loop not in clients:
            clients.clear()
            clients[loop] = Redis.from_url(redis_url)
        return clients[loop]

    throttle = Throttle(client, max_lag=max_lag, keep=keep)

    class Backpressure(BaseMiddleware):
        async def publish_scope(self, call_next: Callable[[Any], Awaitable[Any]], cmd: Any) -> Any:
            stream = getattr(cmd, "destination", None)
            if max_lag > 0 and stream and getattr(getattr(cmd, "destination_type", None), "name", "") == "Stream":
                try:
                    if stream in waited_on:
                        await throttle.wait_for_room(stream)
                    else:
                        await throttle.trim_now_and_then(stream)
                except RedisError as exc:
                    log.warning("backlog unknown; publishing without waiting", stream=stream, error=repr(exc))
            return await call_next(cmd)

    return Backpressure
