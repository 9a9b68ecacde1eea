"""Claims that were never published (a replica died, Redis vanished or refused the publish) cannot hide
an item for good: the feed is read in full until the item is published, and a failed release is retried."""

import asyncio
import threading

import redis
from fetcher.canonical import canonical_url
from fetcher.keys import seen_key
from fetcher.polling import poll_once
from fetcher.seen import SeenSet
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from structlog.testing import capture_logs

from tests.integration.fetcher.conftest import eventually, metric, page, read_published, rss, sources
from tests.support.redis_memory import refuse_writes


async def test_an_item_claimed_but_unpublished_keeps_the_feed_uncached(site, make_deps, redis_url) -> None:
    """While another process's claim sits on an item, the poll keeps no ETag: once the claim lapses the
    next poll reads the whole feed again (no If-None-Match) and publishes the item. Keeping the ETag would
    let every later poll get a 304 and never list the item again."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/a.html", "A")), etag='"v1"')
    site.serve("/a.html", page("A"))
    stuck = seen_key(canonical_url(f"{site.base_url}/a.html"))
    with redis.Redis.from_url(redis_url) as client:
        client.set(stuck, "claimed:a-replica-that-died", ex=600)
    outlets = sources(("stuck", [feed_url]))
    async with make_deps() as deps:
        first = await poll_once(outlets, deps)
        with redis.Redis.from_url(redis_url) as client:
            client.delete(stuck)  # the dead replica's claim expires
        second = await poll_once(outlets, deps)
    assert (first.published, first.skipped) == (0, 1)
    assert "if-none-match" not in site.requests_for("/feed.xml")[1].headers
    assert second.published == 1
    assert [p.article.canonical_url for p in read_published(redis_url)] == [f"{site.base_url}/a.html"]


async def test_a_release_that_failed_is_retried_before_the_next_claims(redis_url) -> None:
    """Redis unreachable when a claim is handed back: the process remembers it and releases it first
    thing at its next claim round trip, so the URL is takeable at once rather than after claim_ttl_s."""
    client = Redis.from_url(redis_url)
    seen = SeenSet(client, owner="me", ttl_s=3600, claim_ttl_s=600)
    url = "https://outlet.example/a"
    assert (await seen.claim_or_lookup_many([url]))[0].claimed
    real_release = seen._release

    async def unreachable(*args, **kwargs):
        raise RedisConnectionError("Redis is restarting")

    seen._release = unreachable
    try:
        await seen.release(url)
    except RedisConnectionError:
        pass
    else:
        raise AssertionError("the release was expected to fail")
    seen._release = real_release
    assert await client.get(seen_key(url)) == b"claimed:me"  # still held: a poll now would skip it
    other = SeenSet(client, owner="someone-else", ttl_s=3600, claim_ttl_s=600)
    assert (await other.claim_or_lookup_many([url]))[0].record is None  # in progress, for everyone
    (claim,) = await seen.claim_or_lookup_many([url])  # hands the stranded claim back, then claims anew
    assert claim.claimed
    await client.aclose()


async def test_items_a_full_redis_refused_are_published_once_it_has_room(site, make_deps, redis_url) -> None:
    """Redis at maxmemory under noeviction answers the publish's MULTI/EXEC with EXECABORT: neither the message
    nor the seen mark is applied, the feed keeps no ETag, and once Redis has room the next poll reads the feed
    in full and publishes every item, once."""
    held = threading.Event()
    feed_url = site.serve("/feed.xml", rss(("{base_url}/a.html", "A"), ("{base_url}/b.html", "B")), etag='"v1"')
    site.serve("/a.html", page("A"), gate=held)
    site.serve("/b.html", page("B"), gate=held)
    outlets = sources(("full", [feed_url]))
    refused_before = metric("newsflow_fetch_errors_total", source="full", reason="publish_failed")
    async with make_deps() as deps:
        polling = asyncio.create_task(poll_once(outlets, deps))
        restore = None
        try:
            await eventually(lambda: site.count("/a.html"), what="a page requested (its URL claimed)")
            restore = refuse_writes(redis_url)
            held.set()
            with capture_logs() as logs:
                first = await asyncio.wait_for(polling, timeout=30)
        finally:
            held.set()
            if restore is not None:
                restore()
        assert read_published(redis_url) == []
        second = await poll_once(outlets, deps)
    assert first.published == 0 and first.errors >= 1
    refused = [e for e in logs if e["event"].startswith("publishing the article failed")]
    assert refused and all(e["log_level"] == "warning" and "OutOfMemoryError" in e["error"] for e in refused), refused
    assert not any(e.get("exc_info") for e in refused)  # an outage is a line an item, not a traceback each
    assert metric("newsflow_fetch_errors_total", source="full", reason="publish_failed") > refused_before
    assert "if-none-match" not in site.requests_for("/feed.xml")[1].headers
    assert second.published == 2
    assert sorted(p.article.canonical_url for p in read_published(redis_url)) == [
        f"{site.base_url}/a.html", f"{site.base_url}/b.html"]


async def test_a_poll_a_full_redis_refuses_logs_one_warning_and_the_next_poll_publishes(site, make_deps,
                                                                                        redis_url) -> None:
    """Refused from its first write (the feed's lease): the poll is a warning line, not a traceback, and
    nothing of the feed is lost."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/a.html", "A")))
    site.serve("/a.html", page("A"))
    outlets = sources(("full", [feed_url]))
    async with make_deps() as deps:
        restore = refuse_writes(redis_url)
        try:
            with capture_logs() as logs:
                first = await poll_once(outlets, deps)
        finally:
            restore()
        second = await poll_once(outlets, deps)
    failed = [e for e in logs if e["event"].startswith("feed poll failed")]
    assert (first.published, first.errors) == (0, 1)
    assert failed and all(e["log_level"] == "warning" and not e.get("exc_info") for e in failed), failed
    assert second.published == 1
    assert [p.article.canonical_url for p in read_published(redis_url)] == [f"{site.base_url}/a.html"]
