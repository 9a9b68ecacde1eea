"""Pages from an archive (a directory of HTML files or a WARC file) turned into raw-article messages.

`newsflow backfill` publishes them onto newsflow:articles:raw, so archived pages go through the same
extractor and store as fetched ones.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from urllib.parse import urljoin, urlsplit

from newsflow_shared.contracts.raw_articles import (
    MAX_HTML_CHARS,
    ArticleFetched,
    FeedEntry,
    HttpMeta,
    content_hash,
)
from newsflow_shared.contracts.source import SourceRef

HTML_SUFFIXES = (".html", ".htm")
# Pages above this travel gzipped (html_gzip_b64), as the contract allows, to keep Redis small.
COMPRESS_ABOVE_CHARS = 256_000
_CANONICAL = re.compile(
    r"""<link\b[^>]*\brel=["']?canonical["']?[^>]*>""", re.IGNORECASE,
)
_HREF = re.compile(r"""\bhref=["']([^"']+)["']""", re.IGNORECASE)


class PageSkipped(ValueError):
    """A page that cannot become an article (no usable URL, too large, not HTML)."""


@dataclass(frozen=True)
class Page:
    url: str
    html: str
    fetched_at: datetime
    origin: str  # where it came from, for the feed_url field and error messages
    status: int = 200
    content_type: str | None = "text/html"


def is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def canonical_link(html: str) -> str | None:
    """The page's <link rel="canonical" href>, if it has one."""
    tag = _CANONICAL.search(html)
    href = _HREF.search(tag.group(0)) if tag else None
    return href.group(1).strip() if href else None


def page_url(html: str, relative_path: str, base_url: str | None) -> str:
    """The canonical link when absolute; else base_url + the file's path; else the page is skipped."""
    canonical = canonical_link(html)
    if canonical and is_web_url(canonical):
        return canonical
    if base_url:
        return urljoin(base_url.rstrip("/") + "/", relative_path)
    raise PageSkipped(f"{relative_path}: no absolute canonical link and no --base-url to place it")


def html_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in HTML_SUFFIXES)


def page_from_file(path: Path, root: Path, base_url: str | None) -> Page:
    relative = path.relative_to(root).as_posix()
    try:
        html = path.read_text(encoding="utf-8", errors="replace")
        modified = path.stat().st_mtime
    except OSError as exc:  # unreadable or gone since the directory was listed: this page only
        raise PageSkipped(f"{relative}: cannot read it: {exc.strerror or exc}") from exc
    return Page(url=page_url(html, relative, base_url), html=html, origin=f"file:{relative}",
                fetched_at=datetime.fromtimestamp(modified, UTC))


class NoRecords(ValueError):
    """A file with no WARC record at all: not a WARC (warcio only warns, and yields nothing)."""


def warc_pages(stream: IO[bytes], origin: str) -> Iterator[Page | PageSkipped]:
    """Every HTML response record of a (gzipped or plain) WARC file, in file order."""
    from warcio.archiveiterator import ArchiveIterator

    records = 0
    for record in ArchiveIterator(stream):
        records += 1
        if record.rec_type != "response" or record.http_headers is None:
            continue
        url = record.rec_headers.get_header("WARC-Target-URI") or ""
        content_type = record.http_headers.get_header("Content-Type") or ""
        if "html" not in content_type.lower():
            continue
        status = int(record.http_headers.get_statuscode() or 0)
        if status != 200 or not is_web_url(url):
            yield PageSkipped(f"{url or '(no URI)'}: HTTP status {status}" if status != 200
                              else f"{url or '(no URI)'}: not an http(s) URL")
            continue
        body = record.content_stream().read()
        charset = _charset(content_type)
        yield Page(url=url, html=body.decode(charset, errors="replace"), origin=f"warc:{origin}",
                   fetched_at=_warc_date(record.rec_headers.get_header("WARC-Date")), status=status,
                   content_type=content_type)
    if not records:
        raise NoRecords(f"{origin}: no WARC records in it")


def _charset(content_type: str) -> str:
    match = re.search(r"charset=([\w-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else "utf-8"


def _warc_date(value: str | None) -> datetime:
    """The record's capture time; now when it has none, or one no ISO 8601 reader takes (a broken crawler's)."""
    try:
        return datetime.fromisoformat(value) if value else datetime.now(UTC)  # Python 3.11+ reads the trailing Z
    except ValueError:
        return datetime.now(UTC)


def to_article(page: Page, source: SourceRef) -> ArticleFetched:
    """The raw-article message the fetcher would have published for this page."""
    if len(page.html) > MAX_HTML_CHARS:
        raise PageSkipped(f"{page.url}: {len(page.html):,} characters, over the {MAX_HTML_CHARS:,} limit")
    compressed = len(page.html) > COMPRESS_ABOVE_CHARS
    return ArticleFetched(
        source=source,
        url=page.url,
        canonical_url=page.url,
        feed=FeedEntry(feed_url=page.origin),
        http=HttpMeta(status=page.status, final_url=page.url, content_type=page.content_type,
                      fetched_at=page.fetched_at),
        html="" if compressed else page.html,
        html_gzip_b64=ArticleFetched.compress_html(page.html) if compressed else None,
        content_hash=content_hash(page.html),
    )
