"""Where PostgreSQL's time goes in the writer's statements: one round of the writer end to end (as
bench_consumer.py runs it) on a private PostgreSQL cluster that loads pg_stat_statements, then each statement's
server time per article and its share of the whole.

    python bench/store/bench_db_statements.py --redis-url redis://127.0.0.1:6379/14 [--articles 4000 --stories 1000]

Needs initdb and pg_ctl (the cluster is the fault tests' `PrivatePostgres`, removed afterwards). The counts
are reset once the database is seeded, so only the writer's statements count. Server time is execution plus
planning in the backend: not the network, not the client's encoding of the parameters. What the writer waits
for is its `write_wait` and `recount_wait` phases (printed by the round); the rest runs while it computes.
"""

import argparse
import asyncio
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg  # noqa: E402
from bench_consumer import measure  # noqa: E402
from bench_store import WRITER_BATCH  # noqa: E402

from tests.fault.servers import PrivatePostgres  # noqa: E402

STATEMENTS = """
    select calls, total_exec_time + total_plan_time as ms, rows, regexp_replace(query, '\\s+', ' ', 'g')
    from pg_stat_statements
    where dbid = %s
    order by ms desc
"""


def reset_counts(server_libpq: str, database: str) -> int:
    """Start counting afresh; returns the database's oid (the round drops the database, its counts stay)."""
    with psycopg.connect(server_libpq, autocommit=True) as connection:
        connection.execute("select pg_stat_statements_reset()")
        return connection.execute("select oid from pg_database where datname = %s", (database,)).fetchone()[0]


def report(server_libpq: str, database_oid: int, articles: int, top: int) -> None:
    with psycopg.connect(server_libpq, autocommit=True) as connection:
        rows = connection.execute(STATEMENTS, (database_oid,)).fetchall()
    total = sum(ms for _, ms, _, _ in rows)
    print(f"server time in the writer's statements: {total / articles:.3f} ms an article ({len(rows)} statements)")
    print(f"{'ms/article':>10} {'share':>6} {'calls':>7} {'rows/article':>12}  statement")
    for calls, ms, returned, query in rows[:top]:
        print(f"{ms / articles:>10.3f} {ms / total:>6.0%} {calls:>7,} {returned / articles:>12.1f}  {query[:110]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--redis-url", required=True, help="a Redis DB this run may flush")
    parser.add_argument("--articles", type=int, default=4000)
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=WRITER_BATCH)
    parser.add_argument("--top", type=int, default=12, help="statements listed")
    args = parser.parse_args(argv)
    args.log_level = "WARNING"

    cluster = PrivatePostgres()
    with open(cluster.data / "postgresql.conf", "a") as conf:
        conf.write("\nshared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = 'all'\n")
    cluster.start()
    try:
        server_libpq = cluster.url.replace("+psycopg", "")
        with psycopg.connect(server_libpq, autocommit=True) as connection:
            connection.execute("create extension pg_stat_statements")
        oids: list[int] = []

        def seeded(database_url: str) -> None:
            oids.append(reset_counts(server_libpq, database_url.rsplit("/", 1)[1]))

        asyncio.run(measure(args, cluster.url, seeded=seeded))
        report(server_libpq, oids[0], args.articles, args.top)
    finally:
        cluster.remove()
    return 0


if __name__ == "__main__":
    sys.exit(main())
