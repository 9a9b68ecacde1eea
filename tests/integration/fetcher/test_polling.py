"""poll_once against a real local site and real Redis: what gets published, once, and what gets refused."""

import asyncio
import uuid

from fetcher.polling import poll_once
from structlog.testing import capture_logs

from tests.integration.fetcher.conftest import metric, page, read_published, rss, sources


async def test_each_new_item_is_published_once_with_contract_headers(site, make_deps, redis_url) -> None:
    """Every item becomes one ArticleFetched on the raw stream, with schema version, message id and correlation id."""
    feed_url = site.serve("/herald/feed.xml", rss(
        ("{base_url}/herald/kursk.html?utm_source=rss", "Engineers sent to Kursk"),
        ("/herald/strike.html", "Harbour strike"),
    ), content_type="application/rss+xml")
    site.serve("/herald/kursk.html?utm_source=rss", page("Engineers sent to Kursk"))
    site.serve("/herald/strike.html", page("Harbour strike"))
    outlets = sources(("northwind-herald", [feed_url]))

    async with make_deps() as deps:
        summary = await poll_once(outlets, deps)

    assert (summary.feeds, summary.published, summary.skipped, summary.errors) == (1, 2, 0, 0)
    published = read_published(redis_url)
    assert len(published) == 2
    by_url = {p.article.canonical_url: p for p in published}
    kursk = by_url[f"{site.base_url}/herald/kursk.html"]
    assert kursk.article.url == f"{site.base_url}/herald/kursk.html?utm_source=rss"
    assert kursk.article.source.id == "northwind-herald" and kursk.article.source.bias == "center"
    assert kursk.article.feed.feed_url == feed_url and kursk.article.feed.title == "Engineers sent to Kursk"
    assert kursk.article.http.status == 200 and "<title>Engineers sent to Kursk</title>" in kursk.article.html
    assert f"{site.base_url}/herald/strike.html" in by_url  # the relative link, resolved against the feed
    for message in published:
        assert message.headers["schema_version"] == "1"
        assert message.headers["contract"] == "ArticleFetched"
        assert message.headers["message_id"] == message.article.message_id
        uuid.UUID(message.headers["correlation_id"])
    assert len({m.headers["correlation_id"] for m in published}) == 2
    assert all(agent.startswith("newsflow-fetcher/") for agent in site.user_agents)


async def test_second_poll_publishes_nothing_new(site, make_deps, redis_url) -> None:
    """A URL already published is neither fetched nor published again, even by a fresh process; an unchanged feed
    is not even read item by item."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/a.html", "A"), ("{base_url}/b.html#top", "B")))
    site.serve("/a.html", page("A"))
    site.serve("/b.html", page("B"))
    outlets = sources(("harbour-post", [feed_url]))

    async with make_deps() as deps:
        first = await poll_once(outlets, deps)
    async with make_deps(consumer_name="fetcher-restarted") as deps:
        second = await poll_once(outlets, deps)

    assert first.published == 2
    assert (second.published, second.skipped, second.errors) == (0, 0, 0)
    assert len(read_published(redis_url)) == 2
    assert site.count("/a.html") == 1 and site.count("/b.html") == 1
    assert site.count("/feed.xml") == 2


async def test_new_item_in_a_later_poll_is_published(site, make_deps, redis_url) -> None:
    """Only the item added since the last poll is published by the next one."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/a.html", "A")))
    site.serve("/a.html", page("A"))
    site.serve("/b.html", page("B"))
    outlets = sources(("harbour-post", [feed_url]))
    async with make_deps() as deps:
        await poll_once(outlets, deps)
        site.serve("/feed.xml", rss(("{base_url}/b.html", "B"), ("{base_url}/a.html", "A")))
        summary = await poll_once(outlets, deps)
    assert (summary.published, summary.skipped) == (1, 1)
    assert [p.article.feed.title for p in read_published(redis_url)] == ["A", "B"]


