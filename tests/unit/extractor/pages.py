"""Fetched pages for the extractor's tests: fixture HTML wrapped in an ArticleFetched like the fetcher's."""

from datetime import UTC, datetime
from pathlib import Path

from newsflow_shared.contracts.raw_articles import (
    MAX_HTML_CHARS,
    ArticleFetched,
    FeedEntry,
    HttpMeta,
    content_hash,
)
from newsflow_shared.contracts.source import Bias, Factuality, SourceRef

FIXTURES = Path(__file__).parent / "fixtures"
FETCHED_AT = datetime(2024, 6, 20, 9, 0, tzinfo=UTC)


def fixture_html(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def fetched_page(
    html: str,
    *,
    url: str = "https://northwind-herald.example/news/2024/03/harbour-bridge-reopens?utm_source=rss",
    canonical_url: str = "https://northwind-herald.example/news/2024/03/harbour-bridge-reopens",
    feed_title: str | None = "Feed title",
    feed_authors: tuple[str, ...] = (),
    feed_published_at: datetime | None = None,
) -> ArticleFetched:
    return ArticleFetched(
        source=SourceRef(
            id="northwind-herald",
            name="Northwind Herald (source)",
            homepage="https://northwind-herald.example/",
            bias=Bias.CENTER,
            factuality=Factuality.HIGH,
        ),
        url=url,
        canonical_url=canonical_url,
        feed=FeedEntry(
            feed_url="https://northwind-herald.example/feed.xml",
            guid=canonical_url,
            title=feed_title,
            authors=list(feed_authors),
            published_at=feed_published_at,
        ),
        http=HttpMeta(
            status=200, final_url=url, content_type="text/html; charset=utf-8", fetched_at=FETCHED_AT
        ),
        html=html,
        content_hash=content_hash(html),
    )


def huge_article_html(max_chars: int = MAX_HTML_CHARS - 50_000) -> str:
    """A long report just under the contract's size limit; paragraphs differ, as trafilatura drops repeats."""
    paragraphs, size = [], 0
    while size < max_chars:
        sentence = f"Paragraph {len(paragraphs)} of a long report on the harbour works and their cost. "
        paragraph = f"<p>{sentence * 8}</p>\n"
        paragraphs.append(paragraph)
        size += len(paragraph)
    body = "".join(paragraphs)
    return f"<html><head><title>Long report</title></head><body><article>{body}</article></body></html>"
