"""Sitemaps as sources on a real local site: Google News sitemaps, sitemap indexes, discovery from robots.txt."""

import gzip
from datetime import UTC, datetime, timedelta

from fetcher.polling import poll_once
from fetcher.sources import parse_sources

from tests.integration.fetcher.conftest import metric, page, read_published

TODAY = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
LONG_AGO = (datetime.now(UTC) - timedelta(days=400)).strftime("%Y-%m-%d")


def news_sitemap(*entries: tuple[str, str, str]) -> str:
    urls = "".join(
        f"<url><loc>{loc}</loc><news:news><news:publication><news:name>X</news:name><news:language>en"
        f"</news:language></news:publication><news:publication_date>{date}</news:publication_date>"
        f"<news:title>{title}</news:title></news:news></url>"
        for loc, title, date in entries
    )
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>')


def plain_sitemap(*entries: tuple[str, str | None]) -> str:
    urls = "".join(f"<url><loc>{loc}</loc>{f'<lastmod>{lastmod}</lastmod>' if lastmod else ''}</url>"
                   for loc, lastmod in entries)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def source_yaml(**fields: str) -> list:
    lines = ["sources:", "  - id: mapped", "    name: Mapped"]
    lines += [f"    {key}: {value}" for key, value in fields.items() if key != "feeds"]
    if "feeds" in fields:
        lines += ["    feeds:", *[f"      - url: {url}" for url in fields["feeds"].split()]]
    return parse_sources("\n".join(lines) + "\n")


async def test_google_news_sitemap_items_are_published_with_their_titles(site, make_deps, redis_url) -> None:
    """A news sitemap is read like a feed: each <url> is an item titled by news:title."""
    sitemap = site.serve("/news-sitemap.xml", news_sitemap(("{base_url}/a.html", "Harbour reopens", TODAY)),
                         content_type="application/xml")
    site.serve("/a.html", page("Harbour reopens"))
    async with make_deps() as deps:
        summary = await poll_once(source_yaml(feeds=sitemap), deps)
    assert summary.published == 1
    (article,) = [p.article for p in read_published(redis_url)]
    assert article.feed.title == "Harbour reopens" and article.feed.feed_url == sitemap


async def test_sitemap_index_is_followed_and_old_entries_are_skipped(site, make_deps, redis_url) -> None:
    """An index leads to its (gzipped) child sitemaps; entries dated long ago are not fetched."""
    site.serve("/sitemap-1.xml.gz", gzip.compress(plain_sitemap(
        ("{base_url}/new.html", TODAY), ("{base_url}/old.html", LONG_AGO), ("{base_url}/undated.html", None),
    ).replace("{base_url}", site.base_url).encode()), content_type="application/x-gzip")
    index = site.serve("/sitemap.xml", '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/'
                       'schemas/sitemap/0.9"><sitemap><loc>{base_url}/sitemap-1.xml.gz</loc></sitemap></sitemapindex>',
                       content_type="application/xml")
    for name in ("new", "old", "undated"):
        site.serve(f"/{name}.html", page(name))
    before = metric("newsflow_fetcher_items_total", source="mapped", outcome="too_old")
    async with make_deps() as deps:
        summary = await poll_once(source_yaml(feeds=index), deps)
    assert summary.published == 2
    assert site.count("/old.html") == 0
    assert metric("newsflow_fetcher_items_total", source="mapped", outcome="too_old") == before + 1


async def test_sitemaps_are_discovered_from_robots_txt(site, make_deps, redis_url) -> None:
    """With discover_sitemaps, the Sitemap: lines of the homepage's robots.txt are polled."""
    site.serve("/robots.txt", "User-agent: *\nAllow: /\nSitemap: {base_url}/news.xml\n", content_type="text/plain")
    site.serve("/news.xml", news_sitemap(("{base_url}/found.html", "Found via robots", TODAY)))
    site.serve("/found.html", page("Found via robots"))
    async with make_deps() as deps:
        summary = await poll_once(source_yaml(homepage=site.base_url + "/", discover_sitemaps="true"), deps)
    assert summary.published == 1
    assert [p.article.feed.title for p in read_published(redis_url)] == ["Found via robots"]
    assert site.count("/robots.txt") == 1
