"""A per-feed lease in Redis (SET NX PX), so several fetcher replicas never poll the same feed at once.

The lease expires on its own if its holder dies; while a poll runs, `kept` renews it every third of
its TTL, so a poll longer than the TTL keeps its feed. A renewal that finds the lease gone or taken
(Redis unreachable for a whole TTL, a stalled process) is logged and counted, and tells the poll to
stop starting items. Release deletes the lease only if this holder still has it.
"""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator

import structlog
from redis.asyncio import Redis

from fetcher.keys import feed_lease_key
from fetcher.metrics import FEED_LEASES

log = structlog.get_logger(__name__)

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""


class FeedLeases:
    def __init__(self, redis: Redis, *, owner: str, ttl_s: float) -> None:
        self._redis = redis
        self._owner = owner
        self._ttl_ms = int(ttl_s * 1000)
        self._release = redis.register_script(_RELEASE)
        self._renew = redis.register_script(_RENEW)

    async def acquire(self, feed_url: str) -> str | None:
        """A token to release with, or None if another replica holds the feed."""
        token = f"{self._owner}:{uuid.uuid4().hex}"
        taken = await self._redis.set(feed_lease_key(feed_url), token, nx=True, px=self._ttl_ms)
        return token if taken else None

    async def renew(self, feed_url: str, token: str) -> bool:
        """Extend the lease to a full TTL from now; False if it is no longer ours (expired, or another's)."""
        return bool(await self._renew(keys=[feed_lease_key(feed_url)], args=[token, self._ttl_ms]))

    async def release(self, feed_url: str, token: str) -> None:
        await self._release(keys=[feed_lease_key(feed_url)], args=[token])

    @contextlib.asynccontextmanager
    async def kept(self, feed_url: str, token: str, **log_fields: object) -> AsyncIterator[asyncio.Event]:
        """Renew the lease while the block runs; the event yielded is set once the lease is found lost."""
        lost = asyncio.Event()
        renewing = asyncio.create_task(self._keep(feed_url, token, lost, log_fields), name=f"lease {feed_url}")
        try:
            yield lost
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    async def _keep(self, feed_url: str, token: str, lost: asyncio.Event, log_fields: dict[str, object]) -> None:
        # A third of the TTL: two renewals may fail (a Redis blip) before the lease can lapse.
        interval_s = self._ttl_ms / 3000
        while True:
            await asyncio.sleep(interval_s)
            try:
                renewed = await self.renew(feed_url, token)
            except Exception as exc:  # noqa: BLE001 - e.g. Redis unreachable: try again at the next interval
                FEED_LEASES.labels(outcome="renew_failed").inc()
                log.warning("could not renew feed lease; retrying", url=feed_url, error=repr(exc), **log_fields)
                continue
            if not renewed:
                FEED_LEASES.labels(outcome="lost").inc()
                log.error("feed lease lost; another replica may poll this feed now, so no new item is started",
                          url=feed_url, ttl_s=self._ttl_ms / 1000, **log_fields)
                lost.set()
                return
            FEED_LEASES.labels(outcome="renewed").inc()
