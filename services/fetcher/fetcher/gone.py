"""Pages that answered a permanent 4xx (404, 410, ...), remembered in Redis so a feed that keeps listing them
does not have them re-requested at every poll.

A failure sets the page aside for `base_s` × 2^(failures−1), at most `max_s`; the failure count is kept
for a further `max_s` after that, so a page that fails again waits longer. Replicas share the record,
and the time comes from Redis's clock, so their own clocks do not matter. The seen-set's claim script
(seen.py) reads the record in the same round trip as the claim. 5xx, 403, 408, 429 and timeouts are
not remembered here: they are host trouble, handled by the host backoff (politeness.py).
"""

from redis.asyncio import Redis

from fetcher.keys import gone_key

# 403 and 429 pause the whole host; 408, 409 and 425 say "try again", not "this page does not exist".
NOT_PERMANENT = frozenset({403, 408, 409, 425, 429})

_REMEMBER = """
local now = redis.call('TIME')
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local pause = math.min(tonumber(ARGV[1]) * 2 ^ (failures - 1), tonumber(ARGV[2]))
local until_s = tonumber(now[1]) + tonumber(now[2]) / 1000000 + pause
redis.call('HSET', KEYS[1], 'until', string.format('%.3f', until_s), 'status', ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil((pause + tonumber(ARGV[2])) * 1000))
return {failures, string.format('%.3f', pause)}
"""


def is_permanent_failure(status: int | None) -> bool:
    """A 4xx that says the page itself is missing or refused, not that the host is busy or blocking us."""
    return status is not None and 400 <= status < 500 and status not in NOT_PERMANENT


class GonePages:
    def __init__(self, redis: Redis, *, base_s: float, max_s: float) -> None:
        self._base_s = base_s
        self._max_s = max_s
        self._remember = redis.register_script(_REMEMBER)

    async def remember(self, canonical_url: str, status: int) -> tuple[int, float]:
        """Record one more permanent failure; returns (consecutive failures, seconds the page is now left alone)."""
        failures, pause = await self._remember(keys=[gone_key(canonical_url)],
                                               args=[self._base_s, self._max_s, status])
        return int(failures), float(pause)
