"""The writer end to end: extracted articles already on the stream → stored, announced and acked.

Measures the store process as deployed (FastStream batch reads, one transaction per batch, story
updates through one pipeline) on PostgreSQL, against a scratch Redis DB you name.

    python bench/store/bench_consumer.py --redis-url redis://127.0.0.1:6379/10 [--articles 3000]
"""

import argparse
import asyncio
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import WRITER_BATCH, drop_database, fresh_database, generated_articles, seed_stories, vacuum_analyze  # noqa: E402
from faststream.redis import RedisBroker  # noqa: E402
from newsflow_shared import streams  # noqa: E402
from newsflow_shared.contracts import extracted_articles  # noqa: E402
from newsflow_shared.logs import configure_logging  # noqa: E402
from redis.asyncio import Redis  # noqa: E402
from store.app import build_app, tune_garbage_collector  # noqa: E402
from store.settings import StoreSettings  # noqa: E402
from store.testing import migrated_engine  # noqa: E402


async def measure(args: argparse.Namespace, server_url: str) -> None:
    database_url = fresh_database(server_url)
    migrated_engine(database_url).dispose()
    seed_stories(database_url.replace("+psycopg", ""), args.stories, offset=0, seed=args.stories)
    vacuum_analyze(database_url.replace("+psycopg", ""))
    async with Redis.from_url(args.redis_url) as redis:
        await redis.flushdb()
        async with RedisBroker(args.redis_url) as producer:
            for message in generated_articles(args.articles, seed=5):
                await producer.publish(message, stream=extracted_articles.STREAM, headers=message.headers())
        settings = StoreSettings(REDIS_URL=args.redis_url, DATABASE_URL=database_url, consumer_name="bench",
                                 batch_size=args.batch, log_level=args.log_level)
        configure_logging("store", level=settings.log_level, fmt=settings.log_format)  # as `python -m store`
        app = build_app(settings)
        tune_garbage_collector()  # as `python -m store` does
        started = time.perf_counter()
        async with app.start_lifespan_context():
            while True:
                groups = {g["name"]: g for g in await redis.xinfo_groups(extracted_articles.STREAM)}
                group = groups.get(streams.STORE_GROUP.encode())
                if group and group["pending"] == 0 and group["lag"] == 0:
                    break
                await asyncio.sleep(0.05)  # poll interval
            elapsed = time.perf_counter() - started
        await redis.flushdb()
    drop_database(server_url, database_url)
    print(f"{args.articles:,} articles, {args.stories:,} stories seeded, batch {args.batch}: "
          f"{args.articles / elapsed:,.0f} articles/s through the writer ({1000 * elapsed / args.articles:.2f} ms each)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--redis-url", required=True, help="a Redis DB this run may flush")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (a scratch database is created on it)")
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=WRITER_BATCH)
    parser.add_argument("--log-level", default="WARNING",
                        help="the writer's; at INFO it logs a line per article (send stderr elsewhere)")
    args = parser.parse_args(argv)
    if args.database_url:
        asyncio.run(measure(args, args.database_url))
        return 0
    from tests.support.backing_services import provide_postgres

    with provide_postgres() as server:
        asyncio.run(measure(args, server))
    return 0


if __name__ == "__main__":
    sys.exit(main())
