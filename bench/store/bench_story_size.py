"""Time per article as one story grows, on PostgreSQL: half of every batch reports one event, half
ordinary ones (a story of ~6 articles each), into a database seeded with 1,000 stories.

A story's coverage and content are brought up to date from the state kept on it, so the time per
article should not grow with the big story's size; the run prints, per stretch of batches, the ms per
article and the `recount` phase, and the last stretch's time as a ratio of the first's (its baseline,
measured in the same run).

    python bench/store/bench_story_size.py [--database-url postgresql+psycopg://...] [--articles 12000]
"""

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg  # noqa: E402
from bench_store import (  # noqa: E402
    WRITER_BATCH,
    drop_database,
    generated_articles,
    phase_seconds,
    postgres_server,
    seeded_database,
)
from store.app import tune_garbage_collector  # noqa: E402
from store.db import make_engine  # noqa: E402
from store.ingest import ingest_articles  # noqa: E402

STRETCHES = 8


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server URL (a scratch database is created on it)")
    parser.add_argument("--articles", type=int, default=12_000, help="half of them about the one big event")
    parser.add_argument("--batch", type=int, default=WRITER_BATCH)
    args = parser.parse_args(argv)
    half = args.batch // 2
    big = generated_articles(args.articles // 2, seed=77, events=1)
    ordinary = generated_articles(args.articles // 2, seed=5)
    messages = [m for first in range(0, len(big), half) for m in big[first:first + half] + ordinary[first:first + half]]
    tune_garbage_collector()  # as the writer process does
    with postgres_server(args.database_url) as server:
        database_url = seeded_database(server, 1_000)
        engine = make_engine(database_url, writer=True)
        batches = []
        for first in range(0, len(messages), args.batch):
            chunk = messages[first:first + args.batch]
            phased, started = phase_seconds(), time.perf_counter()
            ingest_articles(engine, chunk, now=chunk[-1].published_at)
            batches.append((len(chunk), time.perf_counter() - started, phase_seconds()["recount"] - phased["recount"]))
        engine.dispose()
        with psycopg.connect(database_url.replace("+psycopg", "")) as conn:
            biggest = conn.execute("select max(article_count) from story").fetchone()[0]
        drop_database(server, database_url)
    print(f"{len(messages):,} articles in batches of {args.batch}, half about one event (its story ends with "
          f"{biggest:,} articles), 1,000 stories seeded; PostgreSQL")
    per = max(1, len(batches) // STRETCHES)
    stretches = [batches[first:first + per] for first in range(0, len(batches), per)]
    stored = 0
    for stretch in stretches:
        articles = sum(n for n, _, _ in stretch)
        stored += articles
        print(f"  up to {stored:>6,} articles stored: {1000 * sum(t for _, t, _ in stretch) / articles:5.2f} ms/article, "
              f"recount {1000 * sum(r for _, _, r in stretch) / articles:4.2f}")
    first, last = (sum(t for _, t, _ in s) / sum(n for n, _, _ in s) for s in (stretches[0], stretches[-1]))
    print(f"  the last stretch takes {last / first:.2f}× the first's time per article")
    return 0


if __name__ == "__main__":
    sys.exit(main())