async def test_bad_feeds_are_counted_and_logged_while_the_good_feed_is_published(site, make_deps, redis_url) -> None:
    """Malformed XML, a 500, HTML served as a feed, a binary body and a 404 each fail alone, named and counted."""
    good = site.serve("/good/feed.xml", rss(("{base_url}/good/story.html", "Story")))
    site.serve("/good/story.html", page("Story"))
    broken = {
        "malformed_feed": site.serve("/bad/malformed.xml", '<?xml version="1.0"?><rss><channel><<<>>> & oops',
                                     content_type="application/rss+xml"),
        "not_a_feed": site.serve("/bad/home.html", page("Home page, not a feed")),
        "content_type": site.serve("/bad/image.xml", b"\x89PNG\r\n\x1a\n\x00\x00", content_type="image/png"),
        "binary_body": site.serve("/bad/binary.xml", bytes(range(256)), content_type="application/xml"),
    }
    failing = site.serve("/bad/error.xml", "Internal error", status=500, content_type="text/plain")
    missing = site.base_url + "/bad/missing.xml"
    outlets = sources(("good-news", [good]), ("broken-news", [*broken.values(), failing, missing]))
    before = {r: metric("newsflow_fetch_errors_total", source="broken-news", reason=r)
              for r in [*broken, "http_status"]}
    status_500 = metric("newsflow_fetcher_requests_total", kind="feed", status="500", host="127.0.0.1")

    async with make_deps() as deps:
        with capture_logs() as logs:
            summary = await poll_once(outlets, deps)

    assert (summary.feeds, summary.published, summary.errors) == (7, 1, 6)
    assert [p.article.source.id for p in read_published(redis_url)] == ["good-news"]
    for reason in broken:
        assert metric("newsflow_fetch_errors_total", source="broken-news", reason=reason) == before[reason] + 1
    assert metric("newsflow_fetch_errors_total", source="broken-news", reason="http_status") == \
        before["http_status"] + 2
    assert metric("newsflow_fetcher_requests_total", kind="feed", status="500", host="127.0.0.1") == status_500 + 1
    failures = {(e["url"], e["reason"]) for e in logs if e["event"] == "feed failed" and e["source"] == "broken-news"}
    assert failures == {*((url, reason) for reason, url in broken.items()),
                        (failing, "http_status"), (missing, "http_status")}


async def test_item_without_link_is_skipped_with_warning_and_metric(site, make_deps, redis_url) -> None:
    """An item with no link cannot be fetched: it is logged and counted, and its siblings still go out."""
    feed_url = site.serve("/feed.xml", rss((None, "Editor's note"), ("{base_url}/a.html", "A")))
    site.serve("/a.html", page("A"))
    before = metric("newsflow_fetcher_items_total", source="linkless", outcome="no_link")
    async with make_deps() as deps:
        with capture_logs() as logs:
            summary = await poll_once(sources(("linkless", [feed_url])), deps)
    assert (summary.published, summary.skipped) == (1, 1)
    assert metric("newsflow_fetcher_items_total", source="linkless", outcome="no_link") == before + 1
    warning = next(e for e in logs if e["event"] == "feed item without a link skipped")
    assert (warning["source"], warning["url"], warning["title"]) == ("linkless", feed_url, "Editor's note")


async def test_loopback_feed_is_refused_unless_allowed(site, make_deps, redis_url) -> None:
    """With no private network allowed, a feed on 127.0.0.1 is never contacted."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/a.html", "A")))
    before = metric("newsflow_fetch_errors_total", source="local", reason="blocked_address")
    async with make_deps(allowed_private_networks="") as deps:
        with capture_logs() as logs:
            summary = await poll_once(sources(("local", [feed_url])), deps)
    assert (summary.published, summary.errors) == (0, 1)
    assert site.requests == []
    assert metric("newsflow_fetch_errors_total", source="local", reason="blocked_address") == before + 1
    assert any(e["event"] == "feed failed" and "loopback" in e["detail"] for e in logs)


async def test_redirects_are_followed_and_checked_at_every_hop(site, make_deps, redis_url) -> None:
    """A moved feed is followed (links resolved against where it landed); a hop to a metadata address is refused."""
    site.serve("/new/feed.xml", rss(("story.html", "Moved story")))
    site.serve("/new/story.html", page("Moved story"))
    moved = site.redirect("/old/feed.xml", "/new/feed.xml")
    sneaky = site.redirect("/sneaky/feed.xml", "http://169.254.169.254/latest/meta-data/")
    before = metric("newsflow_fetch_errors_total", source="sneaky", reason="blocked_address")
    async with make_deps() as deps:
        summary = await poll_once(sources(("moved", [moved]), ("sneaky", [sneaky])), deps)
    assert (summary.published, summary.errors) == (1, 1)
    (article,) = [p.article for p in read_published(redis_url)]
    assert article.canonical_url == f"{site.base_url}/new/story.html"
    assert article.feed.feed_url == moved
    assert metric("newsflow_fetch_errors_total", source="sneaky", reason="blocked_address") == before + 1


async def test_redirect_loop_is_cut_off(site, make_deps) -> None:
    """More than five redirects is an error, not an endless chase."""
    for hop in range(10):
        site.redirect(f"/loop/{hop}", f"/loop/{hop + 1}", status=302)
    async with make_deps() as deps:
        summary = await poll_once(sources(("loopy", [site.base_url + "/loop/0"])), deps)
    assert summary.errors == 1
    assert site.count("/loop/6") == 0


async def test_failed_page_is_released_and_retried_on_the_next_poll(site, make_deps, redis_url) -> None:
    """A page that fails is not marked seen, so the next poll fetches and publishes it: nothing is lost."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/flaky.html", "Flaky")))
    site.serve("/flaky.html", "busy", status=503, content_type="text/plain")
    outlets = sources(("flaky-news", [feed_url]))
    async with make_deps() as deps:
        first = await poll_once(outlets, deps)
        site.serve("/flaky.html", page("Flaky"))
        second = await poll_once(outlets, deps)
    assert (first.published, first.errors) == (0, 1)
    assert (second.published, second.errors) == (1, 0)
    assert len(read_published(redis_url)) == 1


