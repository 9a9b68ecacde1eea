"""Each host's next allowed request start, shared in Redis, so N replicas together keep a host's minimum
delay (or Crawl-delay) instead of sending N times its rate.

One script call per request, and only when the gap is above zero: it reserves the earliest start at
least `gap` after the previous reservation (Redis's clock, so replicas' clocks do not matter) and
returns how long to wait for it. The key expires soon after the slot it holds, so idle hosts leave
nothing behind. If Redis cannot answer, the request goes ahead at the process's own pace (HostGates)
and the failure is counted: politeness degrades to per-process, the fetcher keeps working.
"""

import structlog
from redis.asyncio import Redis

from fetcher.keys import host_pace_key
from fetcher.metrics import SHARED_PACE, counter

log = structlog.get_logger(__name__)

_RESERVE = """
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local start = math.max(now_ms, tonumber(redis.call('GET', KEYS[1]) or 0))
local gap = tonumber(ARGV[1])
redis.call('SET', KEYS[1], start + gap, 'PX', start + gap - now_ms + 1000)
return start - now_ms
"""


class SharedPace:
    def __init__(self, redis: Redis) -> None:
        self._reserve = redis.register_script(_RESERVE)

    async def reserve(self, host: str, gap_s: float) -> float:
        """Seconds to wait before this request to `host` may start; 0 if Redis is unavailable."""
        try:
            wait_ms = await self._reserve(keys=[host_pace_key(host)], args=[max(1, round(gap_s * 1000))])
        except Exception as exc:  # noqa: BLE001 - Redis trouble must not stop fetching; the local pace still holds
            counter(SHARED_PACE, "unavailable").inc()
            log.warning("shared host pace unavailable; pacing this process alone", host=host, error=repr(exc))
            return 0.0
        counter(SHARED_PACE, "waited" if wait_ms > 0 else "immediate").inc()
        return int(wait_ms) / 1000
