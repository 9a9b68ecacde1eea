"""Serves the bundled demo news site over real HTTP, so the pipeline and the tests fetch what a crawler would.

Standard library only: it also runs as the `demo-site` container of docker-compose.yml from a bare
Python image. Every text file may contain `{base_url}`, replaced by the address the site is served at.
Each request is recorded (method, path, headers) so tests can assert what the fetcher sent.
"""

import argparse
import contextlib
import hashlib
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

SITE_ROOT = Path(__file__).resolve().parent / "site"
PLACEHOLDER = "{base_url}"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".json": "application/json",
    ".css": "text/css; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # as requested, query string included
    headers: dict[str, str]


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str


@dataclass
class DemoSite:
    """What is served and what was asked for; shared by the handler threads, hence the lock."""

    root: Path
    base_url: str = ""
    _requests: list[RecordedRequest] = field(default_factory=list)
    _overrides: dict[str, Response] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def requests_for(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if urlsplit(r.path).path == path]

    def put(self, path: str, body: str | bytes, *, content_type: str | None = None, status: int = 200) -> None:
        """Serve `body` at `path` from now on (tests: a new feed item, a changed page, a failing URL)."""
        data = body.encode() if isinstance(body, str) else body
        data = data.replace(PLACEHOLDER.encode(), self.base_url.encode())
        kind = content_type or CONTENT_TYPES.get(Path(path).suffix, "application/octet-stream")
        with self._lock:
            self._overrides[path] = Response(status, data, kind)

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def respond(self, path: str) -> Response:
        with self._lock:
            override = self._overrides.get(path)
        if override is not None:
            return override
        file = self._file_for(path)
        if file is None:
            return Response(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")
        kind = CONTENT_TYPES.get(file.suffix, "application/octet-stream")
        body = file.read_bytes()
        if kind.endswith("charset=utf-8"):
            body = body.replace(PLACEHOLDER.encode(), self.base_url.encode())
        return Response(HTTPStatus.OK, body, kind)

    def _file_for(self, path: str) -> Path | None:
        relative = unquote(path).lstrip("/")
        candidate = (self.root / relative).resolve()
        if candidate.is_dir():
            candidate = candidate / "index.html"
        # Refuse anything that escapes the site folder (../ in the path).
        if not candidate.is_file() or not candidate.is_relative_to(self.root.resolve()):
            return None
        return candidate


def _handler_for(site: DemoSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "NewsflowDemoSite/1.0"

        def do_GET(self) -> None:
            self._serve(with_body=True)

        def do_HEAD(self) -> None:
            self._serve(with_body=False)

        def _serve(self, *, with_body: bool) -> None:
            site.record(RecordedRequest(self.command, self.path, dict(self.headers.items())))
            response = site.respond(urlsplit(self.path).path)
            etag = '"' + hashlib.sha256(response.body).hexdigest()[:16] + '"'
            if response.status == HTTPStatus.OK and self.headers.get("If-None-Match") == etag:
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            if response.status == HTTPStatus.OK:
                self.send_header("ETag", etag)
            self.end_headers()
            if with_body:
                self.wfile.write(response.body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # requests are recorded on the site; the console stays quiet

    return Handler


@dataclass(frozen=True)
class RunningSite:
    """A served site: its address, what it was asked, and a way to change a page while it runs."""

    site: DemoSite
    host: str
    port: int

    @property
    def base_url(self) -> str:
        return self.site.base_url

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.site.requests

    def requests_for(self, path: str) -> list[RecordedRequest]:
        return self.site.requests_for(path)

    def put(self, path: str, body: str | bytes, *, content_type: str | None = None, status: int = 200) -> None:
        self.site.put(path, body, content_type=content_type, status=status)

    def url(self, path: str) -> str:
        return self.base_url + "/" + path.lstrip("/")


@contextlib.contextmanager
def serve_site(
    root: Path = SITE_ROOT, host: str = "127.0.0.1", port: int = 0, base_url: str | None = None
) -> Iterator[RunningSite]:
    """Serve `root` on host:port (0: a free port) in a background thread until the block exits.

    `base_url` defaults to http://host:port; give it when clients reach the site by another name
    (the compose service `demo-site`).
    """
    site = DemoSite(root=Path(root))
    server = ThreadingHTTPServer((host, port), _handler_for(site))
    server.daemon_threads = True
    bound_host, bound_port = server.server_address[:2]
    site.base_url = (base_url or f"http://{bound_host}:{bound_port}").rstrip("/")
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="demo-site", daemon=True)
    thread.start()
    try:
        yield RunningSite(site, str(bound_host), int(bound_port))
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the Newsflow demo news site.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--base-url", default=None, help="address clients use (default http://HOST:PORT)")
    parser.add_argument("--root", type=Path, default=SITE_ROOT)
    args = parser.parse_args()
    # As a container's PID 1 the process gets no default SIGTERM action; make `docker stop` prompt.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with serve_site(args.root, args.host, args.port, args.base_url) as running:
        print(f"demo site at {running.base_url}/ (Ctrl-C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
