"""robots.txt per host, parsed with protego and cached with an expiry: what may be fetched, how slowly.

RFC 9309's rules for an unavailable file: a 4xx means no rules (everything allowed); a 5xx or a
network failure means the site is unsure, so nothing is fetched until a (shorter) retry.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import structlog
from protego import Protego

from fetcher.metrics import ROBOTS

log = structlog.get_logger(__name__)

MAX_ROBOTS_BYTES = 512_000  # Google reads 500 KiB; anything past that is ignored
UNREACHABLE_TTL_S = 300.0
# Failures that say the host must not or cannot be contacted at all: reported as such, not as "disallowed".
REFUSALS = frozenset({"blocked_address", "bad_scheme", "bad_url", "dns"})


@dataclass(frozen=True)
class RobotsRules:
    parser: Protego | None  # None: no rules
    allow_all: bool
    expires_at: float

    def allows(self, url: str, user_agent: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay else None

    def sitemaps(self) -> list[str]:
        return list(self.parser.sitemaps) if self.parser else []


# (robots URL) -> (status, body) or raises; the app wires the real fetch (guarded, capped, polite).
FetchRobots = Callable[[str], Awaitable[tuple[int, bytes]]]


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class RobotsCache:
    """One entry per origin (scheme://host:port); concurrent callers share a single fetch."""

    def __init__(self, fetch_robots: FetchRobots, *, user_agent: str, ttl_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch_robots
        self.user_agent = user_agent
        self._ttl_s = ttl_s
        self._clock = clock
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules(self, url: str) -> RobotsRules:
        origin = origin_of(url)
        cached = self._rules.get(origin)
        if cached is not None and cached.expires_at > self._clock():
            return cached
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            cached = self._rules.get(origin)
            if cached is not None and cached.expires_at > self._clock():
                return cached
            rules = await self._load(origin)
            self._rules[origin] = rules
            return rules

    async def allows(self, url: str) -> bool:
        return (await self.rules(url)).allows(url, self.user_agent)

    async def crawl_delay(self, url: str) -> float | None:
        return (await self.rules(url)).crawl_delay(self.user_agent)

    def forget_expired(self) -> None:
        now = self._clock()
        for origin in [o for o, r in self._rules.items() if r.expires_at <= now]:
            del self._rules[origin]
            lock = self._locks.get(origin)
            if lock is not None and not lock.locked():
                del self._locks[origin]

    async def _load(self, origin: str) -> RobotsRules:
        url = origin + "/robots.txt"
        now = self._clock()
        try:
            status, body = await self._fetch(url)
        except Exception as exc:  # any failure means "unsure", which RFC 9309 treats as disallow
            if getattr(exc, "reason", None) in REFUSALS:
                raise
            ROBOTS.labels(outcome="unreachable").inc()
            log.warning("robots.txt unreachable; host not fetched until retry", url=url, error=str(exc),
                        retry_s=UNREACHABLE_TTL_S)
            return RobotsRules(None, allow_all=False, expires_at=now + UNREACHABLE_TTL_S)
        if 400 <= status < 500:
            ROBOTS.labels(outcome="absent").inc()
            return RobotsRules(None, allow_all=True, expires_at=now + self._ttl_s)
        if status >= 500 or status < 200 or status >= 300:
            ROBOTS.labels(outcome="server_error").inc()
            log.warning("robots.txt answered with an error; host not fetched until retry", url=url, status=status,
                        retry_s=UNREACHABLE_TTL_S)
            return RobotsRules(None, allow_all=False, expires_at=now + UNREACHABLE_TTL_S)
        text = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        ROBOTS.labels(outcome="parsed").inc()
        return RobotsRules(Protego.parse(text), allow_all=True, expires_at=now + self._ttl_s)
