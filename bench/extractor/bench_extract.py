"""Extractor throughput: the service through Redis, the same functions in a plain loop, the naive pipeline.

    python bench/extractor/bench_extract.py HTML_DIR [--redis-url redis://127.0.0.1:6379/4] [--rounds 3]

Each round runs the three over the same pages, one after the other:
Pages are sent as the fetcher sends them (gzipped above its default threshold), so both the plain loop
and the service pay the decompression.
1. plain loop: extraction.extract() with the analyser (entities, quantities, quotations, dates,
   events, keywords, SimHash, tone) on every page, in this process;
2. service: one `python -m extractor` subprocess (started once, warmed with one page) consuming the raw
   stream of the given Redis database (FLUSHED first: give it a database of its own), timed from the
   first publish to the last extracted message; peak memory is the subprocess's VmHWM;
3. naive: trafilatura.extract() with default settings, then every spaCy component over the whole text.

Rounds are interleaved, and each figure is reported as wall-clock and as CPU seconds of the process
doing the work (the service's from /proc), so load from elsewhere on a shared 2-core machine moves the
three alike; the ratios quoted are medians over rounds.
Targets (issue 4): service overhead < 10% of the plain loop; ≥ 3× the naive pipeline's articles/s;
< 600 MB per process.
"""

import argparse
import asyncio
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import redis
import spacy
import trafilatura
from faststream.redis import RedisBroker

from extractor.analysis import Analyser, Budget
from extractor.extraction import extract
from extractor.settings import DEFAULT_SPACY_MODEL, ExtractorSettings
from fetcher.settings import FetcherSettings
from newsflow_shared.contracts import extracted_articles, raw_articles
from newsflow_shared.contracts.raw_articles import ArticleFetched, FeedEntry, HttpMeta, content_hash
from newsflow_shared.contracts.source import SourceRef

DEADLINE_S = 600
COMPRESS_ABOVE = FetcherSettings.model_fields["compress_html_above_bytes"].default
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Timing:
    wall: float
    cpu: float


def fetched(name: str, html: str, index: int) -> ArticleFetched:
    """The message the fetcher would publish for this page: gzipped above the fetcher's default threshold."""
    url = f"https://bench.example/{index}/{name}"
    compress = len(html.encode()) > COMPRESS_ABOVE
    return ArticleFetched(
        source=SourceRef(id="bench", name="Bench"),
        url=url,
        canonical_url=url,
        feed=FeedEntry(feed_url="https://bench.example/feed.xml", guid=url, title=name),
        http=HttpMeta(status=200, final_url=url, content_type="text/html", fetched_at=datetime.now(UTC)),
        html="" if compress else html,
        html_gzip_b64=ArticleFetched.compress_html(html) if compress else None,
        content_hash=content_hash(html),
    )


def timed(work) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu)


def plain_loop(pages: list[ArticleFetched], analyser: Analyser, counts: dict) -> Timing:
    def work() -> None:
        for page in pages:
            article = extract(page, now=datetime.now(UTC), min_article_words=30, analyser=analyser).article
            for field in counts:
                counts[field] += len(getattr(article, field))
    return timed(work)


def naive(pages: list[ArticleFetched], nlp) -> Timing:
    def work() -> None:
        for page in pages:
            nlp(trafilatura.extract(page.page_html()) or "")
    return timed(work)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def publish(redis_url: str, pages: list[ArticleFetched]) -> None:
    broker = RedisBroker(redis_url)
    await broker.connect()
    for page in pages:
        await broker.publish(page, stream=raw_articles.STREAM, headers=page.headers())
    await broker.stop()


