"""What Redis says about the pipeline's streams: lengths, consumer groups' lag and pending, dead letters.

Read by every worker's metrics collector and by `newsflow status`, so both report the same numbers.
"""

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from newsflow_shared import streams

PIPELINE_STREAMS = (streams.RAW_ARTICLES, streams.EXTRACTED_ARTICLES, streams.STORY_UPDATES)
KNOWN_STAGES = (streams.EXTRACTOR_GROUP, streams.STORE_GROUP)

# Counting entries by id range server-side: XRANGE pages never leave Redis, only the count does
# (raw-article entries carry whole HTML pages). Stops at `cap` so a huge stream cannot stall Redis.
_COUNT_AFTER = """
local n, start, page, cap = 0, ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
while n < cap do
  local entries = redis.call('XRANGE', KEYS[1], start, '+', 'COUNT', page)
  n = n + #entries
  if #entries < page then break end
  start = '(' .. entries[#entries][1]
end
return n
"""
COUNT_PAGE = 200
COUNT_CAP = 1_000_000


@dataclass(frozen=True)
class GroupState:
    stream: str
    group: str
    consumers: int
    pending: int
    lag: int
    entries_read: int | None
    last_delivered_id: str
    oldest_pending_age_s: float


@dataclass(frozen=True)
class StreamState:
    stream: str
    length: int
    last_entry_id: str | None
    groups: tuple[GroupState, ...] = ()


@dataclass(frozen=True)
class PipelineState:
    streams: tuple[StreamState, ...]
    dead_letters: dict[str, int] = field(default_factory=dict)

    @property
    def groups(self) -> list[GroupState]:
        return [g for s in self.streams for g in s.groups]


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def entry_time_ms(entry_id: str) -> int:
    return int(entry_id.split("-", 1)[0])


async def count_after(redis: Redis, stream: str, start: str, *, cap: int = COUNT_CAP) -> int:
    """Entries of `stream` from id `start` on (`(id` for strictly after), at most `cap`."""
    return int(await redis.eval(_COUNT_AFTER, 1, stream, start, COUNT_PAGE, cap))


async def count_since(redis: Redis, stream: str, since_ms: int, *, cap: int = COUNT_CAP) -> int:
    """Entries added to `stream` since the given Unix time in milliseconds (entry ids are timestamps)."""
    return await count_after(redis, stream, f"{since_ms}-0", cap=cap)


async def read_group(redis: Redis, stream: str, info: dict[str, Any], now_ms: int) -> GroupState:
    group = _text(info["name"])
    last_delivered = _text(info["last-delivered-id"])
    lag = info.get("lag")
    if lag is None:
        # Redis leaves lag unknown after deletions or trimming (and before 7.0): count instead.
        lag = await count_after(redis, stream, f"({last_delivered}")
    summary = await redis.xpending(stream, group)
    oldest = summary.get("min")
    age_ms = now_ms - entry_time_ms(_text(oldest)) if summary["pending"] and oldest else 0
    entries_read = info.get("entries-read")
    return GroupState(
        stream=stream, group=group, consumers=int(info["consumers"]), pending=int(summary["pending"]),
        lag=int(lag), entries_read=None if entries_read is None else int(entries_read),
        last_delivered_id=last_delivered, oldest_pending_age_s=max(age_ms, 0) / 1000,
    )


async def read_stream(redis: Redis, stream: str, *, now_ms: int | None = None) -> StreamState:
    """One stream and all its groups; a stream that does not exist yet reads as empty."""
    now_ms = now_ms if now_ms is not None else int(time.time() * 1000)
    length = await redis.xlen(stream)
    if not length and not await redis.exists(stream):
        return StreamState(stream=stream, length=0, last_entry_id=None)
    last = await redis.xrevrange(stream, count=1)
    try:
        infos = await redis.xinfo_groups(stream)
    except ResponseError:  # the key vanished between the calls
        infos = []
    groups = tuple([await read_group(redis, stream, info, now_ms) for info in infos])
    return StreamState(stream=stream, length=length, last_entry_id=_text(last[0][0]) if last else None,
                       groups=groups)


async def read_pipeline(redis: Redis, stream_names: Iterable[str] = PIPELINE_STREAMS) -> PipelineState:
    """Every pipeline stream, and the dead-letter stream of every stage (known or found as a group)."""
    now_ms = int(time.time() * 1000)
    states = tuple([await read_stream(redis, name, now_ms=now_ms) for name in stream_names])
    stages = dict.fromkeys([*KNOWN_STAGES, *(g.group for s in states for g in s.groups)])
    dead = {stage: await redis.xlen(streams.dead_letter_stream(stage)) for stage in stages}
    return PipelineState(streams=states, dead_letters=dead)
