"""XML sitemaps as a source of article URLs: Google News sitemaps, plain sitemaps and sitemap indexes.

A news site's sitemap can list its whole archive, so entries carry their date (news:publication_date,
else lastmod) and the caller keeps only recent ones. Parsing uses expat through ElementTree, which
resolves no external entities and (expat >= 2.4) refuses entity-expansion bombs.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urljoin

from fetcher.feeds import FeedItem, FeedProblem

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@dataclass(frozen=True)
class SitemapIndex:
    """Child sitemaps, newest first when the index dates them."""

    sitemaps: list[tuple[str, datetime | None]]


def looks_like_sitemap(body: bytes) -> bool:
    head = body[:4096]
    return b"<urlset" in head or b"<sitemapindex" in head


def parse_sitemap(body: bytes, *, url: str) -> list[FeedItem] | SitemapIndex:
    """The URLs of a `<urlset>` as feed items, or the children of a `<sitemapindex>`."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise FeedProblem("malformed_sitemap", f"sitemap is not well-formed XML ({exc}): {url}") from exc
    tag = _local(root.tag)
    if tag == "sitemapindex":
        children = [(urljoin(url, loc), _date(_text(node, "lastmod")))
                    for node in root if _local(node.tag) == "sitemap" and (loc := _text(node, "loc"))]
        children.sort(key=lambda child: child[1] or datetime(1, 1, 1, tzinfo=UTC), reverse=True)
        return SitemapIndex(children)
    if tag != "urlset":
        raise FeedProblem("not_a_feed", f"XML with root <{tag}> is neither a sitemap nor a feed: {url}")
    return [_url_item(node, url) for node in root if _local(node.tag) == "url"]


def _url_item(node: ET.Element, url: str) -> FeedItem:
    loc = _text(node, "loc")
    news = next((child for child in node if child.tag == NEWS_NS + "news"), None)
    lastmod = _date(_text(node, "lastmod"))
    published = _date(news.findtext(NEWS_NS + "publication_date")) if news is not None else None
    title = (news.findtext(NEWS_NS + "title") or "").strip() or None if news is not None else None
    return FeedItem(link=urljoin(url, loc) if loc else None, title=title, published_at=published or lastmod,
                    updated_at=lastmod)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _text(node: ET.Element, name: str) -> str | None:
    # Sitemaps in the wild sometimes omit the namespace; accept both spellings.
    for child in node:
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def _date(value: str | None) -> datetime | None:
    """W3C datetime as sitemaps use it: a date, or a date and time with an offset."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())  # 3.11 reads a trailing Z itself
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