async def test_slow_feed_times_out_without_holding_up_the_others(site, make_deps, redis_url) -> None:
    """A server that never answers costs one deadline and a timeout error; other feeds are published."""
    slow = site.stall("/slow/feed.xml")
    good = site.serve("/feed.xml", rss(("{base_url}/a.html", "A")))
    site.serve("/a.html", page("A"))
    before = metric("newsflow_fetch_errors_total", source="slow-news", reason="timeout")
    async with make_deps(request_timeout_s=0.5) as deps:
        summary = await asyncio.wait_for(poll_once(sources(("slow-news", [slow]), ("quick", [good])), deps), 10)
    assert (summary.published, summary.errors) == (1, 1)
    assert metric("newsflow_fetch_errors_total", source="slow-news", reason="timeout") == before + 1


async def test_oversized_pages_are_refused_whether_declared_or_not(site, make_deps, redis_url) -> None:
    """A body over the cap is refused from its Content-Length, or mid-stream when it has none."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/declared.html", "Big"), ("{base_url}/streamed.html", "Big 2"),
                                           ("{base_url}/small.html", "Small")))
    huge = "<html><body>" + "x" * 50_000 + "</body></html>"
    site.serve("/declared.html", huge)
    site.serve("/streamed.html", huge, send_length=False)
    site.serve("/small.html", page("Small"))
    before = metric("newsflow_fetch_errors_total", source="bulky", reason="too_large")
    async with make_deps(max_body_bytes=4096) as deps:
        summary = await poll_once(sources(("bulky", [feed_url])), deps)
    assert (summary.published, summary.errors) == (1, 2)
    assert metric("newsflow_fetch_errors_total", source="bulky", reason="too_large") == before + 2


async def test_two_replicas_polling_at_once_publish_each_item_once(site, make_deps, redis_url) -> None:
    """The seen-set claim makes concurrent replicas split the work instead of doubling it."""
    links = [(f"{{base_url}}/s{i}.html", f"Story {i}") for i in range(8)]
    feed_url = site.serve("/feed.xml", rss(*links))
    for i in range(8):
        site.serve(f"/s{i}.html", page(f"Story {i}"))
    outlets = sources(("busy-news", [feed_url]))
    async with make_deps(consumer_name="replica-a") as a, make_deps(consumer_name="replica-b") as b:
        first, second = await asyncio.gather(poll_once(outlets, a), poll_once(outlets, b))
    assert first.published + second.published == 8
    assert len(read_published(redis_url)) == 8
    assert all(site.count(f"/s{i}.html") == 1 for i in range(8))


async def test_stop_ends_the_poll_after_the_article_in_flight(site, make_deps, redis_url) -> None:
    """Once stop is set the article being published completes and the rest wait, unclaimed, for the next poll."""
    feed_url = site.serve("/feed.xml", rss(*[(f"{{base_url}}/s{i}.html", f"S{i}") for i in range(3)]))
    for i in range(3):
        site.serve(f"/s{i}.html", page(f"S{i}"))
    outlets = sources(("stopping", [feed_url]))
    stop = asyncio.Event()
    async with make_deps(after_publish=lambda article: stop.set(), item_concurrency=1) as deps:
        interrupted = await poll_once(outlets, deps, stop=stop)
    async with make_deps() as deps:
        resumed = await poll_once(outlets, deps)
    assert interrupted.published == 1
    assert resumed.published == 2
    assert len(read_published(redis_url)) == 3
