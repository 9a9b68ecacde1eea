"""Pages answering a permanent 4xx are set aside in Redis for a growing pause, shared by replicas; 5xx are not."""

import asyncio
import time

import redis
from fetcher.keys import gone_key
from fetcher.polling import poll_once
from structlog.testing import capture_logs

from tests.integration.fetcher.conftest import metric, page, read_published, rss, sources


async def test_missing_pages_are_not_requested_again_by_the_next_poll_of_any_replica(site, make_deps,
                                                                                       redis_url) -> None:
    """A 404 and a 410 are requested once and then skipped, even by another replica; a 500 is retried as before."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/a.html", "A"), ("{base_url}/missing.html", "Missing"),
                                           ("{base_url}/removed.html", "Removed"), ("{base_url}/broken.html", "Broken")))
    site.serve("/a.html", page("A"))  # /missing.html is not served: the site answers 404
    site.serve("/removed.html", "gone", status=410, content_type="text/plain")
    site.serve("/broken.html", "oops", status=500, content_type="text/plain")
    outlets = sources(("forgetful", [feed_url]))
    before = {status: metric("newsflow_fetcher_pages_gone_total", source="forgetful", status=status)
              for status in ("404", "410", "500")}
    gone_before = metric("newsflow_fetcher_items_total", source="forgetful", outcome="gone")
    async with make_deps(consumer_name="replica-a") as deps:
        with capture_logs() as logs:
            first = await poll_once(outlets, deps)
    async with make_deps(consumer_name="replica-b") as deps:
        second = await poll_once(outlets, deps)

    assert (first.published, first.errors) == (1, 3)
    assert (second.published, second.errors, second.skipped) == (0, 1, 3)  # skipped: a seen, two set aside
    assert site.count("/missing.html") == 1 and site.count("/removed.html") == 1
    assert site.count("/broken.html") == 2 and site.count("/a.html") == 1
    assert site.count("/feed.xml") == 2
    assert metric("newsflow_fetcher_pages_gone_total", source="forgetful", status="404") == before["404"] + 1
    assert metric("newsflow_fetcher_pages_gone_total", source="forgetful", status="410") == before["410"] + 1
    assert metric("newsflow_fetcher_pages_gone_total", source="forgetful", status="500") == before["500"]
    assert metric("newsflow_fetcher_items_total", source="forgetful", outcome="gone") == gone_before + 2
    set_aside = {e["url"]: e for e in logs if e["event"] == "page set aside after a permanent error"}
    assert set(set_aside) == {f"{site.base_url}/missing.html", f"{site.base_url}/removed.html"}
    assert set_aside[f"{site.base_url}/missing.html"]["status"] == 404
    assert set_aside[f"{site.base_url}/missing.html"]["retry_in_s"] == 900.0  # the default first pause
    assert [p.article.feed.title for p in read_published(redis_url)] == ["A"]


async def test_a_page_is_retried_when_its_pause_ends_and_paused_twice_as_long_if_still_missing(site, make_deps,
                                                                                               redis_url) -> None:
    """Polls during the pause do not request the page; the first poll after it does; a second 404 doubles the pause."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/soon.html", "Soon")))
    outlets = sources(("eager", [feed_url]))
    client = redis.Redis.from_url(redis_url)
    polls = 0
    async with make_deps(gone_backoff_s=1.0, gone_backoff_max_s=60) as deps:
        with capture_logs() as logs:
            deadline = time.monotonic() + 15
            while site.count("/soon.html") < 2:  # poll like the scheduler would, until the page is asked for again
                assert time.monotonic() < deadline, "the page was never requested again"
                await poll_once(outlets, deps)
                polls += 1
                await asyncio.sleep(0.05)  # poll interval
            site.serve("/soon.html", page("Soon"))
            deadline = time.monotonic() + 15
            while not read_published(redis_url):
                assert time.monotonic() < deadline, "the page was never published"
                await poll_once(outlets, deps)
                await asyncio.sleep(0.05)  # poll interval
    first, second = site.requests_for("/soon.html")[:2]
    assert second.at - first.at >= 1.0
    assert polls > 2  # polls in between skipped the page (each one requested the feed)
    pauses = [e["retry_in_s"] for e in logs if e["event"] == "page set aside after a permanent error"]
    assert pauses == [1.0, 2.0]
    third = site.requests_for("/soon.html")[2]
    assert third.at - second.at >= 2.0
    assert int(client.hget(gone_key(f"{site.base_url}/soon.html"), "failures")) == 2
    client.close()
