"""Reading a feed document into items: RSS and Atom through feedparser, JSON Feed directly.

feedparser 6.0 does not read JSON Feed, and its lenient parser turns almost anything into "a feed
with no entries", so this module decides what counts as malformed or not a feed at all.
"""

import hashlib
import json
import xml.sax
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

MAX_SUMMARY_CHARS = 4000  # the summary is a fallback for the extractor; whole articles belong in the page


class FeedProblem(Exception):
    """A document that yields no items; `reason` is malformed_feed or not_a_feed."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class FeedItem:
    link: str | None
    guid: str | None = None
    title: str | None = None
    summary: str | None = None
    authors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    updated_at: datetime | None = None  # the entry's own "last changed" (Atom updated, sitemap lastmod)

    @property
    def fingerprint(self) -> str:
        """Changes when the feed says the item changed; a changed fingerprint makes a published page worth re-fetching."""
        parts = (self.title, self.summary, self.published_at, self.updated_at)
        return hashlib.sha256(repr(parts).encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True)
class ParsedFeed:
    items: list[FeedItem]
    warning: str | None = None  # set when the document was broken but items could still be recovered


def parse_feed(body: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Items of the feed at `url` (relative links resolved against it); FeedProblem if there are none to be had."""
    if _looks_like_json(body):
        return ParsedFeed(_json_feed_items(body, url))
    parsed = feedparser.parse(
        body, response_headers={"content-location": url, "content-type": content_type or "application/xml"}
    )
    broken = parsed.get("bozo") and isinstance(parsed.get("bozo_exception"), xml.sax.SAXException)
    if not parsed.entries:
        if not parsed.get("version"):
            if _looks_like_html(body):
                raise FeedProblem("not_a_feed", f"an HTML page, not a feed: {url}")
            raise FeedProblem("malformed_feed", f"not RSS, Atom or JSON Feed ({parsed.get('bozo_exception')}): {url}")
        if broken:
            raise FeedProblem("malformed_feed", f"{parsed.get('version')} feed is not well-formed "
                                                f"({parsed.get('bozo_exception')}): {url}")
        return ParsedFeed([])
    warning = f"not well-formed ({parsed.get('bozo_exception')}); items recovered leniently" if broken else None
    return ParsedFeed([_entry_item(entry, url) for entry in parsed.entries], warning)


def _entry_item(entry: Any, url: str) -> FeedItem:
    link = entry.get("link") or _first_alternate(entry)
    return FeedItem(
        link=urljoin(url, link.strip()) if link and link.strip() else None,
        guid=entry.get("id") or None,
        title=_clean(entry.get("title")),
        summary=_clean(entry.get("summary"), MAX_SUMMARY_CHARS),
        authors=_authors(entry),
        published_at=_struct_time(entry.get("published_parsed") or entry.get("updated_parsed")),
        updated_at=_struct_time(dict.get(entry, "updated_parsed")),  # dict.get: no fallback to published
    )


def _first_alternate(entry: Any) -> str | None:
    for link in entry.get("links") or []:
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link["href"]
    return None


def _authors(entry: Any) -> list[str]:
    names = [a.get("name") for a in entry.get("authors") or [] if isinstance(a, dict)]
    names = [n.strip() for n in names if n and n.strip()]
    if not names and entry.get("author"):
        names = [entry["author"].strip()]
    return list(dict.fromkeys(names))


def _struct_time(value: Any) -> datetime | None:
    # feedparser normalises every date it understands to a UTC struct_time.
    if not value:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _clean(text: Any, limit: int | None = None) -> str | None:
    if not isinstance(text, str) or not text.strip():
        return None
    return text.strip()[:limit] if limit else text.strip()


def _looks_like_json(body: bytes) -> bool:
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _looks_like_html(body: bytes) -> bool:
    head = body[:2048].lower()
    return b"<html" in head or b"<!doctype html" in head


def _json_feed_items(body: bytes, url: str) -> list[FeedItem]:
    """JSON Feed 1.0/1.1 (jsonfeed.org): `items` with url, id, title, summary, authors, date_published."""
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedProblem("malformed_feed", f"invalid JSON ({exc}): {url}") from exc
    if not isinstance(document, dict) or not str(document.get("version", "")).startswith("https://jsonfeed.org/"):
        raise FeedProblem("not_a_feed", f"JSON but not a JSON Feed: {url}")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedProblem("malformed_feed", f"JSON Feed without an items list: {url}")
    return [_json_item(item, url) for item in items if isinstance(item, dict)]


def _json_item(item: dict[str, Any], url: str) -> FeedItem:
    link = item.get("url") or item.get("external_url")
    authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
    return FeedItem(
        link=urljoin(url, link.strip()) if isinstance(link, str) and link.strip() else None,
        guid=str(item["id"]) if item.get("id") is not None else None,
        title=_clean(item.get("title")),
        summary=_clean(item.get("summary") or item.get("content_text"), MAX_SUMMARY_CHARS),
        authors=[a["name"].strip() for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str)],
        published_at=_iso_date(item.get("date_published") or item.get("date_modified")),
        updated_at=_iso_date(item.get("date_modified")),
    )


def _iso_date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
