"""The set of article URLs already published, shared in Redis so polls, restarts and replicas agree.

A URL moves through two states under one key: `claimed:<owner>` (short TTL, taken with SET NX before
the page is fetched, so two replicas never both fetch it; it expires if its owner dies) and a
published record (long TTL): the content hash, the revision number and the feed entry's fingerprint,
so a changed entry can be re-fetched and a changed page published as the next revision. A failed
fetch or publish releases the claim, so a later poll retries.
"""

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import structlog
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

from fetcher.commits import GroupCommit
from fetcher.keys import gone_key, revising_key, seen_key

log = structlog.get_logger(__name__)

LEGACY_PUBLISHED = "published"  # what the first fetcher version stored: no hash, no revision

# One round trip for the common question "is it new?": claim it if unknown, else say what is there. With a
# second key (the page's gone record, gone.py), a page set aside after a permanent 4xx answers GONE instead.
_CLAIM_OR_GET = """
if KEYS[2] then
  local until_s = redis.call('HGET', KEYS[2], 'until')
  if until_s then
    local now = redis.call('TIME')
    if tonumber(until_s) > tonumber(now[1]) + tonumber(now[2]) / 1000000 then return ARGV[3] end
  end
end
local value = redis.call('GET', KEYS[1])
if value then return value end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return false
"""
GONE = "gone"  # the claim script's answer for a page not to be requested yet

# Delete the key only if this process still holds the claim, not a claim another replica took after ours expired.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class SeenRecord:
    content_hash: str = ""
    revision: int = 1
    fingerprint: str = ""

    def dumps(self) -> str:
        return json.dumps({"h": self.content_hash, "r": self.revision, "f": self.fingerprint}, separators=(",", ":"))

    @classmethod
    def loads(cls, value: str | bytes | None) -> "SeenRecord | None":
        """None for an unknown URL or a claim in progress."""
        if value is None:
            return None
        text = value.decode() if isinstance(value, bytes) else value
        if text == LEGACY_PUBLISHED:
            return cls()
        if not text.startswith("{"):
            return None
        data = json.loads(text)
        return cls(content_hash=data.get("h", ""), revision=int(data.get("r", 1)), fingerprint=data.get("f", ""))


class Claim(NamedTuple):
    """The seen-set's answer for one URL before its page is fetched."""

    claimed: bool  # the URL was unknown and is now this process's to fetch
    record: SeenRecord | None = None  # its published record (None while another replica holds a claim)
    gone: bool = False  # it answered a permanent 4xx lately (gone.py): not to be requested yet


class SeenSet:
    def __init__(self, redis: Redis, *, owner: str, ttl_s: int, claim_ttl_s: int) -> None:
        self._redis = redis
        self._claim_value = f"claimed:{owner}"
        self._ttl_s = ttl_s
        self._claim_ttl_s = claim_ttl_s
        self._release = redis.register_script(_RELEASE)
        self._claim_or_get = redis.register_script(_CLAIM_OR_GET)
        self._commits = GroupCommit(redis)
        self._stranded: set[str] = set()  # claim keys whose release failed

    async def claim_or_lookup(self, canonical_url: str) -> Claim:
        """Claimed if the URL was unknown and is now ours to fetch; else its published record (None while another
        replica holds a claim on it). A gone record is not consulted: the caller holds a page fetched from it."""
        value = await self._claim_or_get(keys=[seen_key(canonical_url)], args=[self._claim_value, self._claim_ttl_s])
        return self._claim(value)

    async def claim_or_lookup_many(self, canonical_urls: Sequence[str]) -> list[Claim]:
        """claim_or_lookup for many URLs in one round trip (a feed's items), in order; pages set aside after a
        permanent 4xx come back as `gone` and are neither claimed nor to be fetched."""
        if not canonical_urls:
            return []
        await self.release_stranded()  # first, so this poll can take the URLs an outage left claimed
        async with self._redis.pipeline(transaction=False) as pipe:
            for url in canonical_urls:
                await self._claim_or_get(keys=[seen_key(url), gone_key(url)],
                                         args=[self._claim_value, self._claim_ttl_s, GONE], client=pipe)
            values = await pipe.execute()
        return [self._claim(value) for value in values]

    @staticmethod
    def _claim(value: bytes | str | None) -> Claim:
        if value is None:
            return Claim(True)
        if value in (GONE, GONE.encode()):
            return Claim(False, gone=True)
        return Claim(False, SeenRecord.loads(value))

    async def claim_revision(self, canonical_url: str) -> bool:
        """True if this process may re-fetch the published URL to look for a revision."""
        return bool(await self._redis.set(revising_key(canonical_url), self._claim_value, nx=True,
                                          ex=self._claim_ttl_s))

    async def mark_published(self, canonical_url: str, record: SeenRecord | None = None, *,
                             revised: bool = False) -> None:
        if not revised:  # no revision claim to drop: one plain SET
            await self._redis.set(seen_key(canonical_url), (record or SeenRecord()).dumps(), ex=self._ttl_s)
            return
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(seen_key(canonical_url), (record or SeenRecord()).dumps(), ex=self._ttl_s)
            pipe.delete(revising_key(canonical_url))
            await pipe.execute()

    async def publish_and_mark(self, publish_into: Callable[[Pipeline], Awaitable[object]],
                               marks: Sequence[tuple[str, SeenRecord]], *, revised: bool = False) -> None:
        """Publish (into the pipeline) and record the URLs as published in one MULTI/EXEC: the message and
        the seen-set agree even if the process dies right after, so a page is never published twice.

        The pipeline only records the commands; GroupCommit sends them, in one transaction with those of
        other items finishing at the same time (one round trip for many articles)."""
        recorder = self._redis.pipeline(transaction=True)
        await publish_into(recorder)
        for canonical_url, record in marks:
            recorder.set(seen_key(canonical_url), record.dumps(), ex=self._ttl_s)
            if revised:
                recorder.delete(revising_key(canonical_url))
        commands, recorder.command_stack = recorder.command_stack, []
        await self._commits.commit(commands)

    async def release(self, canonical_url: str) -> None:
        await self._release_key(seen_key(canonical_url))

    async def release_revision(self, canonical_url: str) -> None:
        await self._release_key(revising_key(canonical_url))

    async def _release_key(self, key: str) -> None:
        try:
            await self._release(keys=[key], args=[self._claim_value])
        except RedisError:
            self._stranded.add(key)  # handed back by release_stranded once Redis answers again
            raise

    async def release_stranded(self) -> None:
        """Hand back the claims whose release failed (Redis was unreachable when their publish failed).

        Without this such a URL stays claimed for claim_ttl_s; a poll in that time skips it, and if the
        feed then stops changing (conditional GET answers 304) nothing lists it again."""
        if not self._stranded:
            return
        keys = list(self._stranded)
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                await self._release(keys=[key], args=[self._claim_value], client=pipe)
            await pipe.execute()
        self._stranded.difference_update(keys)
        log.info("claims handed back after Redis returned", claims=len(keys))
