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
from fetcher.app import raw_articles_publisher
from fetcher.http import build_client
from fetcher.polling import PollDeps
from fetcher.seen import SeenSet
from fetcher.settings import FetcherSettings
from fetcher.sources import Source, parse_sources
from newsflow_shared.contracts import raw_articles
from newsflow_shared.contracts.raw_articles import ArticleFetched
from newsflow_shared.delivery import publish
from newsflow_shared.runtime import build_broker
from prometheus_client import REGISTRY
from redis.asyncio import Redis


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    send_length: bool = True
    stall: bool = False


class Site:
    """Serves what a test puts on it and records every request path; `{base_url}` in bodies is filled in."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        self.user_agents: list[str] = []
        self.released = threading.Event()  # lets stalled handlers finish when the test ends
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def serve(self, path: str, body: str | bytes, *, content_type: str | None = "text/html; charset=utf-8",
              status: int = 200, send_length: bool = True) -> str:
        data = body.replace("{base_url}", self.base_url).encode() if isinstance(body, str) else body
        self.routes[path] = Route(status, data, content_type, send_length=send_length)
        return self.base_url + path

    def redirect(self, path: str, location: str, status: int = 301) -> str:
        self.routes[path] = Route(status, b"", None, {"Location": location})
        return self.base_url + path

    def stall(self, path: str) -> str:
        self.routes[path] = Route(stall=True)
        return self.base_url + path

    def count(self, path: str) -> int:
        with self._lock:
            return self.requests.count(path)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with site._lock:
                    site.requests.append(self.path)
                    site.user_agents.append(self.headers.get("User-Agent", ""))
                route = site.routes.get(self.path, Route(404, b"not found", "text/plain"))
                if route.stall:
                    site.released.wait(30)  # a server that never answers in time
                    return
                self.send_response(route.status)
                if route.content_type:
                    self.send_header("Content-Type", route.content_type)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.send_length:
                    self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the client may hang up on an oversized body
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
    }
    values.update(overrides)
    return FetcherSettings(**values)


@pytest.fixture
def make_deps(redis_url: str, tmp_path: Path) -> Callable[..., contextlib.AbstractAsyncContextManager[PollDeps]]:
    """Build PollDeps exactly as the app does: real broker and publisher, real Redis, the guarded client."""

    @contextlib.asynccontextmanager
    async def make(**overrides: Any) -> AsyncIterator[PollDeps]:
        publish_hook = overrides.pop("after_publish", None)
        settings = settings_for(redis_url, tmp_path, **overrides)
        broker = build_broker(settings)
        publisher = raw_articles_publisher(broker)
        await broker.connect()
        client = build_client(user_agent=settings.user_agent, timeout_s=settings.request_timeout_s,
                              allowed_networks=settings.allowed_private_networks)
        redis_client = Redis.from_url(redis_url)

        async def publish_article(article: ArticleFetched, correlation_id: str) -> None:
            await publish(publisher, article, correlation_id=correlation_id)
            if publish_hook:
                publish_hook(article)

        try:
            yield PollDeps(
                client=client,
                seen=SeenSet(redis_client, owner=settings.consumer_name, ttl_s=settings.seen_ttl_days * 86_400,
                             claim_ttl_s=settings.claim_ttl_s),
                publish=publish_article,
                max_body_bytes=settings.max_body_bytes,
                request_timeout_s=settings.request_timeout_s,
                max_concurrent_feeds=settings.max_concurrent_feeds,
            )
        finally:
            await client.aclose()
            await redis_client.aclose()
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
