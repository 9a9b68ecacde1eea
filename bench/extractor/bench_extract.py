"""Extractor throughput: the service through Redis, the same functions in a plain loop, the naive pipeline.

    python bench/extractor/bench_extract.py HTML_DIR [--redis-url redis://127.0.0.1:6379/4] [--repeat 3]

1. plain loop: extraction.extract() with the analyser (entities, quantities, quotations, dates,
   events, keywords, SimHash, tone) on every page, in this process;
2. service: `python -m extractor` as a subprocess consuming the raw stream of the given Redis
   database (FLUSHED first: give it a database of its own), timed from the first publish to the
   last extracted message, after one warm-up page; peak memory is the subprocess's VmHWM;
3. naive: trafilatura.extract() with default settings, then every spaCy component over the whole text.

Targets (issue 4): service overhead < 10% of the plain loop; ≥ 3× the naive pipeline's articles/s;
< 600 MB per process. All three run in the same invocation, so other load on the machine
affects them alike.
"""

import argparse
import asyncio
import os
import resource
import socket
import subprocess
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

import redis
import spacy
import trafilatura
from faststream.redis import RedisBroker

from extractor.analysis import Analyser, Budget
from extractor.extraction import extract
from extractor.settings import DEFAULT_SPACY_MODEL, ExtractorSettings
from newsflow_shared.contracts import extracted_articles, raw_articles
from newsflow_shared.contracts.raw_articles import ArticleFetched, FeedEntry, HttpMeta, content_hash
from newsflow_shared.contracts.source import SourceRef

DEADLINE_S = 600


def fetched(name: str, html: str, index: int) -> ArticleFetched:
    url = f"https://bench.example/{index}/{name}"
    return ArticleFetched(
        source=SourceRef(id="bench", name="Bench"),
        url=url,
        canonical_url=url,
        feed=FeedEntry(feed_url="https://bench.example/feed.xml", guid=url, title=name),
        http=HttpMeta(status=200, final_url=url, content_type="text/html", fetched_at=datetime.now(UTC)),
        html=html,
        content_hash=content_hash(html),
    )


def plain_loop(pages: list[ArticleFetched], analyser: Analyser) -> tuple[float, dict]:
    counts = {"entities": 0, "quantities": 0, "events": 0, "quotations": 0}
    started = time.perf_counter()
    for page in pages:
        article = extract(page, now=datetime.now(UTC), min_article_words=30, analyser=analyser).article
        for field in counts:
            counts[field] += len(getattr(article, field))
    return time.perf_counter() - started, counts


def naive(pages: list[ArticleFetched]) -> float:
    nlp = spacy.load(DEFAULT_SPACY_MODEL)
    started = time.perf_counter()
    for page in pages:
        body = trafilatura.extract(page.html) or ""
        nlp(body)
    return time.perf_counter() - started


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


def wait_for(client: redis.Redis, count: int) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while client.xlen(extracted_articles.STREAM) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"service did not extract {count} messages in {DEADLINE_S}s")
        time.sleep(0.01)  # polling interval of the benchmark's own clock, not a synchronisation


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def service(redis_url: str, pages: list[ArticleFetched], warmup: ArticleFetched) -> tuple[float, float]:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    env = {**os.environ, "REDIS_URL": redis_url, "EXTRACTOR_HTTP_PORT": str(free_port()),
           "EXTRACTOR_LOG_LEVEL": "WARNING", "EXTRACTOR_CONSUMER_NAME": "bench", "EXTRACTOR_READ_BATCH": "10"}
    process = subprocess.Popen([sys.executable, "-m", "extractor"], env=env, stderr=subprocess.DEVNULL)
    try:
        asyncio.run(publish(redis_url, [warmup]))
        wait_for(client, 1)
        started = time.perf_counter()
        asyncio.run(publish(redis_url, pages))
        wait_for(client, 1 + len(pages))
        elapsed = time.perf_counter() - started
        return elapsed, peak_rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
        client.flushdb()
        client.close()


def main() -> int:
    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("html_dir", type=Path)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/4")
    parser.add_argument("--repeat", type=int, default=3, help="pass over the pages this many times")
    args = parser.parse_args()
    files = sorted(args.html_dir.glob("*.html"))
    htmls = [(f.stem, f.read_text(encoding="utf-8", errors="replace")) for f in files]
    pages = [fetched(name, html, i) for i in range(args.repeat) for name, html in htmls]
    n = len(pages)
    settings = ExtractorSettings()
    analyser = Analyser(settings.models_by_language(), Budget(settings.ner_max_words, settings.lead_sentences,
                                                               settings.analysis_max_chars))
    analyser.warm()
    extract(pages[0], now=datetime.now(UTC), min_article_words=30, analyser=analyser)

    loop_s, counts = plain_loop(pages, analyser)
    service_s, service_mb = service(args.redis_url, pages, fetched("warmup", htmls[0][1], 999))
    naive_s = naive(pages)
    own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"pages: {n} ({len(files)} files x {args.repeat}); ner_max_words={settings.ner_max_words} "
          f"lead_sentences={settings.lead_sentences}; found per page: "
          + ", ".join(f"{k} {v / n:.1f}" for k, v in counts.items()))
    print(f"plain loop : {n / loop_s:7.2f} articles/s  ({loop_s * 1000 / n:6.1f} ms/article)")
    print(f"service    : {n / service_s:7.2f} articles/s  ({service_s * 1000 / n:6.1f} ms/article), "
          f"peak memory {service_mb:.0f} MB")
    print(f"naive      : {n / naive_s:7.2f} articles/s  ({naive_s * 1000 / n:6.1f} ms/article)")
    print(f"service overhead vs plain loop: {(service_s / loop_s - 1) * 100:+.1f}%  (target < 10%)")
    print(f"speed-up vs naive: plain {naive_s / loop_s:.2f}x, service {naive_s / service_s:.2f}x  (target >= 3x)")
    print(f"peak memory: service process {service_mb:.0f} MB, bench process {own_mb:.0f} MB  (target < 600 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
