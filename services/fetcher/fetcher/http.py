"""Every request the fetcher sends goes through `Fetcher.get`: robots.txt, host politeness, SSRF, caps.

Redirects are followed here, hop by hop, so each hop is checked against robots.txt and its host's
pace and backoff (the SSRF guard checks each hop's address when it connects). `get` returns the
body or raises `FetchError` with a short `reason` used as a metric label.
"""

import asyncio
import re
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from fetcher.bodies import BodyTooLarge, UndecodableBody, read_capped
from fetcher.metrics import FETCHES, HTTP_VERSIONS, counter
from fetcher.politeness import HostBackedOff, HostGates, retry_after_seconds
from fetcher.robots import RobotsCache
from fetcher.ssrf import Network, RequestRefused, pinned_transport

SNIFF_BYTES = 1024
REDIRECTS = (301, 302, 303, 307, 308)
# Statuses that say "this host is in trouble or wants us gone", as opposed to "this page is missing".
HOST_FAILURES = (403, 429, 500, 502, 503, 504)


class Kind(StrEnum):
    """What is being fetched decides which content types are plausible."""

    FEED = "feed"
    PAGE = "page"
    ROBOTS = "robots"


# Substrings of the media type; a missing Content-Type is allowed and left to sniffing and parsing.
# text/html is plausible for a feed because it is the commonest mistake: the parser names it precisely.
# Gzip and octet-stream are how `.xml.gz` sitemaps are usually served.
PLAUSIBLE_TYPES = {
    Kind.FEED: ("xml", "rss", "atom", "json", "text/", "gzip", "octet-stream"),
    Kind.PAGE: ("text/html", "application/xhtml", "text/plain"),
    Kind.ROBOTS: ("",),
}

ACCEPT = {
    Kind.FEED: "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.5",
    Kind.PAGE: "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
    Kind.ROBOTS: "text/plain, */*;q=0.5",
}
ACCEPT_ENCODING = "gzip, deflate, br"


