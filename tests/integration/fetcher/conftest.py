"""A real local news site on 127.0.0.1, a fetcher wired to real Redis, and ways to read what it published."""

import asyncio
import contextlib
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import redis
from faststream.redis.parser.binary import BinaryMessageFormatV1
from fetcher.app import article_publisher, build_poll_deps, raw_articles_publisher
from fetcher.polling import PollDeps
from fetcher.settings import FetcherSettings
from fetcher.sources import Source, parse_sources
from newsflow_shared.contracts import raw_articles
from newsflow_shared.contracts.raw_articles import ArticleFetched
from newsflow_shared.runtime import build_broker
from prometheus_client import REGISTRY


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    send_length: bool = True
    stall: bool = False
    etag: str | None = None  # answer 304 to a matching If-None-Match
    trickle_s: float = 0.0  # pause between single bytes: a server that trickles its body
    delay_s: float = 0.0  # pause before answering (the behaviour under test, not synchronisation)
    gate: threading.Event | None = None  # answer only once the test sets it (it acts while the request is open)


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    at: float  # time.monotonic() when the request arrived
    client_port: int


class Site:
    """Serves what a test puts on it and records every request (path, headers, time); `{base_url}` is filled in."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[Request] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.released = threading.Event()  # lets stalled handlers finish when the test ends
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def requests(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.log]

    @property
    def user_agents(self) -> list[str]:
        with self._lock:
            return [r.headers.get("user-agent", "") for r in self.log]

    def requests_for(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.log if r.path == path]

    def serve(self, path: str, body: str | bytes, *, content_type: str | None = "text/html; charset=utf-8",
              status: int = 200, send_length: bool = True, headers: dict[str, str] | None = None,
              etag: str | None = None, trickle_s: float = 0.0, delay_s: float = 0.0,
              gate: threading.Event | None = None) -> str:
        data = body.replace("{base_url}", self.base_url).encode() if isinstance(body, str) else body
        self.routes[path] = Route(status, data, content_type, dict(headers or {}), send_length=send_length,
                                  etag=etag, trickle_s=trickle_s, delay_s=delay_s, gate=gate)
        return self.base_url + path

    def redirect(self, path: str, location: str, status: int = 301) -> str:
        self.routes[path] = Route(status, b"", None, {"Location": location})
        return self.base_url + path

    def stall(self, path: str) -> str:
        self.routes[path] = Route(stall=True)
        return self.base_url + path

    def count(self, path: str) -> int:
        return len(self.requests_for(path))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse can be observed

            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                with site._lock:
                    site.log.append(Request(self.path, headers, time.monotonic(), self.client_address[1]))
                    site.in_flight += 1
                    site.max_in_flight = max(site.max_in_flight, site.in_flight)
                try:
                    self._answer(site.routes.get(self.path, Route(404, b"not found", "text/plain")), headers)
                finally:
                    with site._lock:
                        site.in_flight -= 1

            def _answer(self, route: Route, headers: dict[str, str]) -> None:
                if route.stall:
                    site.released.wait(30)  # a server that never answers in time
                    self.close_connection = True
                    return
                if route.delay_s:
                    site.released.wait(route.delay_s)
                if route.gate is not None:
                    route.gate.wait(30)
                if route.etag and headers.get("if-none-match") == route.etag:
                    self.send_response(304)
                    self.send_header("ETag", route.etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(route.status)
                if route.content_type:
                    self.send_header("Content-Type", route.content_type)
                if route.etag:
                    self.send_header("ETag", route.etag)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.send_length:
                    self.send_header("Content-Length", str(len(route.body)))
                else:
                    self.close_connection = True  # the body ends when the connection does
                self.end_headers()
                with contextlib.suppress(OSError):  # the client may hang up on an oversized body
                    if route.trickle_s:
                        for index in range(len(route.body)):
                            self.wfile.write(route.body[index:index + 1])
                            self.wfile.flush()
                            if site.released.wait(route.trickle_s):
                                return
                    else:
                        self.wfile.write(route.body)

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

        return Handler

    def start(self) -> None:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site()
    server.start()
    yield server
    server.stop()


def rss(*items: tuple[str | None, str]) -> str:
    """An RSS 2.0 document with (link, title) items; a None link leaves the <link> out."""
    body = "".join(
        f"<item><title>{title}</title>{f'<link>{link}</link>' if link else ''}"
        f"<pubDate>Tue, 17 Jun 2025 09:30:00 GMT</pubDate></item>"
        for link, title in items
    )
    return f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>{body}</channel></rss>'


def page(title: str) -> str:
    return f"<!DOCTYPE html><html><head><title>{title}</title></head><body><p>{title}.</p></body></html>"


def sources(*entries: tuple[str, list[str]], bias: str = "center") -> list[Source]:
    """Sources from (id, feed URLs) pairs, through the same parser the sources file uses."""
    lines = ["sources:"]
    for source_id, feeds in entries:
        lines += [f"  - id: {source_id}", f"    name: {source_id.title()}", f"    bias: {bias}",
                  "    factuality: high", "    feeds:"]
        lines += [f"      - url: {url}" for url in feeds]
    return parse_sources("\n".join(lines) + "\n")


def write_sources(path: Path, *entries: tuple[str, list[str]]) -> Path:
    lines = ["sources:"]
    for source_id, feeds in entries:
        lines += [f"  - id: {source_id}", f"    name: {source_id.title()}", "    feeds:"]
        lines += [f"      - url: {url}" for url in feeds]
    path.write_text("\n".join(lines) + "\n")
    return path


def settings_for(redis_url: str, tmp_path: Path, **overrides: Any) -> FetcherSettings:
    values: dict[str, Any] = {
        "REDIS_URL": redis_url,
        "sources_file": tmp_path / "sources.yaml",
        "allowed_private_networks": "127.0.0.0/8",
        "request_timeout_s": 5.0,
        "consumer_name": "fetcher-test",
        "host_min_delay_s": 0.0,  # tests that check the delay set it; the others need no pause between requests
        "backoff_base_s": 0.05,
    }
    values.update(overrides)
    return FetcherSettings(**values)


@pytest.fixture
def make_deps(redis_url: str, tmp_path: Path) -> Callable[..., contextlib.AbstractAsyncContextManager[PollDeps]]:
    """Build PollDeps exactly as the app does (build_poll_deps): real broker and publisher, real Redis, guarded client."""

    @contextlib.asynccontextmanager
    async def make(**overrides: Any) -> AsyncIterator[PollDeps]:
        publish_hook = overrides.pop("after_publish", None)
        settings = settings_for(redis_url, tmp_path, **overrides)
        broker = build_broker(settings)
        publisher = raw_articles_publisher(broker)
        await broker.connect()

        into_pipeline = article_publisher(publisher)

        async def publish_article(article: ArticleFetched, correlation_id: str, pipeline: Any) -> None:
            await into_pipeline(article, correlation_id, pipeline)
            if publish_hook:
                publish_hook(article)

        wired = build_poll_deps(settings, publish_article)
        try:
            yield wired.deps
        finally:
            await wired.close()
            await broker.stop()

    return make


@dataclass(frozen=True)
class Published:
    entry_id: str
    headers: dict[str, Any]
    article: ArticleFetched


def read_published(redis_url: str) -> list[Published]:
    """Every raw-article message on the real stream, decoded from FastStream's wire format."""
    client = redis.Redis.from_url(redis_url)
    try:
        entries = client.xrange(raw_articles.STREAM)
    finally:
        client.close()
    published = []
    for entry_id, fields in entries:
        body, headers = BinaryMessageFormatV1.parse(fields[b"__data__"])
        published.append(Published(entry_id.decode(), headers, ArticleFetched.model_validate_json(body)))
    return published


def wait_until(check: Callable[[], Any], what: str, timeout: float = 15.0) -> Any:
    """The blocking twin of `eventually`, for tests that drive other processes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)  # poll interval, not synchronisation
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


async def eventually(check: Callable[[], Any], what: str, timeout: float = 15.0) -> Any:
    """Poll `check` until it returns something truthy, failing after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        await asyncio.sleep(0.05)  # poll interval, not synchronisation
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0
