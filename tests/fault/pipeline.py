"""The whole pipeline as OS processes over a synthetic site, with the counts a fault test reports.

sent = articles the site's feeds offer; stored = of those, rows in PostgreSQL; duplicated = rows beyond
one per article; lost = sent - stored once the run settles. Every service gets short claim and poll
intervals so a test sees reclaims and retries within seconds. Each stage's progress (messages it put
on its stream, rows stored) is sampled while a test waits, so a slow run says which stage held it up.
"""

import contextlib
import os
import signal
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis
from newsflow_shared import streams

from demo.services import Service, Services
from demo.site_server import serve_site
from tests.fault.synthetic_site import SyntheticSite, generate
from tests.support.polling import eventually_sync

FAST_ENV = {
    "PYTHONUNBUFFERED": "1",
    "FETCHER_ALLOWED_PRIVATE_NETWORKS": "127.0.0.0/8",
    "FETCHER_POLL_INTERVAL_S": "2", "FETCHER_MIN_POLL_INTERVAL_S": "1", "FETCHER_POLL_JITTER": "0",
    "FETCHER_HOST_MIN_DELAY_S": "0", "FETCHER_HOST_CONCURRENCY": "16", "FETCHER_OBEY_ROBOTS": "false",
    "FETCHER_MAX_CONCURRENT_FEEDS": "16",
    "EXTRACTOR_CLAIM_IDLE_MS": "3000", "STORE_CLAIM_IDLE_MS": "3000",
    "EXTRACTOR_READ_BATCH": "5", "STORE_READ_BATCH": "5",
    **{f"{p}_LOG_FORMAT": "json" for p in ("FETCHER", "EXTRACTOR", "STORE")},
    **{f"{p}_LOG_LEVEL": "WARNING" for p in ("FETCHER", "EXTRACTOR", "STORE")},
}
STAGES = (streams.EXTRACTOR_GROUP, streams.STORE_GROUP)
OUTPUTS = {"fetcher": streams.RAW_ARTICLES, "extractors": streams.EXTRACTED_ARTICLES}  # stage → stream it fills
REPORTED: list[str] = []  # every figures line of the session, repeated in pytest's terminal summary


def report(line: str) -> None:
    REPORTED.append(line)
    print(line)


@dataclass
class Progress:
    """When each stage put out its first and its last message of the run (seconds since the start)."""

    first: dict[str, float] = field(default_factory=dict)
    done: dict[str, float] = field(default_factory=dict)

    def saw(self, stage: str, count: int, total: int, at: float) -> None:
        if count and stage not in self.first:
            self.first[stage] = at
        if count >= total and stage not in self.done:
            self.done[stage] = at

    def line(self, total: int) -> str:
        """e.g. "fetcher all at 9.8s (312.0/s), extractors all at 160.3s (31.9/s), stores all at 161.0s"."""
        parts = []
        for stage, done in self.done.items():
            busy = done - self.first[stage]
            parts.append(f"{stage} all at {done:.1f}s" + (f" ({total / busy:.1f}/s)" if busy > 0 else ""))
        return ", ".join(parts)


