"""Misbehaving servers and documents: each is logged with source and URL, counted, and the other sources go on."""

import gzip
import time

import brotli
from fetcher.polling import poll_once
from structlog.testing import capture_logs

from tests.integration.fetcher.conftest import metric, page, read_published, rss, sources


def _failure_logged(logs: list[dict], url: str, reason: str) -> bool:
    return any(e["event"] in ("feed failed", "page failed") and e["url"] == url and e["reason"] == reason
               for e in logs)


async def test_compression_bombs_are_cut_off_at_the_cap(site, make_deps, redis_url) -> None:
    """A gzip and a brotli bomb (tiny on the wire, huge inflated) are refused once the decoded cap is passed."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/gz.html", "Gzip bomb"), ("{base_url}/br.html", "Br bomb"),
                                           ("{base_url}/ok.html", "Fine")))
    zeros = b"<html>" + b"\0" * 50_000_000
    site.serve("/gz.html", gzip.compress(zeros, compresslevel=9), headers={"Content-Encoding": "gzip"})
    site.serve("/br.html", brotli.compress(zeros, quality=5), headers={"Content-Encoding": "br"})
    site.serve("/ok.html", page("Fine"))
    before = metric("newsflow_fetch_errors_total", source="bombs", reason="too_large")
    async with make_deps(max_body_bytes=1_000_000) as deps:
        with capture_logs() as logs:
            summary = await poll_once(sources(("bombs", [feed_url])), deps)
    assert (summary.published, summary.errors) == (1, 2)
    assert metric("newsflow_fetch_errors_total", source="bombs", reason="too_large") == before + 2
    assert _failure_logged(logs, f"{site.base_url}/gz.html", "too_large")
    assert _failure_logged(logs, f"{site.base_url}/br.html", "too_large")


async def test_trickling_server_is_cut_off_by_the_total_deadline(site, make_deps, redis_url) -> None:
    """Bytes arriving just often enough to beat the read timeout still cannot hold a fetch past its deadline."""
    trickle = site.serve("/trickle.xml", rss(("{base_url}/a.html", "A")), trickle_s=0.05)
    good = site.serve("/good.xml", rss(("{base_url}/b.html", "B")))
    site.serve("/b.html", page("B"))
    before = metric("newsflow_fetch_errors_total", source="trickle", reason="timeout")
    started = time.monotonic()
    async with make_deps(request_timeout_s=1.0, read_timeout_s=0.5, claim_ttl_s=60) as deps:
        summary = await poll_once(sources(("trickle", [trickle]), ("quick", [good])), deps)
    assert time.monotonic() - started < 4
    assert (summary.published, summary.errors) == (1, 1)
    assert metric("newsflow_fetch_errors_total", source="trickle", reason="timeout") == before + 1


async def test_redirect_cycle_is_named_as_a_loop(site, make_deps) -> None:
    """A → B → A is reported as a redirect loop after two requests, not chased to the redirect cap."""
    site.redirect("/a.xml", "/b.xml", status=302)
    site.redirect("/b.xml", "/a.xml", status=302)
    before = metric("newsflow_fetch_errors_total", source="loop", reason="redirect_loop")
    async with make_deps() as deps:
        with capture_logs() as logs:
            await poll_once(sources(("loop", [site.base_url + "/a.xml"])), deps)
    assert site.count("/a.xml") == 1 and site.count("/b.xml") == 1
    assert metric("newsflow_fetch_errors_total", source="loop", reason="redirect_loop") == before + 1
    assert _failure_logged(logs, site.base_url + "/a.xml", "redirect_loop")


async def test_redirect_to_a_non_http_scheme_is_refused(site, make_deps) -> None:
    """A redirect to file:// or similar never leaves the http(s) world."""
    site.redirect("/feed.xml", "file:///etc/passwd")
    async with make_deps() as deps:
        with capture_logs() as logs:
            summary = await poll_once(sources(("schemer", [site.base_url + "/feed.xml"])), deps)
    assert summary.errors == 1
    assert _failure_logged(logs, site.base_url + "/feed.xml", "bad_scheme")


