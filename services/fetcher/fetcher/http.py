"""Fetching one feed or page politely and defensively: bounded time, bounded size, no private addresses.

One `httpx.AsyncClient` is shared by every fetch (connection reuse); `fetch` returns the body or
raises `FetchError` with a short `reason` used as a metric label. Conditional GET and per-host
politeness (issue 3) belong here too.
"""

import asyncio
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

import httpx

from fetcher.metrics import FETCHES
from fetcher.ssrf import GuardedTransport, Network, RequestRefused

MAX_REDIRECTS = 5
SNIFF_BYTES = 1024


class Kind(StrEnum):
    """What is being fetched decides which content types are plausible."""

    FEED = "feed"
    PAGE = "page"


# Substrings of the media type; a missing Content-Type is allowed and left to sniffing and parsing.
# text/html is plausible for a feed because it is the commonest mistake: the parser names it precisely.
PLAUSIBLE_TYPES = {
    Kind.FEED: ("xml", "rss", "atom", "json", "text/"),
    Kind.PAGE: ("text/html", "application/xhtml", "text/plain"),
}

ACCEPT = {
    Kind.FEED: "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.5",
    Kind.PAGE: "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
}


class FetchError(Exception):
    """A fetch that produced nothing usable; `reason` is a short metric label."""

    def __init__(self, reason: str, detail: str, *, status: int | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.status = status


@dataclass(frozen=True)
class Fetched:
    url: str
    final_url: str
    status: int
    headers: httpx.Headers
    body: bytes
    fetched_at: datetime
    elapsed_ms: float

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    def text(self) -> str:
        return decode_html(self.body, self.content_type)


def build_client(*, user_agent: str, timeout_s: float, allowed_networks: Sequence[Network] = ()) -> httpx.AsyncClient:
    """The one client a fetcher process uses; every request and redirect hop passes the SSRF guard."""
    return httpx.AsyncClient(
        transport=GuardedTransport(httpx.AsyncHTTPTransport(retries=0), allowed_networks),
        headers={"User-Agent": user_agent},
        timeout=httpx.Timeout(timeout_s),
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        # Proxy variables would route around the guard's idea of where a request goes.
        trust_env=False,
    )


async def fetch(client: httpx.AsyncClient, url: str, *, kind: Kind, max_bytes: int, deadline_s: float) -> Fetched:
    """GET `url`, streaming the body and stopping at `max_bytes`; raise FetchError for anything unusable."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(deadline_s):
            fetched = await _get(client, url, kind=kind, max_bytes=max_bytes, started=started)
    except FetchError as exc:
        FETCHES.labels(kind=kind, status=str(exc.status) if exc.status else "error").inc()
        raise
    except TimeoutError as exc:
        FETCHES.labels(kind=kind, status="error").inc()
        raise FetchError("timeout", f"no complete response within {deadline_s}s: {url}") from exc
    FETCHES.labels(kind=kind, status=str(fetched.status)).inc()
    return fetched


async def _get(client: httpx.AsyncClient, url: str, *, kind: Kind, max_bytes: int, started: float) -> Fetched:
    try:
        async with client.stream("GET", url, headers={"Accept": ACCEPT[kind]}) as response:
            _check_response(response, kind=kind, max_bytes=max_bytes)
            body = await _read_capped(response, max_bytes)
    except RequestRefused as exc:
        raise FetchError(exc.reason, exc.detail) from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError("too_many_redirects", f"more than {MAX_REDIRECTS} redirects: {url}") from exc
    except httpx.TimeoutException as exc:
        raise FetchError("timeout", f"{type(exc).__name__}: {url}") from exc
    except httpx.ConnectError as exc:
        raise FetchError("connect", f"cannot connect: {exc}: {url}") from exc
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        raise FetchError("bad_url", f"{exc}: {url}") from exc
    except httpx.HTTPError as exc:
        raise FetchError("http_error", f"{type(exc).__name__}: {exc}: {url}") from exc
    if b"\x00" in body[:SNIFF_BYTES]:
        raise FetchError("binary_body", f"body looks binary ({response.headers.get('content-type')}): {url}",
                         status=response.status_code)
    return Fetched(
        url=url,
        final_url=str(response.url),
        status=response.status_code,
        headers=response.headers,
        body=body,
        fetched_at=datetime.now(UTC),
        elapsed_ms=round((time.monotonic() - started) * 1000, 1),
    )


def _check_response(response: httpx.Response, *, kind: Kind, max_bytes: int) -> None:
    """Refuse on status and headers alone, before any of the body is read."""
    status, url = response.status_code, response.url
    if status >= 400:
        raise FetchError("http_status", f"HTTP {status}: {url}", status=status)
    if status != 200:
        raise FetchError("unexpected_status", f"HTTP {status} (expected 200): {url}", status=status)
    media_type = (response.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    if media_type and not any(part in media_type for part in PLAUSIBLE_TYPES[kind]):
        raise FetchError("content_type", f"content type {media_type!r} is not a {kind}: {url}", status=status)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError("too_large", f"declared {declared} bytes > {max_bytes}: {url}", status=status)


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    """Read at most `max_bytes`; a server may omit or understate Content-Length, so count what arrives."""
    chunks: list[bytes] = []
    total = 0
    async for chunk in response.aiter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise FetchError("too_large", f"body exceeds {max_bytes} bytes: {response.url}",
                             status=response.status_code)
        chunks.append(chunk)
    return b"".join(chunks)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)


def decode_html(body: bytes, content_type: str | None) -> str:
    """Text of an HTML page: the header's charset, else a <meta> charset, else UTF-8; never raises."""
    candidates = [_header_charset(content_type)]
    if body.startswith(b"\xef\xbb\xbf"):
        candidates.insert(0, "utf-8-sig")
    match = _META_CHARSET.search(body[:4096])
    if match:
        candidates.append(match.group(1).decode("ascii"))
    for charset in filter(None, candidates):
        try:
            return body.decode(charset, errors="replace")
        except LookupError:  # an unknown or non-text codec name: try the next candidate
            continue
    return body.decode("utf-8", errors="replace")


def _header_charset(content_type: str | None) -> str | None:
    for param in (content_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None
