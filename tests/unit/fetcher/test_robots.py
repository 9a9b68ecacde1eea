"""RobotsCache: rules per origin, cached with expiry, RFC 9309's answers for missing and failing files."""

import pytest
from fetcher.robots import RobotsCache

UA = "newsflow-fetcher/0.2 (test)"


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def cache(answers: dict[str, tuple[int, bytes] | Exception], clock: Clock | None = None) -> tuple[RobotsCache, list]:
    calls: list[str] = []

    async def fetch(url: str) -> tuple[int, bytes]:
        calls.append(url)
        answer = answers[url]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return RobotsCache(fetch, user_agent=UA, ttl_s=100, clock=clock or Clock()), calls


async def test_rules_for_our_agent_apply_and_are_fetched_once_per_origin() -> None:
    robots, calls = cache({"https://a.example/robots.txt": (
        200, b"User-agent: newsflow-fetcher\nDisallow: /private\nCrawl-delay: 4\nSitemap: https://a.example/s.xml\n")})
    assert not await robots.allows("https://a.example/private/x")
    assert await robots.allows("https://a.example/public")
    assert await robots.crawl_delay("https://a.example/") == 4.0
    assert (await robots.rules("https://a.example/")).sitemaps() == ["https://a.example/s.xml"]
    assert calls == ["https://a.example/robots.txt"]


async def test_cached_rules_expire() -> None:
    clock = Clock()
    robots, calls = cache({"https://a.example/robots.txt": (200, b"")}, clock)
    await robots.allows("https://a.example/x")
    clock.now = 101
    await robots.allows("https://a.example/x")
    assert len(calls) == 2


@pytest.mark.parametrize(("answer", "allowed"), [
    ((404, b""), True),  # no file: no rules
    ((410, b""), True),
    ((503, b""), False),  # the site is unsure: fetch nothing for now
    (OSError("connection refused"), False),
])
async def test_missing_or_failing_robots_txt(answer, allowed: bool) -> None:
    robots, _ = cache({"https://a.example/robots.txt": answer})
    assert await robots.allows("https://a.example/story") is allowed
