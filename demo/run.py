"""`python -m demo.run` (`make demo`): the whole pipeline on the bundled news site, each service its own process.

Serves the demo site on 127.0.0.1, finds or starts Redis, migrates a fresh SQLite database (or
DATABASE_URL), starts store writer, two extractors, fetcher and store API, waits until every
article the feeds announce is stored, prints the stories, then keeps everything up until Ctrl-C
(or stops at once with --exit).
"""

import argparse
import contextlib
import os
import signal
import socket
import sys
import time
import urllib.error
from collections.abc import Iterator
from pathlib import Path

from demo import catalog
from demo.api_client import StoreApi, stored_paths
from demo.errors import DemoError
from demo.redis_provider import free_port, provide_redis
from demo.report import stories_table
from demo.services import REPO_ROOT, Services, base_environment, require_installed
from demo.site_server import serve_site

EXTRACTORS = 2
POLL_S = 0.5


class Stop(Exception):
    """SIGTERM to the runner: shut down as for Ctrl-C."""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m demo.run", description=__doc__.splitlines()[0])
    parser.add_argument("--exit", action="store_true", help="stop everything once the stories are printed")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for all articles")
    parser.add_argument("--api-port", type=int, default=8000, help="store API port (0, or taken: any free one)")
    parser.add_argument("--run-dir", type=Path, default=REPO_ROOT / ".demo", help="database, logs, sources")
    parser.add_argument("--flush-redis", action="store_true",
                        help="with REDIS_URL: delete its newsflow:* keys left by an earlier run")
    return parser.parse_args(argv)


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def fresh_sqlite_url(run_dir: Path) -> str:
    database = run_dir / "newsflow.db"
    for leftover in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        leftover.unlink(missing_ok=True)
    return f"sqlite:///{database}"


def wait_until_stored(api: StoreApi, services: Services, expected: set[str], timeout_s: float) -> None:
    """Poll the API until every expected article is there; a dead service or the deadline fails loudly."""
    deadline = time.monotonic() + timeout_s
    missing, last_count = expected, -1
    while time.monotonic() < deadline:
        services.check_alive()
        if api.healthy():
            articles = _articles_or_none(api)
            if articles is None:
                time.sleep(POLL_S)  # transient API error: poll again
                continue
            paths = stored_paths(articles)
            missing = expected - paths if paths else (set() if len(articles) >= len(expected) else expected)
            if len(articles) != last_count:
                last_count = len(articles)
                print(f"  {len(expected) - len(missing)}/{len(expected)} demo articles stored", flush=True)
            if not missing:
                return
        time.sleep(POLL_S)  # poll interval, bounded by the deadline above
    raise DemoError(
        f"only {len(expected) - len(missing)} of {len(expected)} articles were stored within {timeout_s:.0f}s; "
        f"missing e.g. {sorted(missing)[:3]}. The services' logs end with:\n{services.tails()}"
    )


def _articles_or_none(api: StoreApi) -> list[dict] | None:
    try:
        return api.articles()
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            return None
        raise DemoError(f"GET {exc.url} answered {exc.code}: {exc.read()[:300]!r}") from exc
    except (urllib.error.URLError, OSError):
        return None


def start_pipeline(services: Services, sources_file: Path, api_port: int) -> None:
    services.run_to_completion("migrate", "store.migrate")
    services.start("store", "store")
    for n in range(1, EXTRACTORS + 1):
        services.start(f"extractor-{n}", "extractor")
    services.start("store-api", "store.api", {"STORE_API_HOST": "127.0.0.1", "STORE_API_PORT": str(api_port)})
    services.start("fetcher", "fetcher", {
        "FETCHER_SOURCES_FILE": str(sources_file),
        # The demo site is on loopback, which the fetcher's SSRF guard refuses unless told otherwise.
        "FETCHER_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8",
    })
    for service in services.running:
        print(f"  started {service.name:<12} pid {service.process.pid:<7} log {service.log}", flush=True)


@contextlib.contextmanager
def stopped_on_exit(services: Services) -> Iterator[Services]:
    try:
        yield services
    finally:
        if services.running:
            print("Stopping services (SIGTERM) ...", flush=True)
            services.stop_all()
            print("All services stopped.", flush=True)


def stay_up(services: Services) -> None:
    """Keep the pipeline serving until Ctrl-C / SIGTERM; a service that dies ends the demo loudly."""
    while True:
        services.check_alive()
        time.sleep(POLL_S)  # watch interval


def run(args: argparse.Namespace) -> None:
    require_installed()
    run_dir = args.run_dir.resolve()
    (run_dir / "logs").mkdir(parents=True, exist_ok=True)
    api_port = args.api_port if args.api_port and port_is_free(args.api_port) else free_port()
    if args.api_port and api_port != args.api_port:
        print(f"Port {args.api_port} is taken; the store API will listen on {api_port}.")
    with serve_site() as site, provide_redis(run_dir, flush=args.flush_redis) as redis:
        sources_file = run_dir / "sources.yaml"
        sources_file.write_text(catalog.filled_sources(site.base_url), encoding="utf-8")
        database_url = _database_url(run_dir)
        print(f"Demo site:  {site.base_url}/  ({len(catalog.feed_files())} outlets)")
        print(f"Redis:      {redis.url}  [{redis.origin}]")
        print(f"Database:   {database_url}")
        print(f"Sources:    {sources_file}")
        services = Services(base_environment(redis_url=redis.url, database_url=database_url), run_dir / "logs")
        with stopped_on_exit(services):
            start_pipeline(services, sources_file, api_port)
            api = StoreApi(f"http://127.0.0.1:{api_port}")
            expected = catalog.article_paths()
            print(f"Waiting for {len(expected)} articles to go feed -> fetcher -> extractor -> store ...")
            wait_until_stored(api, services, expected, args.timeout)
            stories = api.stories()
            print(f"\n{len(stories)} stories from {len(expected)} articles "
                  f"(the reference grouping in demo/stories.json has {len(catalog.gold_stories())}):\n")
            print(stories_table(stories))
            print(f"\nStore API:  {api.base_url}  (try {api.base_url}/stories and {api.base_url}/articles)")
            print(f"Logs:       {run_dir / 'logs'}")
            if args.exit:
                return
            print("Pipeline and API stay up; press Ctrl-C to stop.", flush=True)
            stay_up(services)


def _database_url(run_dir: Path) -> str:
    return os.environ.get("DATABASE_URL") or fresh_sqlite_url(run_dir)


def _raise_stop(signum: int, frame: object) -> None:
    raise Stop


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_stop)
    # Even when started with SIGINT ignored (a background job), Ctrl-C / kill -INT must stop the demo.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        run(args)
    except DemoError as exc:
        print(f"\nDEMO FAILED: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Stop):
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