async def test_truncated_and_misencoded_feeds(site, make_deps, redis_url) -> None:
    """A feed cut off mid-item yields what can be recovered (logged); a Latin-1 feed declared UTF-8 still reads."""
    whole = rss(("{base_url}/a.html", "A"), ("{base_url}/b.html", "B"))
    truncated = site.serve("/truncated.xml", whole[: whole.index("<item>", whole.index("a.html")) + 20],
                           content_type="application/rss+xml")
    latin = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title><item>'
             "<title>Café crème</title><link>{base_url}/c.html</link></item></channel></rss>")
    misencoded = site.serve("/latin.xml", latin.replace("{base_url}", site.base_url).encode("latin-1"),
                            content_type="application/rss+xml")
    for name in "abc":
        site.serve(f"/{name}.html", page(name))
    before = metric("newsflow_fetch_errors_total", source="broken", reason="malformed_feed_recovered")
    async with make_deps() as deps:
        with capture_logs() as logs:
            summary = await poll_once(sources(("broken", [truncated, misencoded])), deps)
    published = sorted(p.article.canonical_url.rsplit("/", 1)[1] for p in read_published(redis_url))
    assert published == ["a.html", "c.html"]
    assert summary.errors == 0
    assert metric("newsflow_fetch_errors_total", source="broken", reason="malformed_feed_recovered") >= before + 1
    assert any(e["event"] == "feed is broken; using the items recovered" and e["source"] == "broken" for e in logs)


async def test_empty_feed_is_not_an_error(site, make_deps) -> None:
    """A valid feed with no items publishes nothing and reports nothing wrong."""
    feed_url = site.serve("/feed.xml", rss(), content_type="application/rss+xml")
    async with make_deps() as deps:
        summary = await poll_once(sources(("quiet", [feed_url])), deps)
    assert (summary.feeds, summary.published, summary.errors) == (1, 0, 0)


async def test_feed_with_thousands_of_items_is_capped_newest_first(site, make_deps, redis_url) -> None:
    """3,000 items: only the newest max_items_per_feed are taken; the cut is logged and counted."""
    items = "".join(
        f"<item><title>S{i}</title><link>{{base_url}}/s{i}.html</link>"
        f"<pubDate>Tue, 17 Jun 2025 {i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d} GMT</pubDate></item>"
        for i in range(3000)
    )
    feed_url = site.serve("/feed.xml", f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}'
                                       "</channel></rss>", content_type="application/rss+xml")
    for i in range(2990, 3000):
        site.serve(f"/s{i}.html", page(f"S{i}"))
    before = metric("newsflow_fetcher_items_total", source="firehose", outcome="truncated")
    async with make_deps(max_items_per_feed=10) as deps:
        with capture_logs() as logs:
            summary = await poll_once(sources(("firehose", [feed_url])), deps)
    assert summary.published == 10
    assert sorted(p.article.feed.title for p in read_published(redis_url)) == sorted(f"S{i}" for i in range(2990, 3000))
    assert metric("newsflow_fetcher_items_total", source="firehose", outcome="truncated") == before + 2990
    assert any(e["event"].startswith("feed lists more items") and e["url"] == feed_url for e in logs)


async def test_items_without_dates_and_with_relative_links_are_published(site, make_deps, redis_url) -> None:
    """No date is fine; a relative link is resolved against the feed's URL."""
    feed_url = site.serve("/news/feed.xml", '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                          "<item><title>Undated</title><link>story.html</link></item></channel></rss>")
    site.serve("/news/story.html", page("Undated"))
    async with make_deps() as deps:
        await poll_once(sources(("casual", [feed_url])), deps)
    (article,) = [p.article for p in read_published(redis_url)]
    assert article.canonical_url == f"{site.base_url}/news/story.html" and article.feed.published_at is None


async def test_page_with_binary_body_or_wrong_type_is_refused(site, make_deps, redis_url) -> None:
    """A PDF or a binary blob behind an article link is refused and counted; the HTML sibling is published."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/doc.pdf", "PDF"), ("{base_url}/blob.html", "Blob"),
                                           ("{base_url}/ok.html", "OK")))
    site.serve("/doc.pdf", b"%PDF-1.7 ...", content_type="application/pdf")
    site.serve("/blob.html", bytes(range(256)) * 10)
    site.serve("/ok.html", page("OK"))
    before = {r: metric("newsflow_fetch_errors_total", source="mixed", reason=r) for r in ("content_type", "binary_body")}
    async with make_deps() as deps:
        summary = await poll_once(sources(("mixed", [feed_url])), deps)
    assert (summary.published, summary.errors) == (1, 2)
    for reason, value in before.items():
        assert metric("newsflow_fetch_errors_total", source="mixed", reason=reason) == value + 1


async def test_4xx_storm_on_pages_fails_each_page_and_keeps_the_feed_going(site, make_deps, redis_url) -> None:
    """Every link 404s: each is counted once, nothing is published, and the next poll tries them again."""
    feed_url = site.serve("/feed.xml", rss(*[(f"{{base_url}}/gone{i}.html", f"G{i}") for i in range(20)]))
    before = metric("newsflow_fetch_errors_total", source="gone", reason="http_status")
    async with make_deps() as deps:
        summary = await poll_once(sources(("gone", [feed_url])), deps)
    assert (summary.published, summary.errors) == (0, 20)
    assert metric("newsflow_fetch_errors_total", source="gone", reason="http_status") == before + 20
    assert read_published(redis_url) == []
