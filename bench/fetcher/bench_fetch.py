"""Fetcher throughput and memory against a plain httpx + feedparser loop, on one local site, in one run.

A separate process serves N feeds x M items (RSS) plus their article pages on 127.0.0.1 (a small
asyncio HTTP/1.1 server with keep-alive, so the server is not what is measured). Then, alternately:

- plain:   httpx.AsyncClient + feedparser: GET each feed, parse it, GET each item's page; nothing else.
- fetcher: the fetcher's real code path, `poll_once` built by `build_poll_deps` (robots.txt, host gates,
           SSRF-pinned connections, capped streaming decode, canonicalisation, seen-set and feed state in
           Redis, contract validation) publishing every article to a real Redis stream.

Both run the same number of feeds at once, items of one feed one after another. Politeness delays
are set to 0 and host concurrency to the feed concurrency, because every feed is on one local host
(with a 1 s per-host delay the fetcher would, correctly, take hours). Prints items/s for both, the
ratio, and peak RSS growth per phase. `--duration S` then polls repeatedly for S seconds (state
flushed between rounds so every round does the full work) and prints RSS samples: memory should stay flat.

    .venv/bin/python bench/fetcher/bench_fetch.py [--feeds 200 --items 50] [--corpus DIR] [--duration 600]

`--corpus DIR` serves the *.html files under DIR as article pages (cycled) instead of synthetic ones.
Uses Redis DB 3 by default (`--redis-url`); it is flushed.
"""

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import feedparser
import httpx
import redis

REPO = Path(__file__).resolve().parents[2]


# --------------------------------------------------------------------------- the site (own process)

def synthetic_page(feed: int, item: int) -> bytes:
    paragraphs = "".join(
        f"<p>Paragraph {p} of story {item} from outlet {feed}: the harbour authority said on Tuesday that "
        f"talks with the dock workers' union would resume after a week-long strike that has left ships idle.</p>"
        for p in range(60)
    )
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Story {feed}-{item}</title></head>"
            f"<body><article><h1>Story {feed}-{item}</h1>{paragraphs}</article></body></html>").encode()


def build_site(base: str, feeds: int, items: int, corpus: list[bytes]) -> dict[str, tuple[bytes, bytes]]:
    """path -> (content type, body)."""
    routes: dict[str, tuple[bytes, bytes]] = {}
    for f in range(feeds):
        entries = []
        for i in range(items):
            link = f"{base}/o{f}/story-{i}.html?utm_source=rss"
            entries.append(f"<item><title>Story {f}-{i}</title><link>{link}</link><guid>o{f}-{i}</guid>"
                           f"<description>Summary of story {i}.</description>"
                           f"<pubDate>Tue, 17 Jun 2025 {i % 24:02d}:{i % 60:02d}:00 GMT</pubDate></item>")
            body = corpus[(f * items + i) % len(corpus)] if corpus else synthetic_page(f, i)
            routes[f"/o{f}/story-{i}.html?utm_source=rss"] = (b"text/html; charset=utf-8", body)
        feed = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Outlet {f}</title>'
                f"<link>{base}/o{f}/</link>{''.join(entries)}</channel></rss>")
        routes[f"/o{f}/feed.xml"] = (b"application/rss+xml; charset=utf-8", feed.encode())
    return routes


def serve(port_pipe, feeds: int, items: int, corpus_dir: str | None) -> None:
    corpus = [p.read_bytes() for p in sorted(Path(corpus_dir).rglob("*.html"))] if corpus_dir else []

    async def main() -> None:
        routes: dict[str, bytes] = {}

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    path = head.split(b" ", 2)[1].decode()
                    writer.write(routes.get(path) or NOT_FOUND)
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
        port = server.sockets[0].getsockname()[1]
        for path, (ctype, body) in build_site(f"http://127.0.0.1:{port}", feeds, items, corpus).items():
            routes[path] = (b"HTTP/1.1 200 OK\r\nContent-Type: " + ctype + b"\r\nContent-Length: "
                            + str(len(body)).encode() + b"\r\n\r\n" + body)
        port_pipe.send(port)
        async with server:
            await server.serve_forever()

    NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\nnot found"
    asyncio.run(main())


