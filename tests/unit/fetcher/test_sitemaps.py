"""parse_sitemap: news and plain sitemaps to items, indexes to children, broken XML named."""

from datetime import UTC, datetime

import pytest
from fetcher.feeds import FeedProblem
from fetcher.sitemaps import SitemapIndex, looks_like_sitemap, parse_sitemap

NEWS = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://n.example/a.html</loc><lastmod>2025-06-18</lastmod>
    <news:news><news:publication><news:name>N</news:name><news:language>en</news:language></news:publication>
      <news:publication_date>2025-06-17T09:30:00+02:00</news:publication_date><news:title>Harbour</news:title>
    </news:news></url>
  <url><loc>/relative.html</loc></url>
  <url><lastmod>2025-06-18</lastmod></url>
</urlset>"""


def test_news_sitemap_gives_titled_dated_items() -> None:
    first, relative, no_loc = parse_sitemap(NEWS, url="https://n.example/sitemap.xml")
    assert first.link == "https://n.example/a.html" and first.title == "Harbour"
    assert first.published_at == datetime(2025, 6, 17, 7, 30, tzinfo=UTC)
    assert first.updated_at == datetime(2025, 6, 18, tzinfo=UTC)
    assert relative.link == "https://n.example/relative.html" and relative.published_at is None
    assert no_loc.link is None


def test_index_lists_children_newest_first() -> None:
    index = parse_sitemap(b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                          b"<sitemap><loc>https://n.example/old.xml</loc><lastmod>2024-01-01</lastmod></sitemap>"
                          b"<sitemap><loc>https://n.example/new.xml</loc><lastmod>2025-01-01</lastmod></sitemap>"
                          b"</sitemapindex>", url="https://n.example/sitemap.xml")
    assert isinstance(index, SitemapIndex)
    assert [url for url, _ in index.sitemaps] == ["https://n.example/new.xml", "https://n.example/old.xml"]


def test_sitemap_without_namespace_is_accepted() -> None:
    (item,) = parse_sitemap(b"<urlset><url><loc>https://n.example/a</loc></url></urlset>", url="https://n.example/")
    assert item.link == "https://n.example/a"


@pytest.mark.parametrize(("body", "reason"), [
    (b"<urlset><url><loc>https://n.example/a</loc>", "malformed_sitemap"),
    (b"<html><body>hi</body></html>", "not_a_feed"),
    ((b'<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
     b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
     b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
     b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">'
     b'<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>'
      b"<urlset><url><loc>&f;</loc></url></urlset>"), "malformed_sitemap"),  # expat refuses the expansion
])
def test_broken_or_foreign_xml_is_named(body: bytes, reason: str) -> None:
    """Truncated XML and non-sitemap roots are FeedProblems; an entity bomb does not explode memory."""
    with pytest.raises(FeedProblem) as caught:
        parse_sitemap(body, url="https://n.example/s.xml")
    assert caught.value.reason == reason


def test_sniffing() -> None:
    assert looks_like_sitemap(NEWS)
    assert not looks_like_sitemap(b'<?xml version="1.0"?><rss version="2.0"></rss>')
