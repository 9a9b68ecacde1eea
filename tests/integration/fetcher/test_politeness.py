"""Manners on a real local site: robots.txt, Crawl-delay, per-host pace and concurrency, Retry-After, backoff."""

import asyncio
import itertools

from fetcher.pace import SharedPace
from fetcher.polling import poll_once
from redis.asyncio import Redis
from structlog.testing import capture_logs

from tests.integration.fetcher.conftest import metric, page, read_published, rss, sources


async def test_robots_txt_disallowed_pages_are_not_fetched_and_robots_is_read_once(site, make_deps, redis_url) -> None:
    """A Disallow rule for our User-Agent keeps its pages unrequested; robots.txt is cached across polls."""
    site.serve("/robots.txt", "User-agent: newsflow-fetcher\nDisallow: /private/\n\nUser-agent: *\nAllow: /\n",
               content_type="text/plain")
    feed_url = site.serve("/feed.xml", rss(("{base_url}/private/a.html", "Secret"), ("{base_url}/b.html", "Open")))
    site.serve("/private/a.html", page("Secret"))
    site.serve("/b.html", page("Open"))
    outlets = sources(("polite", [feed_url]))
    before = metric("newsflow_fetch_errors_total", source="polite", reason="robots_disallowed")
    async with make_deps() as deps:
        first = await poll_once(outlets, deps)
        site.serve("/feed.xml", rss(("{base_url}/private/a.html", "Secret"), ("{base_url}/c.html", "New")))
        site.serve("/c.html", page("New"))
        await poll_once(outlets, deps)
    assert (first.published, first.errors) == (1, 1)
    assert site.count("/private/a.html") == 0
    assert site.count("/robots.txt") == 1
    assert sorted(p.article.feed.title for p in read_published(redis_url)) == ["New", "Open"]
    assert metric("newsflow_fetch_errors_total", source="polite", reason="robots_disallowed") >= before + 1


async def test_a_feed_disallowed_by_robots_is_not_requested(site, make_deps) -> None:
    """robots.txt applies to feeds too: a disallowed feed costs one robots.txt request and no more."""
    site.serve("/robots.txt", "User-agent: *\nDisallow: /\n", content_type="text/plain")
    feed_url = site.serve("/feed.xml", rss(("{base_url}/a.html", "A")))
    async with make_deps() as deps:
        summary = await poll_once(sources(("closed", [feed_url])), deps)
    assert summary.errors == 1
    assert site.requests == ["/robots.txt"]


async def test_crawl_delay_spaces_requests_to_one_host(site, make_deps) -> None:
    """Crawl-delay in robots.txt is the minimum gap between two requests to the host."""
    site.serve("/robots.txt", "User-agent: *\nCrawl-delay: 0.3\n", content_type="text/plain")
    feed_url = site.serve("/feed.xml", rss(*[(f"{{base_url}}/s{i}.html", f"S{i}") for i in range(3)]))
    for i in range(3):
        site.serve(f"/s{i}.html", page(f"S{i}"))
    async with make_deps() as deps:
        summary = await poll_once(sources(("slow-host", [feed_url])), deps)
    assert summary.published == 3
    times = [r.at for r in site.log if r.path != "/robots.txt"]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Arrival times at the server: a new connection's setup can eat a little of one gap (hence the margin).
    assert len(gaps) == 3 and min(gaps) >= 0.25, gaps