# --------------------------------------------------------------------------- the two clients

async def plain_loop(base: str, feeds: int, concurrency: int) -> int:
    """What a minimal crawler does: fetch, parse, fetch every link. No checks, no state, no publishing."""
    slots = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(timeout=30, follow_redirects=True) as client:  # httpx's default pool
        async def one(f: int) -> int:
            async with slots:
                feed = await client.get(f"{base}/o{f}/feed.xml")
                parsed = feedparser.parse(feed.content)
                count = 0
                for entry in parsed.entries:
                    page = await client.get(entry.link)
                    if page.status_code == 200 and page.text:
                        count += 1
                return count

        return sum(await asyncio.gather(*(one(f) for f in range(feeds))))


async def fetcher_poll(base: str, feeds: int, concurrency: int, redis_url: str) -> int:
    from fetcher.app import article_publisher, build_poll_deps, raw_articles_publisher
    from fetcher.polling import poll_once
    from fetcher.settings import FetcherSettings
    from fetcher.sources import parse_sources
    from newsflow_shared.runtime import build_broker

    settings = FetcherSettings(
        REDIS_URL=redis_url, sources_file=Path("unused.yaml"), allowed_private_networks="127.0.0.0/8",
        host_min_delay_s=0, host_concurrency=min(concurrency, 16), max_concurrent_feeds=concurrency,
        max_concurrent_requests=concurrency, max_items_per_feed=10_000, consumer_name="bench",
    )
    lines = ["sources:"]
    for f in range(feeds):
        lines += [f"  - id: outlet-{f}", f"    name: Outlet {f}", "    bias: center", "    feeds:",
                  f"      - url: {base}/o{f}/feed.xml"]
    sources = parse_sources("\n".join(lines) + "\n")
    broker = build_broker(settings)
    publisher = raw_articles_publisher(broker)
    await broker.connect()

    wired = build_poll_deps(settings, article_publisher(publisher))
    try:
        summary = await poll_once(sources, wired.deps)
    finally:
        await wired.close()
        await broker.stop()
    if summary.errors:
        print(f"  (fetcher reported {summary.errors} errors)", file=sys.stderr)
    return summary.published


