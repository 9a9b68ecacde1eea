"""Where batched ingest spends its time: per statement kind, how many per article and the ms per article
spent waiting on it; CPU per article in this process and in the database's backends; and a cProfile of
the batched path. The first `--warm` articles (cold caches) are stored before measuring.

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

import sqlalchemy as sa  # noqa: E402
from bench_store import (  # noqa: E402
    WRITER_BATCH,
    backend_cpu_s,
    drop_database,
    generated_articles,
    postgres_server,
    seeded_database,
)
from store.app import tune_garbage_collector  # noqa: E402
from store.db import make_engine  # noqa: E402
from store.ingest import ingest_articles  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--warm", type=int, default=500, help="articles stored before measuring")
    parser.add_argument("--batch", type=int, default=WRITER_BATCH)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sort", default="tottime", help="pstats order: tottime, cumulative, ncalls …")
    parser.add_argument("--only", help="list only functions whose path matches this regular expression (e.g. store/)")
    args = parser.parse_args(argv)
    with postgres_server(args.database_url) as server:
        return profile(args, server)


def profile(args: argparse.Namespace, server_url: str) -> int:
    tune_garbage_collector()  # as the writer process does
    database_url = seeded_database(server_url, args.stories)
    libpq_url = database_url.replace("+psycopg", "")
    engine = make_engine(database_url, writer=True)
    messages = generated_articles(args.warm + args.articles, seed=11)
    store(engine, messages[:args.warm], args.batch)
    messages = messages[args.warm:]
    statements: Counter = Counter()
    waited: Counter = Counter()

    @sa.event.listens_for(engine, "before_cursor_execute")
    def started(conn, cursor, statement, parameters, context, executemany):
        conn.info["statement_started"] = time.perf_counter()

    @sa.event.listens_for(engine, "after_cursor_execute")
    def finished(conn, cursor, statement, parameters, context, executemany):
        kind = " ".join(statement.split())[:90]
        statements[kind] += 1
        waited[kind] += time.perf_counter() - conn.info["statement_started"]

    profiler = cProfile.Profile()
    cpu, db_cpu, wall = time.process_time(), backend_cpu_s(libpq_url), time.perf_counter()
    profiler.enable()
    store(engine, messages, args.batch)
    profiler.disable()
    wall, cpu, db_after = time.perf_counter() - wall, time.process_time() - cpu, backend_cpu_s(libpq_url)
    n = len(messages)
    db = f"{1000 * (db_after - db_cpu) / n:.2f}" if db_cpu is not None and db_after is not None else "n/a"
    print(f"{n} articles in {wall:.2f}s = {n / wall:.0f}/s under cProfile; CPU ms/article: {1000 * cpu / n:.2f} here, "
          f"{db} in the database; {sum(statements.values()) / n:.2f} statements/article, "
          f"{1000 * sum(waited.values()) / n:.2f} ms/article waiting on them")
    print(f"{'per art':>7} {'ms/art':>7}  statement")
    for kind, count in waited.most_common(25):
        print(f"{statements[kind] / n:7.2f} {1000 * count / n:7.3f}  {kind}")
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(*([args.only] if args.only else []), args.top)
    engine.dispose()
    drop_database(server_url, database_url)
    return 0


def store(engine, messages: list, batch: int) -> None:
    for first in range(0, len(messages), batch):
        chunk = messages[first:first + batch]
        ingest_articles(engine, chunk, now=chunk[-1].published_at)


if __name__ == "__main__":
    sys.exit(main())
