"""Deduplication and revisions on a real local site and real Redis: canonical links, redirects, changed pages."""

from fetcher.polling import poll_once

from tests.integration.fetcher.conftest import metric, page, read_published, rss, sources


def canonical_page(title: str, canonical: str) -> str:
    return (f'<!DOCTYPE html><html><head><title>{title}</title><link href="{canonical}" rel="canonical">'
            f"</head><body><p>{title}.</p></body></html>")


async def test_same_site_rel_canonical_makes_two_links_one_article(site, make_deps, redis_url) -> None:
    """Two links whose pages declare one canonical URL publish one article, under that URL."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/amp/story.html", "AMP"), ("{base_url}/print/story", "Print")))
    site.serve("/amp/story.html", canonical_page("Story", "/story.html"))
    site.serve("/print/story", canonical_page("Story", "{base_url}/story.html"))
    before = metric("newsflow_fetcher_items_total", source="canon", outcome="duplicate")
    async with make_deps(max_concurrent_feeds=1) as deps:
        summary = await poll_once(sources(("canon", [feed_url])), deps)
    (article,) = [p.article for p in read_published(redis_url)]
    assert article.canonical_url == f"{site.base_url}/story.html"
    assert (summary.published, summary.skipped) == (1, 1)
    assert metric("newsflow_fetcher_items_total", source="canon", outcome="duplicate") == before + 1


async def test_cross_site_canonical_is_ignored(site, make_deps, redis_url) -> None:
    """A page may not claim another site's URL: the canonical stays where the page was fetched."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/a.html", "A")))
    site.serve("/a.html", canonical_page("A", "https://elsewhere.example/a.html"))
    async with make_deps() as deps:
        await poll_once(sources(("canon", [feed_url])), deps)
    assert [p.article.canonical_url for p in read_published(redis_url)] == [f"{site.base_url}/a.html"]


async def test_redirected_link_is_canonical_where_it_landed(site, make_deps, redis_url) -> None:
    """A tracking redirect and the direct link to the same page publish once, under the final URL."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/r/123", "Via redirect"), ("{base_url}/story.html", "Direct")))
    site.redirect("/r/123", "/story.html", status=302)
    site.serve("/story.html", page("Story"))
    async with make_deps(max_concurrent_feeds=1) as deps:
        await poll_once(sources(("moved", [feed_url])), deps)
        await poll_once(sources(("moved", [feed_url])), deps)
    assert [p.article.canonical_url for p in read_published(redis_url)] == [f"{site.base_url}/story.html"]


async def test_changed_entry_with_changed_page_is_published_as_a_revision(site, make_deps, redis_url) -> None:
    """Same URL, new content after a re-poll: revision 2 of the same article, not a new article."""
    site.serve("/feed.xml", rss(("{base_url}/a.html", "Quake hits coast")))
    site.serve("/a.html", page("Quake hits coast"))
    outlets = sources(("updating", [site.base_url + "/feed.xml"]))
    async with make_deps() as deps:
        await poll_once(outlets, deps)
        site.serve("/feed.xml", rss(("{base_url}/a.html", "Quake hits coast: 40 dead")))
        site.serve("/a.html", page("Quake hits coast: 40 dead"))
        summary = await poll_once(outlets, deps)
        third = await poll_once(outlets, deps)
    first, second = [p.article for p in read_published(redis_url)]
    assert (summary.published, summary.revised) == (0, 1)
    assert (first.revision, second.revision) == (1, 2)
    assert first.article_id == second.article_id and first.content_hash != second.content_hash
    assert first.message_id != second.message_id
    assert "40 dead" in second.page_html()
    assert (third.published, third.revised) == (0, 0)


async def test_changed_entry_with_the_same_page_publishes_nothing(site, make_deps, redis_url) -> None:
    """A feed entry that changed while its page did not is re-fetched once and not republished."""
    site.serve("/feed.xml", rss(("{base_url}/a.html", "Title")))
    site.serve("/a.html", page("Same page"))
    outlets = sources(("stable", [site.base_url + "/feed.xml"]))
    before = metric("newsflow_fetcher_items_total", source="stable", outcome="unchanged")
    async with make_deps() as deps:
        await poll_once(outlets, deps)
        site.serve("/feed.xml", rss(("{base_url}/a.html", "Title, edited")))
        await poll_once(outlets, deps)
    assert len(read_published(redis_url)) == 1
    assert site.count("/a.html") == 2
    assert metric("newsflow_fetcher_items_total", source="stable", outcome="unchanged") == before + 1


async def test_large_pages_travel_gzipped_and_read_back_whole(site, make_deps, redis_url) -> None:
    """Pages above the compression threshold are sent in html_gzip_b64; page_html() gives the text back."""
    feed_url = site.serve("/feed.xml", rss(("{base_url}/big.html", "Big"), ("{base_url}/small.html", "Small")))
    big = "<html><body>" + "<p>Paragraph of a long article.</p>" * 3000 + "</body></html>"
    site.serve("/big.html", big)
    site.serve("/small.html", page("Small"))
    async with make_deps(compress_html_above_bytes=10_000) as deps:
        await poll_once(sources(("bulky", [feed_url])), deps)
    by_title = {p.article.feed.title: p.article for p in read_published(redis_url)}
    assert by_title["Big"].html == "" and by_title["Big"].page_html() == big
    assert len(by_title["Big"].html_gzip_b64) < len(big) / 10
    assert by_title["Small"].html_gzip_b64 is None and "Small" in by_title["Small"].page_html()
