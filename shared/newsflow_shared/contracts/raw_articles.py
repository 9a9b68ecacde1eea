"""Stream `newsflow:articles:raw`: fetcher → extractor, one message per new article page."""

import base64
import gzip
import hashlib
import io
from datetime import datetime

from pydantic import Field, model_validator

from newsflow_shared import streams
from newsflow_shared.contracts.base import Contract, Part, stable_id
from newsflow_shared.contracts.source import SourceRef

STREAM = streams.RAW_ARTICLES
MAX_HTML_CHARS = 5_000_000  # larger pages are refused by the fetcher, not sent
# A page may travel gzipped and base64-encoded in `html_gzip_b64` (then `html` is empty) so large pages
# do not bloat Redis; decoded, it is still at most MAX_HTML_CHARS. Read it with ArticleFetched.page_html().
MAX_HTML_GZIP_B64_CHARS = 2_000_000


def article_id(canonical_url: str) -> str:
    """An article's identity across every stage and table: its canonical URL, hashed."""
    return stable_id("article", canonical_url)


def content_hash(html: str) -> str:
    return hashlib.sha256(html.encode("utf-8", "surrogatepass")).hexdigest()


class FeedEntry(Part):
    """What the feed itself said about the item (a fallback when the page says less)."""

    feed_url: str
    guid: str | None = None
    title: str | None = None
    summary: str | None = None
    authors: list[str] = Field(default_factory=list)
    published_at: datetime | None = None


class HttpMeta(Part):
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
    html: str = Field(default="", max_length=MAX_HTML_CHARS, description="The page's HTML; empty when html_gzip_b64 is set.")
    content_hash: str = Field(description="content_hash() of the page's HTML, whichever way it was sent.")
    revision: int = Field(
        default=1, ge=1,
        description="1 for a new article; n > 1 when an already published URL came back with changed content "
        "(same article_id, new content_hash).",
    )
    html_gzip_b64: str | None = Field(
        default=None, max_length=MAX_HTML_GZIP_B64_CHARS,
        description="The page's HTML as UTF-8, gzipped, base64-encoded: set instead of html for large pages.",
    )

    @model_validator(mode="after")
    def _one_body(self) -> "ArticleFetched":
        if self.html_gzip_b64 is not None and self.html:
            raise ValueError("html and html_gzip_b64 are exclusive: send the page one way")
        return self

    @classmethod
    def compress_html(cls, html: str) -> str:
        """The html_gzip_b64 form of a page."""
        return base64.b64encode(gzip.compress(html.encode("utf-8", "surrogatepass"), compresslevel=6)).decode()

    def page_html(self) -> str:
        """The page's HTML however it was sent (plain `html` or `html_gzip_b64`); consumers should read this."""
        if self.html_gzip_b64 is None:
            return self.html
        # Bounded: a message is never allowed to inflate past the documented page limit.
        with gzip.GzipFile(fileobj=io.BytesIO(base64.b64decode(self.html_gzip_b64))) as stream:
            data = stream.read(MAX_HTML_CHARS * 4 + 1)
        if len(data) > MAX_HTML_CHARS * 4:
            raise ValueError("html_gzip_b64 inflates past the page limit")
        return data.decode("utf-8", "surrogatepass")

    @property
    def article_id(self) -> str:
        return article_id(self.canonical_url)

    @property
    def message_id(self) -> str:
        return stable_id("fetched", self.canonical_url, self.content_hash)