async def test_host_min_delay_applies_without_robots_rules(site, make_deps) -> None:
    """The operator's per-host minimum delay spaces requests even when robots.txt says nothing."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/a.html", "A"), ("{base_url}/b.html", "B")))
    site.serve("/a.html", page("A"))
    site.serve("/b.html", page("B"))
    async with make_deps(host_min_delay_s=0.25) as deps:
        await poll_once(sources(("paced", [feed_url])), deps)
    times = [r.at for r in site.log]
    assert len(times) == 4  # robots.txt, feed, two pages
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.2  # margin: see the Crawl-delay test


async def test_replicas_together_keep_the_host_min_delay(site, make_deps) -> None:
    """Two replicas polling different feeds of one host at once space its requests by the delay between them
    (the next allowed start is shared in Redis), instead of sending twice the rate."""
    for name in ("a", "b"):
        site.serve(f"/{name}.xml", rss(*[(f"{{base_url}}/{name}{i}.html", f"{name}{i}") for i in range(2)]))
        for i in range(2):
            site.serve(f"/{name}{i}.html", page(f"{name}{i}"))
    waited_before = metric("newsflow_fetcher_shared_pace_total", outcome="waited")
    async with make_deps(consumer_name="replica-a", host_min_delay_s=0.25) as a, \
            make_deps(consumer_name="replica-b", host_min_delay_s=0.25) as b:
        first, second = await asyncio.gather(poll_once(sources(("one", [site.base_url + "/a.xml"])), a),
                                             poll_once(sources(("two", [site.base_url + "/b.xml"])), b))
    assert first.published + second.published == 4
    times = sorted(r.at for r in site.log)
    assert len(times) == 8  # each replica's robots.txt, two feeds, four pages
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.2  # margin: see the Crawl-delay test
    assert metric("newsflow_fetcher_shared_pace_total", outcome="waited") > waited_before


async def test_per_host_concurrency_is_capped(site, make_deps) -> None:
    """Feeds on one host are fetched one at a time when host_concurrency is 1, however many feeds run at once."""
    feeds = [site.serve(f"/f{i}.xml", rss(), content_type="application/rss+xml", delay_s=0.1) for i in range(4)]
    site.serve("/robots.txt", "", content_type="text/plain")
    async with make_deps(host_concurrency=1, max_concurrent_feeds=4) as deps:
        await poll_once(sources(("crowded", feeds)), deps)
    assert site.max_in_flight == 1
    site.max_in_flight = 0
    async with make_deps(host_concurrency=4, max_concurrent_feeds=4) as deps:
        await poll_once(sources(("crowded", feeds)), deps)
    assert site.max_in_flight > 1  # the cap, not the client, was what serialised them


async def test_retry_after_on_429_pauses_the_host(site, make_deps) -> None:
    """A 429 with Retry-After: 60 means no request to that host for a minute: the next poll sends none."""
    feed_url = site.serve("/feed.xml", "slow down", status=429, content_type="text/plain",
                          headers={"Retry-After": "60"})
    before = metric("newsflow_fetcher_host_backoffs_total", reason="retry_after")
    async with make_deps() as deps:
        await poll_once(sources(("busy", [feed_url])), deps)
        with capture_logs() as logs:
            second = await poll_once(sources(("busy", [feed_url])), deps)
    assert second.errors == 1
    assert site.count("/feed.xml") == 1
    assert metric("newsflow_fetcher_host_backoffs_total", reason="retry_after") == before + 1
    assert any(e.get("reason") == "host_backed_off" and e["url"] == feed_url for e in logs)


async def test_a_5xx_storm_pauses_the_host_instead_of_hammering_it(site, make_deps) -> None:
    """After a 503 the host is paused (exponential backoff): repeated polls of its feeds send no more requests."""
    failing = [site.serve(f"/down/{i}.xml", "oops", status=503, content_type="text/plain") for i in range(5)]
    before = metric("newsflow_fetch_errors_total", source="down", reason="host_backed_off")
    async with make_deps(backoff_base_s=30.0, max_concurrent_feeds=1) as deps:
        summaries = [await poll_once(sources(("down", failing)), deps) for _ in range(3)]
    assert [s.errors for s in summaries] == [5, 5, 5]
    assert sum(site.count(f"/down/{i}.xml") for i in range(5)) == 1
    assert metric("newsflow_fetch_errors_total", source="down", reason="host_backed_off") == before + 14


async def test_pages_on_another_host_are_served_while_one_host_is_paused(site, make_deps, redis_url) -> None:
    """Backoff is per host: localhost:port keeps being fetched while 127.0.0.1:port is paused."""
    port = site.base_url.rsplit(":", 1)[1]
    site.serve("/down.xml", "oops", status=503, content_type="text/plain")
    site.serve("/feed.xml", rss((f"http://localhost:{port}/a.html", "A")))
    site.serve("/a.html", page("A"))
    async with make_deps(backoff_base_s=30.0, max_concurrent_feeds=1,
                         allowed_private_networks="127.0.0.0/8,::1/128") as deps:
        summary = await poll_once(sources(("down", [f"http://127.0.0.1:{port}/down.xml"]),
                                          ("up", [f"http://localhost:{port}/feed.xml"])), deps)
    assert (summary.published, summary.errors) == (1, 1)
    assert [p.article.source.id for p in read_published(redis_url)] == ["up"]


async def test_shared_pace_without_redis_lets_the_request_go_at_the_local_pace() -> None:
    """Redis unreachable: the reservation is skipped and counted, and the request is not held up."""
    client = Redis.from_url("redis://127.0.0.1:1/0")  # nothing listens on port 1
    before = metric("newsflow_fetcher_shared_pace_total", outcome="unavailable")
    try:
        assert await SharedPace(client).reserve("example.org", 1.0) == 0.0
    finally:
        await client.aclose()
    assert metric("newsflow_fetcher_shared_pace_total", outcome="unavailable") == before + 1
