"""Stream `newsflow:articles:raw`: fetcher → extractor, one message per new article page."""

import hashlib
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from newsflow_shared import streams
from newsflow_shared.contracts.base import Contract, stable_id
from newsflow_shared.contracts.source import SourceRef

STREAM = streams.RAW_ARTICLES
MAX_HTML_CHARS = 5_000_000  # larger pages are refused by the fetcher, not sent


def article_id(canonical_url: str) -> str:
    """An article's identity across every stage and table: its canonical URL, hashed."""
    return stable_id("article", canonical_url)


def content_hash(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8", "surrogatepass")).hexdigest()


class FeedEntry(BaseModel):
    """What the feed itself said about the item (a fallback when the page says less)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    feed_url: str
    guid: str | None = None
    title: str | None = None
    summary: str | None = None
    authors: list[str] = Field(default_factory=list)
    published_at: datetime | None = None


class HttpMeta(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    status: int
    final_url: str
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: datetime
    elapsed_ms: float | None = None


class ArticleFetched(Contract):
    STREAM = STREAM

    source: SourceRef
    url: str = Field(description="The item's link as the feed gave it.")
    canonical_url: str
    feed: FeedEntry
    http: HttpMeta
    html: str = Field(max_length=MAX_HTML_CHARS)
    content_hash: str

    @property
    def article_id(self) -> str:
        return article_id(self.canonical_url)

    @property
    def message_id(self) -> str:
        return stable_id("fetched", self.canonical_url, self.content_hash)
