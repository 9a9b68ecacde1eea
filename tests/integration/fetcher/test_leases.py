"""Feed leases outlive a poll longer than their TTL (renewed while it runs), and a lost lease is seen and obeyed."""

import asyncio
import time

import redis
from fetcher.keys import feed_lease_key
from fetcher.polling import poll_once
from structlog.testing import capture_logs

from tests.integration.fetcher.conftest import eventually, metric, page, read_published, rss, sources

SLOW_PAGES = 4


def slow_feed(site, delay_s: float) -> str:
    """A feed whose pages each take `delay_s` to answer: with one page at a time the poll lasts SLOW_PAGES × that."""
    for i in range(SLOW_PAGES):
        site.serve(f"/slow{i}.html", page(f"Slow {i}"), delay_s=delay_s)
    return site.serve("/feed.xml", rss(*[(f"{{base_url}}/slow{i}.html", f"Slow {i}") for i in range(SLOW_PAGES)]))


async def test_a_poll_longer_than_the_lease_ttl_keeps_its_feed(site, make_deps, redis_url) -> None:
    """Replica B keeps trying the feed while A's poll runs for several TTLs: the lease is renewed, so B never gets it."""
    feed_url = slow_feed(site, delay_s=0.3)  # ~1.2 s of polling against a 0.3 s lease
    outlets = sources(("slow-outlet", [feed_url]))
    renewed_before = metric("newsflow_fetcher_feed_leases_total", outcome="renewed")
    elsewhere_before = metric("newsflow_fetcher_feed_polls_total", outcome="leased_elsewhere")
    async with make_deps(consumer_name="replica-a", lease_ttl_s=0.3, item_concurrency=1) as a, \
            make_deps(consumer_name="replica-b", lease_ttl_s=0.3) as b:
        started = time.monotonic()
        polling = asyncio.create_task(poll_once(outlets, a))
        await eventually(lambda: site.count("/feed.xml"), "replica A polling the feed")
        attempts, last_attempt = 0, started
        while not polling.done():
            assert time.monotonic() < started + 15, "replica A's poll did not finish"
            await poll_once(outlets, b)
            if polling.done():  # A finished during B's poll: B may rightly have taken the lease A released
                break
            attempts, last_attempt = attempts + 1, time.monotonic()
            assert site.count("/feed.xml") == 1  # B never polled the feed while A's poll ran
            await asyncio.sleep(0.05)  # poll interval
        summary = await polling
    assert summary.published == SLOW_PAGES
    assert last_attempt - started > 3 * 0.3  # B still found the feed leased three TTLs into A's poll
    leased_elsewhere = metric("newsflow_fetcher_feed_polls_total", outcome="leased_elsewhere") - elsewhere_before
    assert attempts <= leased_elsewhere <= attempts + 1  # + B's poll that overlapped A's end, if it found the lease
    assert metric("newsflow_fetcher_feed_leases_total", outcome="renewed") >= renewed_before + 3
    assert len(read_published(redis_url)) == SLOW_PAGES


async def test_a_lost_lease_is_logged_counted_and_stops_the_poll_starting_items(site, make_deps, redis_url) -> None:
    """When another replica holds the lease (ours lapsed), the poll finishes the page in flight and starts no other."""
    feed_url = slow_feed(site, delay_s=1.0)
    outlets = sources(("slow-outlet", [feed_url]))
    client = redis.Redis.from_url(redis_url)
    lost_before = metric("newsflow_fetcher_feed_leases_total", outcome="lost")
    async with make_deps(consumer_name="replica-a", lease_ttl_s=0.3, item_concurrency=1) as a:
        with capture_logs() as logs:
            polling = asyncio.create_task(poll_once(outlets, a))
            await eventually(lambda: site.count("/slow0.html"), "the first page requested")
            client.set(feed_lease_key(feed_url), "replica-b:token", px=60_000)  # as if A's lease had lapsed
            summary = await asyncio.wait_for(polling, 15)
    assert metric("newsflow_fetcher_feed_leases_total", outcome="lost") == lost_before + 1
    (lost,) = [e for e in logs if e["event"].startswith("feed lease lost")]
    assert (lost["url"], lost["source"], lost["log_level"]) == (feed_url, "slow-outlet", "error")
    assert sum(site.count(f"/slow{i}.html") for i in range(SLOW_PAGES)) == 1
    assert summary.published == 1  # the page in flight is still published (its URL claim protects it)
    assert client.get(feed_lease_key(feed_url)) == b"replica-b:token"  # A's release left B's lease alone
    client.close()
