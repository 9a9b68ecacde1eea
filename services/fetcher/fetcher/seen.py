"""The set of article URLs already published, shared in Redis so polls, restarts and replicas agree.

A URL moves through two states under one key: `claimed:<owner>` (short TTL, taken with SET NX before
the page is fetched, so two replicas never both fetch it; it expires if its owner dies) and
`published` (long TTL). A failed fetch or publish releases the claim, so a later poll retries.
"""

from newsflow_shared import streams
from newsflow_shared.contracts.raw_articles import article_id
from redis.asyncio import Redis

PUBLISHED = "published"

# Delete the key only if this process still holds the claim, not a claim another replica took after ours expired.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def seen_key(canonical_url: str) -> str:
    """Hashed like the article id, so keys stay short whatever the URL's length."""
    return streams.FETCHER_SEEN_PREFIX + article_id(canonical_url)


class SeenSet:
    def __init__(self, redis: Redis, *, owner: str, ttl_s: int, claim_ttl_s: int) -> None:
        self._redis = redis
        self._claim_value = f"claimed:{owner}"
        self._ttl_s = ttl_s
        self._claim_ttl_s = claim_ttl_s
        self._release = redis.register_script(_RELEASE)

    async def claim(self, canonical_url: str) -> bool:
        """True if this process may fetch and publish the URL: nobody published or is fetching it."""
        return bool(await self._redis.set(seen_key(canonical_url), self._claim_value, nx=True, ex=self._claim_ttl_s))

    async def mark_published(self, canonical_url: str) -> None:
        await self._redis.set(seen_key(canonical_url), PUBLISHED, ex=self._ttl_s)

    async def release(self, canonical_url: str) -> None:
        await self._release(keys=[seen_key(canonical_url)], args=[self._claim_value])

    async def is_published(self, canonical_url: str) -> bool:
        value = await self._redis.get(seen_key(canonical_url))
        return value in (PUBLISHED, PUBLISHED.encode())
