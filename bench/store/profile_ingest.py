"""Where one batch of ingest spends its time: statements per article and a cProfile of the batched path.

    python bench/store/profile_ingest.py [--database-url postgresql+psycopg://...] [--stories 1000]
"""

import argparse
import cProfile
import pstats
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa
from bench_store import fresh_database, generated_articles, seed_stories
from store.db import make_engine
from store.ingest import ingest_articles
from store.testing import migrated_engine


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args(argv)
    if args.database_url:
        return profile(args, args.database_url)
    from tests.support.backing_services import provide_postgres

    with provide_postgres() as server:
        return profile(args, server)


def profile(args: argparse.Namespace, server_url: str) -> int:
    database_url = fresh_database(server_url)
    migrated_engine(database_url).dispose()
    seed_stories(database_url.replace("+psycopg", ""), args.stories, offset=0, seed=args.stories)
    engine = make_engine(database_url, writer=True)
    statements: Counter = Counter()

    @sa.event.listens_for(engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany):
        statements[" ".join(statement.split())[:90]] += 1

    messages = generated_articles(args.articles, seed=11)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for first in range(0, len(messages), args.batch):
        chunk = messages[first:first + args.batch]
        ingest_articles(engine, chunk, now=chunk[-1].published_at)
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"{len(messages)} articles in {elapsed:.2f}s = {len(messages) / elapsed:.0f}/s; "
          f"{sum(statements.values()) / len(messages):.1f} statements/article")
    for statement, n in statements.most_common(25):
        print(f"{n / len(messages):7.2f}  {statement}")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