# --------------------------------------------------------------------------- measuring

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    """Resident set size now (Linux /proc; no extra dependency)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_SIZE


class RssSampler:
    """Peak RSS of this process, sampled every 20 ms in a thread (tracemalloc would slow both loops)."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self) -> "RssSampler":  # noqa: PYI034 - a plain class, not a base
        self.start = self.peak = rss_bytes()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, rss_bytes())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def reset_redis(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()


def timed(label: str, run, expected: int) -> tuple[float, int, float]:
    with RssSampler() as rss:
        started, cpu_started = time.perf_counter(), time.process_time()
        items = asyncio.run(run())
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    rate = items / elapsed
    print(f"  {label:8s} {items:6d} items in {elapsed:6.2f}s = {rate:7.1f} items/s  "
          f"(client CPU {cpu * 1000 / max(items, 1):.2f} ms/item)  "
          f"peak RSS +{(rss.peak - rss.start) / 2**20:6.1f} MiB (peak {rss.peak / 2**20:.0f} MiB)")
    if items != expected:
        print(f"  !! {label} got {items} items, expected {expected}", file=sys.stderr)
    return rate, rss.peak, cpu / max(items, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=16, help="feeds fetched at once (both loops)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating plain/fetcher rounds; medians reported")
    parser.add_argument("--corpus", help="directory of *.html article pages to serve instead of synthetic ones")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3"))
    parser.add_argument("--log-level", default="INFO", help="the fetcher's log level (JSON lines, as in production); "
                                                                "stderr is where they go, redirect it")
    parser.add_argument("--profile", help="write a cProfile of one fetcher round to this file")
    parser.add_argument("--duration", type=float, default=0, help="then poll repeatedly for this many seconds, "
                                                                   "sampling RSS (flat-memory check)")
    args = parser.parse_args()
    sys.path[:0] = [str(REPO / "services" / "fetcher"), str(REPO / "shared")]
    import logging

    from newsflow_shared.logs import configure_logging

    configure_logging("fetcher", level=args.log_level, fmt="json")
    # Imported before any timing, as the plain loop's httpx and feedparser are: round 1 must not pay for imports.
    import fetcher.app
    import fetcher.polling  # noqa: F401
    logging.getLogger("httpx").setLevel(logging.WARNING)  # as `python -m fetcher` does

    receive, send = multiprocessing.Pipe(duplex=False)
    server = multiprocessing.Process(target=serve, args=(send, args.feeds, args.items, args.corpus), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{receive.recv()}"
    expected = args.feeds * args.items
    print(f"site {base}: {args.feeds} feeds x {args.items} items, concurrency {args.concurrency}, "
          f"cpus {os.cpu_count()}, load {os.getloadavg()[0]:.2f}")
    try:
        plain_rates, fetcher_rates, round_ratios, cpu_ratios = [], [], [], []
        for round_no in range(1, args.rounds + 1):
            print(f"round {round_no}")
            plain_rate, _, plain_cpu = timed("plain", lambda: plain_loop(base, args.feeds, args.concurrency), expected)
            reset_redis(args.redis_url)
            fetcher_rate, _, fetcher_cpu = timed("fetcher", lambda: fetcher_poll(base, args.feeds, args.concurrency,
                                                                                 args.redis_url), expected)
            reset_redis(args.redis_url)  # the stream holds every page; don't leave it in Redis
            plain_rates.append(plain_rate)
            fetcher_rates.append(fetcher_rate)
            round_ratios.append(fetcher_rate / plain_rate)
            cpu_ratios.append(plain_cpu / fetcher_cpu)
        plain, fetched = statistics.median(plain_rates), statistics.median(fetcher_rates)
        print(f"median: plain {plain:.1f} items/s, fetcher {fetched:.1f} items/s, ratio {fetched / plain:.2f} "
              f"(target >= 0.80)")
        # Other processes on a small machine stretch one phase's wall time and not the other's; the two phases
        # of one round ran back to back, and CPU time per item does not depend on the machine's other load.
        print(f"per-round ratios {' '.join(f'{r:.2f}' for r in round_ratios)} (median "
              f"{statistics.median(round_ratios):.2f}); CPU-per-item ratio (plain/fetcher) median "
              f"{statistics.median(cpu_ratios):.2f}; load {os.getloadavg()[0]:.2f}")
        if args.profile:
            import cProfile

            reset_redis(args.redis_url)
            cProfile.runctx("asyncio.run(fetcher_poll(base, args.feeds, args.concurrency, args.redis_url))",
                            globals(), {"base": base, "args": args}, args.profile)
            reset_redis(args.redis_url)
        if args.duration:
            soak(base, args)
    finally:
        server.terminate()
        server.join()


def soak(base: str, args: argparse.Namespace) -> None:
    """Poll again and again for --duration seconds; RSS should level off, not climb."""
    print(f"soak for {args.duration:.0f}s: RSS samples after each full poll")
    started = time.monotonic()
    samples = []
    round_no = 0
    while time.monotonic() - started < args.duration:
        round_no += 1
        reset_redis(args.redis_url)
        asyncio.run(fetcher_poll(base, args.feeds, args.concurrency, args.redis_url))
        rss = rss_bytes() / 2**20
        samples.append(rss)
        print(f"  t={time.monotonic() - started:7.1f}s round {round_no:3d} RSS {rss:7.1f} MiB", flush=True)
    reset_redis(args.redis_url)
    half = len(samples) // 2
    if half:
        print(f"RSS first half max {max(samples[:half]):.1f} MiB, second half max {max(samples[half:]):.1f} MiB, "
              f"last {samples[-1]:.1f} MiB")


if __name__ == "__main__":
    main()