def process_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Service:
    """One extractor process, as compose runs it, fed through Redis."""

    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url
        self.client = redis.Redis.from_url(redis_url)
        self.client.flushdb()
        env = {**os.environ, "REDIS_URL": redis_url, "EXTRACTOR_HTTP_PORT": str(free_port()),
               "EXTRACTOR_LOG_LEVEL": "WARNING", "EXTRACTOR_CONSUMER_NAME": "bench", "EXTRACTOR_READ_BATCH": "10"}
        self.process = subprocess.Popen([sys.executable, "-m", "extractor"], env=env, stderr=subprocess.DEVNULL)
        self.extracted = 0

    def run(self, pages: list[ArticleFetched]) -> Timing:
        cpu = process_cpu_s(self.process.pid)
        started = time.perf_counter()
        asyncio.run(publish(self.redis_url, pages))
        self.extracted += len(pages)
        self.wait_for(self.extracted)
        return Timing(time.perf_counter() - started, process_cpu_s(self.process.pid) - cpu)

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while self.client.xlen(extracted_articles.STREAM) < count:
            if self.process.poll() is not None:
                raise SystemExit(f"the extractor exited with {self.process.returncode}")
            if time.monotonic() > deadline:
                raise SystemExit(f"service did not extract {count} messages in {DEADLINE_S}s")
            time.sleep(0.01)  # polling interval of the benchmark's own clock, not a synchronisation

    def close(self) -> float:
        peak = peak_rss_mb(self.process.pid)
        self.process.terminate()
        self.process.wait(timeout=30)
        self.client.flushdb()
        self.client.close()
        return peak


def main() -> int:
    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("html_dir", type=Path)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds over the pages")
    args = parser.parse_args()
    files = sorted(args.html_dir.glob("*.html"))
    htmls = [(f.stem, f.read_text(encoding="utf-8", errors="replace")) for f in files]
    n = len(htmls)
    settings = ExtractorSettings()
    analyser = Analyser(settings.models_by_language(), Budget(settings.ner_max_words, settings.lead_sentences,
                                                               settings.analysis_max_chars))
    analyser.warm()
    nlp = spacy.load(DEFAULT_SPACY_MODEL)
    warm = fetched("warmup", htmls[0][1], 0)
    extract(warm, now=datetime.now(UTC), min_article_words=30, analyser=analyser)
    nlp(trafilatura.extract(warm.page_html()) or "")

    service = Service(args.redis_url)
    service.run([fetched("warmup", htmls[0][1], 1)])  # loads the model before the clock starts
    counts = {"entities": 0, "quantities": 0, "events": 0, "quotations": 0}
    rows = []
    for r in range(args.rounds):
        pages = [fetched(name, html, 10 + r) for name, html in htmls]  # new URLs each round
        loop, svc, nai = plain_loop(pages, analyser, counts), service.run(pages), naive(pages, nlp)
        rows.append((loop, svc, nai))
        print(f"round {r + 1}: plain {n / loop.wall:5.2f}/s (cpu {loop.cpu * 1000 / n:5.0f} ms/art)  "
              f"service {n / svc.wall:5.2f}/s (cpu {svc.cpu * 1000 / n:5.0f} ms/art)  "
              f"naive {n / nai.wall:5.2f}/s (cpu {nai.cpu * 1000 / n:5.0f} ms/art)  load {os.getloadavg()[0]:.2f}",
              flush=True)
    service_mb = service.close()
    own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def median(f) -> float:
        return statistics.median(f(*row) for row in rows)

    total = n * args.rounds
    print(f"pages: {n} files x {args.rounds} rounds; ner_max_words={settings.ner_max_words} "
          f"lead_sentences={settings.lead_sentences}; found per page: "
          + ", ".join(f"{k} {v / total:.1f}" for k, v in counts.items()))
    for name, i in (("plain loop", 0), ("service", 1), ("naive", 2)):
        wall = sum(row[i].wall for row in rows)
        cpu = sum(row[i].cpu for row in rows)
        print(f"{name:10s}: {total / wall:6.2f} articles/s wall, {total / cpu:6.2f} articles per CPU-second")
    print(f"service overhead vs plain loop (median of rounds): wall {median(lambda p, s, v: s.wall / p.wall - 1):+.1%}, "
          f"CPU {median(lambda p, s, v: s.cpu / p.cpu - 1):+.1%}  (target < 10%)")
    print(f"speed-up vs naive (median of rounds): plain {median(lambda p, s, v: v.wall / p.wall):.2f}x, "
          f"service {median(lambda p, s, v: v.wall / s.wall):.2f}x wall, "
          f"{median(lambda p, s, v: v.cpu / s.cpu):.2f}x CPU  (target >= 3x)")
    print(f"peak memory: service process {service_mb:.0f} MB, bench process {own_mb:.0f} MB (loop + naive models)"
          f"  (target < 600 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
