"""What overlapping the database's writes with the writer's content work (store.overlap) gains, measured
in one process so the machine's drift touches both sides alike: two databases seeded alike, the same
batches stored in both, alternating which goes first; in one the statements run from the helper thread
(as the writer runs them), in the other inline, one after the other, as before 2026-12-07.

    python bench/store/bench_overlap.py [--database-url postgresql+psycopg://...] [--stories 1000]

Prints each side's rate over the timed batches and the median of the per-batch time ratios.
"""

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import WRITER_BATCH, drop_database, generated_articles, postgres_server, seeded_database  # noqa: E402
from sqlmodel import Session  # noqa: E402
from store import ingest  # noqa: E402
from store.app import tune_garbage_collector  # noqa: E402
from store.db import make_engine  # noqa: E402
from store.overlap import Overlap  # noqa: E402

SIDES = ("overlapped", "inline")


@contextlib.contextmanager
def one_after_the_other(session: Session, work: Callable[[], None]) -> Iterator[Overlap]:
    work()
    yield Overlap()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server URL (two scratch databases are created on it)")
    parser.add_argument("--stories", type=int, default=1000, help="stories seeded in each database")
    parser.add_argument("--articles", type=int, default=6250)
    parser.add_argument("--warm", type=int, default=500, help="articles stored before timing")
    parser.add_argument("--batch", type=int, default=WRITER_BATCH)
    args = parser.parse_args(argv)
    with postgres_server(args.database_url) as server:
        return measure(args, server)


def measure(args: argparse.Namespace, server_url: str) -> int:
    tune_garbage_collector()  # as the writer process does
    urls = {side: seeded_database(server_url, args.stories) for side in SIDES}
    engines = {side: make_engine(url, writer=True) for side, url in urls.items()}
    ways = {"overlapped": ingest.meanwhile, "inline": one_after_the_other}
    messages = generated_articles(args.articles, seed=11)
    times: dict[str, list[float]] = {side: [] for side in SIDES}
    try:
        for number, first in enumerate(range(0, len(messages), args.batch)):
            batch = messages[first:first + args.batch]
            for side in SIDES if number % 2 == 0 else SIDES[::-1]:
                ingest.meanwhile = ways[side]
                started = time.perf_counter()
                ingest.ingest_articles(engines[side], batch, now=batch[-1].published_at)
                if first >= args.warm:
                    times[side].append(time.perf_counter() - started)
    finally:
        ingest.meanwhile = ways["overlapped"]
        for side in SIDES:
            engines[side].dispose()
            drop_database(server_url, urls[side])
    timed = len(times["inline"])
    print(f"{args.stories:,} stories seeded, {timed} timed batches of {args.batch} in each database, alternating")
    for side in SIDES:
        total = sum(times[side])
        print(f"  {side:>10}: {timed * args.batch / total:.0f} art/s, {1000 * total / (timed * args.batch):.2f} ms/article")
    ratios = [inline / overlapped for inline, overlapped in zip(times["inline"], times["overlapped"], strict=True)]
    print(f"  inline / overlapped time per batch: median {statistics.median(ratios):.2f}× "
          f"(min {min(ratios):.2f}, max {max(ratios):.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
