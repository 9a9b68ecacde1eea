"""A per-feed lease in Redis (SET NX PX), so several fetcher replicas never poll the same feed at once.

The lease expires on its own if its holder dies; release deletes it only if this holder still has it.
"""

import uuid

from redis.asyncio import Redis

from fetcher.keys import feed_lease_key

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class FeedLeases:
    def __init__(self, redis: Redis, *, owner: str, ttl_s: float) -> None:
        self._redis = redis
        self._owner = owner
        self._ttl_ms = int(ttl_s * 1000)
        self._release = redis.register_script(_RELEASE)

    async def acquire(self, feed_url: str) -> str | None:
        """A token to release with, or None if another replica holds the feed."""
        token = f"{self._owner}:{uuid.uuid4().hex}"
        taken = await self._redis.set(feed_lease_key(feed_url), token, nx=True, px=self._ttl_ms)
        return token if taken else None

    async def release(self, feed_url: str, token: str) -> None:
        await self._release(keys=[feed_lease_key(feed_url)], args=[token])