@dataclass
class Figures:
    name: str
    sent: int
    stored: int = 0
    duplicated: int = 0
    dead_lettered: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    progress: Progress | None = field(default_factory=Progress)  # None: not sampled

    @property
    def lost(self) -> int:
        return self.sent - self.stored

    def line(self) -> str:
        extra = f" ({'; '.join(self.notes)})" if self.notes else ""
        return (f"FAULT {self.name}: sent={self.sent} stored={self.stored} duplicated={self.duplicated} "
                f"lost={self.lost} dead_lettered={self.dead_lettered} time={self.seconds:.1f}s{extra}")


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class Pipeline:
    """Fetcher, extractors and stores over one Redis and one database; kill, restart and count them."""

    def __init__(self, *, site: SyntheticSite, base_url: str, redis_url: str, database_url: str, work: Path,
                 env: dict[str, str] | None = None) -> None:
        self.site, self.redis_url, self.database_url = site, redis_url, database_url
        sources = work / "sources.yaml"
        sources.write_text(site.sources_yaml(base_url))
        self.log_dir = work / "logs"
        self.log_dir.mkdir(exist_ok=True)
        self.services = Services(env={**os.environ, **FAST_ENV, "REDIS_URL": redis_url,
                                      "DATABASE_URL": database_url, "FETCHER_SOURCES_FILE": str(sources),
                                      **(env or {})}, log_dir=self.log_dir)
        self.base_url = base_url
        self.started_at = time.monotonic()
        self._generation: dict[str, int] = {}

    def migrate(self) -> None:
        self.services.run_to_completion("migrate", "store.migrate")

    def start(self, kind: str, replica: int = 0) -> Service:
        module = {"fetcher": "fetcher", "extractor": "extractor", "store": "store"}[kind]
        name = f"{kind}-{replica}"
        generation = self._generation.get(name, 0)
        self._generation[name] = generation + 1
        return self.services.start(f"{name}.{generation}", module)

    def start_all(self, *, extractors: int = 2, stores: int = 2) -> None:
        self.migrate()
        for replica in range(stores):
            self.start("store", replica)
        for replica in range(extractors):
            self.start("extractor", replica)
        self.start("fetcher")
        self.started_at = time.monotonic()

    def running(self, kind: str) -> list[Service]:
        return [s for s in self.services.running if s.name.startswith(kind) and s.process.poll() is None]

    def kill(self, service: Service) -> None:
        """kill -9: no graceful stop, in-flight messages stay pending for the peers to reclaim."""
        os.kill(service.process.pid, signal.SIGKILL)
        service.process.wait(10)
        self.services.running.remove(service)

    def check_alive(self) -> None:
        self.services.check_alive()

    def stored_urls(self) -> tuple[int, int]:
        """(rows, distinct canonical URLs) in the article table; (0, 0) while the database is away."""
        try:
            with psycopg.connect(_libpq(self.database_url), connect_timeout=3) as conn:
                rows, distinct = conn.execute("select count(*), count(distinct canonical_url) from article").fetchone()
                return int(rows), int(distinct)
        except psycopg.OperationalError:
            return (0, 0)

    def transaction_of(self, store: Service) -> int | None:
        """The database backend of the `store` writer's session while it is inside a transaction, else None
        (the writer names its sessions store:<consumer name>, its consumer name being host-pid)."""
        name = f"store:{socket.gethostname()}-{store.process.pid}"[:63]
        with psycopg.connect(_libpq(self.database_url), connect_timeout=3) as conn:
            row = conn.execute("select pid from pg_stat_activity where application_name = %s "
                               "and xact_start is not null", (name,)).fetchone()
            return int(row[0]) if row else None

    def stories(self) -> tuple[int, int]:
        """(live stories, articles in the largest): the run should cluster like news, not into one story."""
        with psycopg.connect(_libpq(self.database_url), connect_timeout=3) as conn:
            live, largest = conn.execute(
                "select count(*), coalesce(max(article_count), 0) from story where merged_into is null").fetchone()
            return int(live), int(largest)

    def entries_added(self, stream: str) -> int:
        """Messages ever added to `stream` (trimming does not lower it); 0 before it exists."""
        with redis.Redis.from_url(self.redis_url, socket_timeout=3) as client:
            try:
                return int(client.xinfo_stream(stream)["entries-added"])
            except redis.ResponseError:  # no such stream yet
                return 0

    def sample_progress(self, figures: Figures, stored: int) -> None:
        if figures.progress is None:
            return
        at = time.monotonic() - self.started_at
        with contextlib.suppress(redis.RedisError):  # Redis may be away on purpose (the restart test)
            for stage, stream in OUTPUTS.items():
                figures.progress.saw(stage, self.entries_added(stream), figures.sent, at)
        figures.progress.saw("stores", stored, figures.sent, at)

    def dead_letters(self) -> int:
        with redis.Redis.from_url(self.redis_url) as client:
            return sum(client.xlen(streams.dead_letter_stream(stage)) for stage in STAGES)

    def wait_until_stored(self, figures: Figures, *, timeout: float,
                          during: Callable[[int], None] | None = None) -> Figures:
        """Poll the database until every sent article is stored (calling `during(stored)` between looks)."""

        def settled() -> bool:
            self.check_alive()
            _, distinct = self.stored_urls()
            self.sample_progress(figures, distinct)
            if during is not None:
                during(distinct)
            return distinct >= figures.sent

        try:
            eventually_sync(settled, timeout=timeout, interval=0.5, what=f"{figures.sent} articles stored")
        except AssertionError:
            self._count(figures)
            report(figures.line())
            raise
        self._count(figures)
        return figures

    def _count(self, figures: Figures) -> None:
        figures.seconds = time.monotonic() - self.started_at
        rows, distinct = self.stored_urls()
        figures.stored, figures.duplicated = distinct, rows - distinct
        with contextlib.suppress(redis.RedisError):
            figures.dead_lettered = self.dead_letters()
        if figures.progress and (stages := figures.progress.line(figures.sent)):
            figures.notes.append(stages)
        with contextlib.suppress(psycopg.OperationalError):
            figures.notes.append("stories={} largest={}".format(*self.stories()))

    def logs(self, kind: str) -> str:
        """Everything the `kind` processes (every generation) wrote."""
        return "".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob(f"{kind}-*.log")))

    def settle(self, timeout: float = 30.0) -> dict[str, int]:
        """Wait until both groups acknowledged everything; return the pending counts."""

        def pending() -> dict[str, int] | None:
            with redis.Redis.from_url(self.redis_url) as client:
                counts = {
                    "extractor": client.xpending(streams.RAW_ARTICLES, streams.EXTRACTOR_GROUP)["pending"],
                    "store": client.xpending(streams.EXTRACTED_ARTICLES, streams.STORE_GROUP)["pending"],
                }
            return counts if not any(counts.values()) else None

        return eventually_sync(pending, timeout=timeout, interval=0.25, what="no pending messages")

    def stop(self) -> None:
        self.services.stop_all(timeout_s=20)

    def tails(self) -> str:
        return self.services.tails(20)


@contextlib.contextmanager
def pipeline_over_site(tmp_path: Path, articles: int, *, redis_url: str, database_url: str,
                       env: dict[str, str] | None = None) -> Iterator[tuple[Pipeline, Figures]]:
    site = generate(tmp_path / "site", articles)
    with serve_site(root=site.root) as server:
        pipeline = Pipeline(site=site, base_url=server.base_url, redis_url=redis_url,
                            database_url=database_url, work=tmp_path, env=env)
        try:
            yield pipeline, Figures(name="", sent=len(site.article_paths))
        except BaseException:
            print(pipeline.tails())
            raise
        finally:
            pipeline.stop()
