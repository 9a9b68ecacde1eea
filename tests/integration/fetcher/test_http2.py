"""HTTP/2 over TLS against a real local server (hypercorn, certificate from a test CA the fetcher is told to trust)."""

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trustme
from fetcher.polling import poll_once
from hypercorn.asyncio import serve
from hypercorn.config import Config

from tests.integration.fetcher.conftest import metric, page, read_published, rss, sources


@dataclass
class TlsSite:
    """An HTTPS site on 127.0.0.1 offering h2 and http/1.1 (ALPN); records (path, HTTP version) per request."""

    base_url: str
    ca_file: Path
    routes: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # path -> (content type, body)
    log: list[tuple[str, str]] = field(default_factory=list)

    async def app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        self.log.append((scope["path"], scope["http_version"]))
        content_type, body = self.routes.get(scope["path"], ("text/plain", b""))
        status = 200 if scope["path"] in self.routes else 404
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


@pytest.fixture
async def tls_site(tmp_path: Path) -> AsyncIterator[TlsSite]:
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")  # an IP SAN: the SSRF guard allows 127.0.0.0/8, not localhost's ::1
    ca_file, cert_file, key_file = tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    cert.private_key_pem.write_to_path(str(key_file))
    for blob in cert.cert_chain_pems:
        blob.write_to_path(str(cert_file), append=True)
    # Bound here on a free port and handed over by descriptor, so the port is known before the server runs.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = Config()
    config.bind = [f"fd://{listener.detach()}"]
    config.certfile, config.keyfile = str(cert_file), str(key_file)
    config.accesslog = config.errorlog = None
    site = TlsSite(f"https://127.0.0.1:{port}", ca_file)
    shutdown = asyncio.Event()
    server = asyncio.create_task(serve(site.app, config, shutdown_trigger=shutdown.wait))

    async def listening() -> bool:
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return True
        return False

    deadline = asyncio.get_running_loop().time() + 10
    while not await listening():
        assert not server.done(), server.exception()
        assert asyncio.get_running_loop().time() < deadline, "hypercorn did not start listening"
        await asyncio.sleep(0.05)  # poll interval
    try:
        yield site
    finally:
        shutdown.set()
        await asyncio.wait_for(server, 10)


async def test_https_site_offering_http2_is_fetched_over_http2_and_published(tls_site, make_deps, redis_url) -> None:
    """With the test CA trusted through FETCHER_EXTRA_CA_FILE, robots.txt, feed and page all travel over HTTP/2,
    the article is published, and the protocol is counted per kind."""
    base = tls_site.base_url
    tls_site.routes["/feed.xml"] = ("application/rss+xml", rss(("{base_url}/a.html", "Over h2"))
                                    .replace("{base_url}", base).encode())
    tls_site.routes["/a.html"] = ("text/html; charset=utf-8", page("Over h2").encode())
    before = {kind: metric("newsflow_fetcher_http_versions_total", kind=kind, version="HTTP/2")
              for kind in ("robots", "feed", "page")}
    async with make_deps(extra_ca_file=tls_site.ca_file) as deps:
        summary = await poll_once(sources(("secure", [base + "/feed.xml"])), deps)
    assert (summary.published, summary.errors) == (1, 0)
    assert tls_site.log == [("/robots.txt", "2"), ("/feed.xml", "2"), ("/a.html", "2")]
    (published,) = read_published(redis_url)
    assert published.article.canonical_url == base + "/a.html" and "Over h2" in published.article.page_html()
    for kind in ("robots", "feed", "page"):
        assert metric("newsflow_fetcher_http_versions_total", kind=kind, version="HTTP/2") == before[kind] + 1


async def test_untrusted_certificate_is_refused_and_counted(tls_site, make_deps, redis_url) -> None:
    """Without the CA setting the same site's certificate does not verify: the feed fails as `connect`, no request
    reaches the server and nothing is published."""
    tls_site.routes["/feed.xml"] = ("application/rss+xml", rss(("/a.html", "A")).encode())
    before = metric("newsflow_fetch_errors_total", source="unverified", reason="connect")
    async with make_deps(obey_robots=False) as deps:
        summary = await poll_once(sources(("unverified", [tls_site.base_url + "/feed.xml"])), deps)
    assert (summary.published, summary.errors) == (0, 1)
    assert metric("newsflow_fetch_errors_total", source="unverified", reason="connect") == before + 1
    assert tls_site.log == [] and read_published(redis_url) == []
