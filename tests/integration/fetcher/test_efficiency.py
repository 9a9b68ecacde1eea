"""Efficiency on a real local site: conditional GET remembered in Redis, compressed transfer, reused
connections, adaptive intervals, and replicas that never poll one feed at the same time."""

import asyncio
import gzip

import brotli
import redis
from fetcher.keys import feed_state_key
from fetcher.polling import poll_once

from tests.integration.fetcher.conftest import metric, page, read_published, rss, sources


async def test_conditional_get_sends_validators_and_a_304_costs_no_parsing(site, make_deps, redis_url) -> None:
    """The feed's ETag and Last-Modified come back as If-None-Match / If-Modified-Since, even from a new process."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/a.html", "A")), content_type="application/rss+xml",
                          etag='"v1"', headers={"Last-Modified": "Tue, 17 Jun 2025 09:30:00 GMT"})
    site.serve("/a.html", page("A"))
    outlets = sources(("cached", [feed_url]))
    before = metric("newsflow_fetcher_requests_total", kind="feed", status="304", host="127.0.0.1")
    async with make_deps() as deps:
        await poll_once(outlets, deps)
    async with make_deps(consumer_name="another-replica") as deps:
        second = await poll_once(outlets, deps)
    first_request, second_request = site.requests_for("/feed.xml")
    assert "if-none-match" not in first_request.headers
    assert second_request.headers["if-none-match"] == '"v1"'
    assert second_request.headers["if-modified-since"] == "Tue, 17 Jun 2025 09:30:00 GMT"
    assert metric("newsflow_fetcher_requests_total", kind="feed", status="304", host="127.0.0.1") == before + 1
    assert (second.published, second.errors) == (0, 0)
    assert len(read_published(redis_url)) == 1


async def test_validators_are_not_kept_when_a_page_failed(site, make_deps, redis_url) -> None:
    """A poll with a failed page keeps no ETag, so the next poll reads the feed again and retries the page."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/a.html", "A")), etag='"v1"')
    site.serve("/a.html", "busy", status=503, content_type="text/plain")  # transient: retried next poll
    outlets = sources(("retrying", [feed_url]))
    async with make_deps() as deps:
        await poll_once(outlets, deps)
        site.serve("/a.html", page("A"))
        second = await poll_once(outlets, deps)
    assert "if-none-match" not in site.requests_for("/feed.xml")[1].headers
    assert second.published == 1


async def test_gzip_and_brotli_bodies_are_decoded(site, make_deps, redis_url) -> None:
    """Compressed transfer is asked for (gzip, br) and both encodings are read."""
    feed = rss(("{base_url}/a.html", "A"), ("{base_url}/b.html", "B")).replace("{base_url}", site.base_url)
    feed_url = site.serve("/feed.xml", gzip.compress(feed.encode()), content_type="application/rss+xml",
                          headers={"Content-Encoding": "gzip"})
    site.serve("/a.html", brotli.compress(page("Brotli page").encode()), headers={"Content-Encoding": "br"})
    site.serve("/b.html", gzip.compress(page("Gzip page").encode()), headers={"Content-Encoding": "gzip"})
    async with make_deps() as deps:
        summary = await poll_once(sources(("squeezed", [feed_url])), deps)
    assert summary.published == 2
    assert "br" in site.requests_for("/feed.xml")[0].headers["accept-encoding"]
    htmls = sorted(p.article.page_html() for p in read_published(redis_url))
    assert "Brotli page" in htmls[0] and "Gzip page" in htmls[1]


async def test_connections_are_reused(site, make_deps) -> None:
    """Many requests to one host travel over a handful of kept-alive connections."""
    feed_url = site.serve("/feed.xml", rss(*[(f"{{base_url}}/s{i}.html", f"S{i}") for i in range(10)]))
    for i in range(10):
        site.serve(f"/s{i}.html", page(f"S{i}"))
    async with make_deps() as deps:
        await poll_once(sources(("reused", [feed_url])), deps)
    assert len(site.log) == 12
    assert len({r.client_port for r in site.log}) <= 3  # at most item_concurrency (2) + 1 at a time


async def test_interval_grows_for_an_unchanged_feed_and_shrinks_for_a_changing_one(site, make_deps, redis_url) -> None:
    """The adaptive schedule in Redis: unchanged polls lengthen the interval, polls with news shorten it."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/a.html", "A")))
    site.serve("/a.html", page("A"))
    site.serve("/b.html", page("B"))
    outlets = sources(("adaptive", [feed_url]))
    client = redis.Redis.from_url(redis_url)

    def interval() -> float:
        return float(client.hget(feed_state_key(feed_url), "interval_s"))

    async with make_deps(poll_interval_s=400, min_poll_interval_s=100, max_poll_interval_s=1000) as deps:
        await poll_once(outlets, deps)
        after_news = interval()
        await poll_once(outlets, deps)
        after_quiet = interval()
        await poll_once(outlets, deps)
        after_quiet_again = interval()
        site.serve("/feed.xml", rss(("{base_url}/b.html", "B"), ("{base_url}/a.html", "A")))
        await poll_once(outlets, deps)
        after_more_news = interval()
    client.close()
    assert after_news == 200
    assert (after_quiet, after_quiet_again) == (300, 450)
    assert after_more_news == 225


async def test_replicas_never_poll_the_same_feed_at_once(site, make_deps, redis_url) -> None:
    """The per-feed lease: two replicas polling together fetch each feed once between them."""
    feeds = [site.serve(f"/f{i}.xml", rss((f"{{base_url}}/s{i}.html", f"S{i}")), delay_s=0.05) for i in range(6)]
    for i in range(6):
        site.serve(f"/s{i}.html", page(f"S{i}"))
    outlets = sources(("shared", feeds))
    async with make_deps(consumer_name="replica-a") as a, make_deps(consumer_name="replica-b") as b:
        first, second = await asyncio.gather(poll_once(outlets, a), poll_once(outlets, b))
    assert first.published + second.published == 6
    assert all(site.count(f"/f{i}.xml") == 1 for i in range(6))
    assert len(read_published(redis_url)) == 6