class FetchError(Exception):
    """A fetch that produced nothing usable; `reason` is a short metric label."""

    def __init__(self, reason: str, detail: str, *, status: int | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.status = status


@dataclass(frozen=True)
class Validators:
    """What a previous 200 said about the document, sent back so an unchanged one costs a 304."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        found = {"If-None-Match": self.etag, "If-Modified-Since": self.last_modified}
        return {name: value for name, value in found.items() if value}


@dataclass(frozen=True)
class Fetched:
    url: str
    final_url: str
    status: int
    headers: httpx.Headers
    body: bytes
    fetched_at: datetime
    elapsed_ms: float
    http_version: str = "HTTP/1.1"  # as negotiated: "HTTP/2" where the server agreed (ALPN)

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def validators(self) -> Validators:
        return Validators(self.headers.get("etag"), self.headers.get("last-modified"))

    def text(self) -> str:
        return decode_html(self.body, self.content_type)


def build_client(*, user_agent: str, timeout_s: float, allowed_networks: Sequence[Network] = (),
                 connect_timeout_s: float | None = None, read_timeout_s: float | None = None,
                 http2: bool = True, max_connections: int = 100, extra_ca_file: Path | None = None
                 ) -> httpx.AsyncClient:
    """The one client a fetcher process uses: pooled connections (reuse, HTTP/2 over TLS), pinned-address SSRF guard."""
    return httpx.AsyncClient(
        transport=pinned_transport(allowed_networks, http2=http2, ssl_context=tls_context(extra_ca_file),
                                   limits=httpx.Limits(max_connections=max_connections,
                                                       max_keepalive_connections=max_connections)),
        headers={"User-Agent": user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s or timeout_s, read=read_timeout_s or timeout_s),
        follow_redirects=False,  # Fetcher.get follows them, checking robots and politeness at each hop
        # Proxy variables would route around the guard's idea of where a request goes.
        trust_env=False,
    )


def tls_context(extra_ca_file: Path | None) -> ssl.SSLContext | None:
    """httpx's default verification (certifi), also trusting the CAs in `extra_ca_file`; None: httpx's own default."""
    if extra_ca_file is None:
        return None
    context = httpx.create_ssl_context()
    context.load_verify_locations(cafile=extra_ca_file)
    return context


class Fetcher:
    """A client with manners: robots.txt, per-host pace and backoff, redirect and size caps, a deadline."""

    def __init__(self, client: httpx.AsyncClient, *, gates: HostGates, robots: RobotsCache | None,
                 max_bytes: int, deadline_s: float, max_redirects: int = 5, max_crawl_delay_s: float = 30.0) -> None:
        self.client = client
        self.gates = gates
        self.robots = robots
        self.max_bytes = max_bytes
        self.deadline_s = deadline_s
        self.max_redirects = max_redirects
        self.max_crawl_delay_s = max_crawl_delay_s

    async def get(self, url: str, *, kind: Kind, validators: Validators | None = None) -> Fetched:
        """GET `url` following redirects; FetchError for anything unusable (a 304 is returned, not raised)."""
        host = urlsplit(url).hostname or ""
        try:
            fetched = await self._follow(url, kind=kind, validators=validators)
        except FetchError as exc:
            counter(FETCHES, kind, str(exc.status) if exc.status else "error", host).inc()
            raise
        counter(FETCHES, kind, str(fetched.status), host).inc()
        return fetched

    async def robots_txt(self, url: str) -> tuple[int, bytes]:
        """For RobotsCache: the status and body of a robots.txt (4xx/5xx are answers, not errors)."""
        try:
            fetched = await self.get(url, kind=Kind.ROBOTS)
        except FetchError as exc:
            if exc.status is not None and exc.reason == "http_status":
                return exc.status, b""
            raise
        return fetched.status, fetched.body

    async def _follow(self, url: str, *, kind: Kind, validators: Validators | None) -> Fetched:
        current = httpx.URL(url)
        visited = {str(current)}
        for hop in range(self.max_redirects + 1):
            response = await self._hop(current, url, kind=kind, validators=validators)
            if response.status not in REDIRECTS:
                # Not redirected: report the URL as asked for, so callers can tell at a glance (no re-parsing).
                return replace(response, final_url=url) if hop == 0 else response
            location = response.headers.get("location")
            if not location:
                raise FetchError("unexpected_status", f"HTTP {response.status} without Location: {current}",
                                 status=response.status)
            try:
                current = current.join(location.strip())
            except httpx.InvalidURL as exc:
                raise FetchError("bad_url", f"unusable redirect {location!r}: {current}") from exc
            if str(current) in visited:
                raise FetchError("redirect_loop", f"redirect loop back to {current}: {url}", status=response.status)
            visited.add(str(current))
        raise FetchError("too_many_redirects", f"more than {self.max_redirects} redirects: {url}")

    async def _hop(self, current: httpx.URL, original: str, *, kind: Kind, validators: Validators | None) -> Fetched:
        delay = 0.0
        if self.robots is not None and kind != Kind.ROBOTS:
            rules = await self.robots.rules(str(current))
            if not rules.allows(str(current), self.robots.user_agent):
                raise FetchError("robots_disallowed", f"robots.txt disallows {current}")
            delay = min(rules.crawl_delay(self.robots.user_agent) or 0.0, self.max_crawl_delay_s)
        host = current.netloc.decode("ascii", "replace").lower()
        try:
            async with self.gates.slot(host, delay_s=delay, max_wait_s=self.deadline_s):
                return await self._exchange(current, original, host, kind=kind, validators=validators)
        except HostBackedOff as exc:
            raise FetchError("host_backed_off", f"{exc}; not requested: {current}") from exc

    async def _exchange(self, url: httpx.URL, original: str, host: str, *, kind: Kind,
                        validators: Validators | None) -> Fetched:
        started = time.monotonic()
        headers = {"Accept": ACCEPT[kind], **(validators.headers() if validators else {})}
        try:
            async with asyncio.timeout(self.deadline_s):
                async with self.client.stream("GET", url, headers=headers) as response:
                    counter(HTTP_VERSIONS, kind, response.http_version).inc()
                    self._judge_status(response, host, kind=kind, conditional=validators is not None)
                    body = b""
                    if response.status_code == 200:
                        body = await read_capped(response.aiter_raw(), max_bytes=self.max_bytes, url=str(url),
                                                 content_encoding=response.headers.get("content-encoding"))
        except FetchError:
            raise
        except TimeoutError as exc:
            self.gates.failed(host, reason="failure")
            raise FetchError("timeout", f"no complete response within {self.deadline_s}s: {url}") from exc
        except BodyTooLarge as exc:
            raise FetchError("too_large", exc.detail, status=200) from exc
        except UndecodableBody as exc:
            raise FetchError("bad_encoding", exc.detail, status=200) from exc
        except RequestRefused as exc:
            raise FetchError(exc.reason, f"{exc.detail}: {url}") from exc
        except httpx.TimeoutException as exc:
            self.gates.failed(host, reason="failure")
            raise FetchError("timeout", f"{type(exc).__name__}: {url}") from exc
        except httpx.ConnectError as exc:
            self.gates.failed(host, reason="failure")
            raise FetchError("connect", f"cannot connect: {exc}: {url}") from exc
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise FetchError("bad_url", f"{exc}: {url}") from exc
        except httpx.HTTPError as exc:
            self.gates.failed(host, reason="failure")
            raise FetchError("http_error", f"{type(exc).__name__}: {exc}: {url}") from exc
        self.gates.succeeded(host)
        if b"\x00" in body[:SNIFF_BYTES] and kind != Kind.ROBOTS:
            raise FetchError("binary_body", f"body looks binary ({response.headers.get('content-type')}): {url}",
                             status=response.status_code)
        return Fetched(url=original, final_url=str(url), status=response.status_code, headers=response.headers,
                       body=body, fetched_at=datetime.now(UTC),
                       elapsed_ms=round((time.monotonic() - started) * 1000, 1), http_version=response.http_version)

    def _judge_status(self, response: httpx.Response, host: str, *, kind: Kind, conditional: bool) -> None:
        """Refuse on status and headers alone, before any of the body is read."""
        status, url = response.status_code, response.url
        if status in HOST_FAILURES:
            retry_after = retry_after_seconds(response.headers.get("retry-after")) if status in (429, 503) else None
            pause = self.gates.failed(host, retry_after_s=retry_after,
                                      reason="retry_after" if retry_after is not None else "failure")
            raise FetchError("http_status", f"HTTP {status}: {url} (host paused {pause:.1f}s)", status=status)
        if status >= 400:
            raise FetchError("http_status", f"HTTP {status}: {url}", status=status)
        if status in REDIRECTS or (status == 304 and conditional):
            return
        if status != 200:
            raise FetchError("unexpected_status", f"HTTP {status} (expected 200): {url}", status=status)
        media_type = (response.headers.get("content-type") or "").split(";", 1)[0].strip().lower()
        if media_type and not any(part in media_type for part in PLAUSIBLE_TYPES[kind]):
            raise FetchError("content_type", f"content type {media_type!r} is not a {kind}: {url}", status=status)
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError("too_large", f"declared {declared} bytes > {self.max_bytes}: {url}", status=status)


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
