"""What the fetcher remembers about each feed, in Redis so restarts and replicas share it.

ETag and Last-Modified (sent back for a conditional GET), a hash of the last body (an unchanged body
is not parsed again), and the adaptive schedule: current interval and when the feed is next due.
Validators and body hash are kept only after a complete poll, so items that failed are retried.
"""

from dataclasses import asdict, dataclass, replace

from redis.asyncio import Redis

from fetcher.http import Validators
from fetcher.keys import feed_state_key


@dataclass(frozen=True)
class FeedState:
    etag: str = ""
    last_modified: str = ""
    body_hash: str = ""
    interval_s: float = 0.0  # 0: not polled yet
    next_due: float = 0.0  # epoch seconds

    @property
    def validators(self) -> Validators | None:
        if not (self.etag or self.last_modified):
            return None
        return Validators(self.etag or None, self.last_modified or None)

    def forget_content(self) -> "FeedState":
        return replace(self, etag="", last_modified="", body_hash="")


class FeedStates:
    def __init__(self, redis: Redis, *, ttl_s: int) -> None:
        self._redis = redis
        self._ttl_s = ttl_s  # a feed dropped from the sources file leaves no state behind for ever

    async def load(self, feed_url: str) -> FeedState:
        raw = await self._redis.hgetall(feed_state_key(feed_url))
        if not raw:
            return FeedState()
        values = {k.decode() if isinstance(k, bytes) else k: v.decode() if isinstance(v, bytes) else v
                  for k, v in raw.items()}
        return FeedState(etag=values.get("etag", ""), last_modified=values.get("last_modified", ""),
                         body_hash=values.get("body_hash", ""), interval_s=float(values.get("interval_s") or 0),
                         next_due=float(values.get("next_due") or 0))

    async def save(self, feed_url: str, state: FeedState) -> None:
        key = feed_state_key(feed_url)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={k: str(v) for k, v in asdict(state).items()})
            pipe.expire(key, self._ttl_s)
            await pipe.execute()
