"""The writer end to end: extracted articles already on the stream → stored, announced and acked.

Measures the store process as deployed (FastStream batch reads, one transaction per batch, story
updates through one pipeline) on PostgreSQL, against a scratch Redis DB you name.

    python bench/store/bench_consumer.py --redis-url redis://127.0.0.1:6379/10 [--articles 3000]

With --processes 1 2 it runs the writer as compose does instead, `python -m store` as separate OS
processes in one consumer group (1, then 2 replicas, each on a fresh database seeded alike), and prints
the steady rate (articles acknowledged between 10% and 90% of the stream, so start-up is not counted),
its ratio to the mean of the first count's rounds, and the clustering's scores against the generated events: replicas
share the stories, so adding one must neither split an event nor lose an article.

With --without content features (bench/store/what_if.py) it runs the writer as it is and the writer without
that work in --rounds pairs of rounds, in alternating order after a warm-up, and prints the summed ratio:
what taking the work off the writer would be worth, measured in the same run.
"""

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg  # noqa: E402
from bench_store import (  # noqa: E402
    PHASES,
    WRITER_BATCH,
    clustering_scores,
    drop_database,
    generated_articles,
    phase_seconds,
    phases_text,
    postgres_server,
    scores_text,
    seeded_database,
)
from demo.services import Services, base_environment  # noqa: E402
from faststream.redis import RedisBroker  # noqa: E402
from newsflow_shared import streams  # noqa: E402
from newsflow_shared.contracts import extracted_articles, story_updates  # noqa: E402
from newsflow_shared.logs import configure_logging  # noqa: E402
from redis.asyncio import Redis  # noqa: E402
from store.app import build_app, tune_garbage_collector  # noqa: E402
from store.settings import StoreSettings  # noqa: E402
from what_if import WORK, without  # noqa: E402


async def publish_all(redis: Redis, redis_url: str, messages: list) -> None:
    """The articles on an otherwise empty extracted-article stream, as the extractor publishes them."""
    await redis.flushdb()
    async with RedisBroker(redis_url) as producer:
        for message in messages:
            await producer.publish(message, stream=extracted_articles.STREAM, headers=message.headers())


async def unacknowledged(redis: Redis) -> int | None:
    """Entries of the stream the store's group has not acknowledged (unread + pending); None before it exists."""
    groups = {g["name"]: g for g in await redis.xinfo_groups(extracted_articles.STREAM)}
    group = groups.get(streams.STORE_GROUP.encode())
    if group is None or group["lag"] is None:
        return None
    return group["lag"] + group["pending"]


async def measure(args: argparse.Namespace, server_url: str, skipped: tuple[str, ...] = (),
                  seeded: Callable[[str], None] | None = None) -> float:
    """One round of the writer in this process (without the `skipped` work, see what_if); returns its rate.
    `seeded` is called with the database's URL once it is seeded, before the writer starts."""
    database_url = seeded_database(server_url, args.stories)
    if seeded is not None:
        seeded(database_url)
    messages = generated_articles(args.articles, seed=5)
    async with Redis.from_url(args.redis_url) as redis:
        with without(skipped, messages):  # the features it precomputes: before the clock
            await publish_all(redis, args.redis_url, messages)
            settings = StoreSettings(REDIS_URL=args.redis_url, DATABASE_URL=database_url, consumer_name="bench",
                                     batch_size=args.batch, log_level=args.log_level)
            configure_logging("store", level=settings.log_level, fmt=settings.log_format)  # as `python -m store`
            app = build_app(settings)
            tune_garbage_collector()  # as `python -m store` does
            phased, started = phase_seconds(), time.perf_counter()
            async with app.start_lifespan_context():
                while await unacknowledged(redis) != 0:
                    await asyncio.sleep(0.05)  # poll interval
                elapsed = time.perf_counter() - started
            updates = await redis.xlen(story_updates.STREAM)
            await redis.flushdb()
    phases = phase_seconds()
    drop_database(server_url, database_url)
    in_transactions = sum(phases[name] - phased[name] for name in PHASES)
    what = f" without {' and '.join(skipped)} (what-if)" if skipped else ""
    print(f"{args.articles:,} articles, {args.stories:,} stories seeded, batch {args.batch}: "
          f"{args.articles / elapsed:,.0f} articles/s through the writer{what} ({1000 * elapsed / args.articles:.2f} "
          f"ms each)")
    print(f"  ms per article by phase of the transactions: {phases_text(phased, phases, args.articles)}; "
          f"outside them (the app's start, reading, decoding, publishing, acknowledging): "
          f"{1000 * (elapsed - in_transactions) / args.articles:.2f}")
    print(f"  story updates published: {updates:,} ({updates / args.articles:.2f} per article)", flush=True)
    return args.articles / elapsed


async def measure_what_if(args: argparse.Namespace, server_url: str) -> None:
    """Pairs of rounds in alternating order (as is first, then last): the machine's speed drifts between runs.
    An uncounted first round warms the process's word → term cache (store.terms), as a running writer has it:
    the rounds all store the same generated articles, so the first would otherwise be the only cold one."""
    print("warm-up round (not counted):")
    await measure(args, server_url)
    rates: dict[tuple[str, ...], list[float]] = {(): [], tuple(args.without): []}
    for pair in range(args.rounds):
        for skipped in list(rates)[::1 if pair % 2 == 0 else -1]:
            rates[skipped].append(await measure(args, server_url, skipped))
    base, what_if = rates.values()
    print(f"without {' and '.join(args.without)}: {sum(what_if) / sum(base):.2f}x the writer as it is (summed over "
          f"{args.rounds} pair(s); rounds {' / '.join(f'{r:,.0f}' for r in what_if)} against "
          f"{' / '.join(f'{r:,.0f}' for r in base)} articles/s)")


async def measure_processes(args: argparse.Namespace, server_url: str, replicas: int) -> float:
    """`replicas` writer processes drain the same stream into a fresh database; returns their steady rate."""
    database_url = seeded_database(server_url, args.stories)
    messages = generated_articles(args.articles, seed=5)
    env = {**base_environment(redis_url=args.redis_url, database_url=database_url),
           "STORE_BATCH_SIZE": str(args.batch), "STORE_LOG_LEVEL": args.log_level}
    async with Redis.from_url(args.redis_url) as redis:
        await publish_all(redis, args.redis_url, messages)
        with tempfile.TemporaryDirectory(prefix="bench-writers-") as logs:
            services = Services(env=env, log_dir=Path(logs))
            try:
                for n in range(replicas):
                    services.start(f"store-{n}", "store", {"STORE_CONSUMER_NAME": f"bench-{n}"})
                (t10, n10), (t90, n90) = await acknowledged_marks(redis, services, total=len(messages))
            finally:
                services.stop_all()
        await redis.flushdb()
    libpq_url = database_url.replace("+psycopg", "")
    with psycopg.connect(libpq_url) as conn:
        stored = conn.execute("select count(*) from article").fetchone()[0]
    scores = clustering_scores(libpq_url, messages)
    drop_database(server_url, database_url)
    rate = (n90 - n10) / (t90 - t10)
    quality = "" if scores is None else f"; clustering vs generated events: {scores_text(scores)}"
    print(f"{replicas} writer process(es), {args.articles:,} articles, {args.stories:,} stories seeded, batch "
          f"{args.batch}: {rate:,.0f} articles/s steady ({1000 / rate:.2f} ms each); stored {stored:,} of "
          f"{len(messages):,}{quality}", flush=True)
    return rate


async def acknowledged_marks(redis: Redis, services: Services, *, total: int,
                             timeout_s: float = 600.0) -> tuple[tuple[float, int], tuple[float, int]]:
    """(time, articles acknowledged) when the group first passed 10% and 90% of `total`; waits for all."""
    marks: list[tuple[float, int]] = []
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        services.check_alive()
        left = await unacknowledged(redis)
        if left is not None:
            acknowledged, now = total - left, time.perf_counter()
            if not marks and acknowledged >= 0.1 * total or len(marks) == 1 and acknowledged >= 0.9 * total:
                marks.append((now, acknowledged))
            if left == 0:
                return marks[0], marks[1]
        await asyncio.sleep(0.05)  # poll interval
    raise AssertionError(f"the writers did not drain the stream within {timeout_s:.0f}s:\n{services.tails()}")


async def measure_replicas(args: argparse.Namespace, server_url: str) -> None:
    """Rounds in the order given (alternate them, `1 2 1 2`: the machine's speed drifts between runs)."""
    rates = [await measure_processes(args, server_url, replicas) for replicas in args.processes]
    first = [rate for replicas, rate in zip(args.processes, rates, strict=True) if replicas == args.processes[0]]
    baseline = sum(first) / len(first)
    for replicas, rate in zip(args.processes, rates, strict=True):
        print(f"  {replicas} process(es): {rate:,.0f} articles/s, {rate / baseline:.2f}x the mean of the "
              f"{args.processes[0]}-process rounds")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--redis-url", required=True, help="a Redis DB this run may flush")
    parser.add_argument("--database-url", help="a PostgreSQL server URL (a scratch database is created on it)")
    parser.add_argument("--articles", type=int, default=3000)
    parser.add_argument("--stories", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=WRITER_BATCH)
    parser.add_argument("--log-level", default="WARNING",
                        help="the writer's; at INFO it logs a line per article (send stderr elsewhere)")
    parser.add_argument("--processes", type=int, nargs="+", metavar="N",
                        help="run N `python -m store` processes per round instead of the writer in this process")
    parser.add_argument("--without", nargs="+", choices=WORK, default=[],
                        help="what-if: also run the writer without this work, alternating (see what_if.py)")
    parser.add_argument("--rounds", type=int, default=1, help="--without: pairs of rounds")
    args = parser.parse_args(argv)
    if args.processes and args.articles < 10 * args.batch:
        parser.error("--processes reads the rate between 10% and 90% acknowledged: give --articles ≥ 10 batches")
    if args.processes and args.without:
        parser.error("--without patches the writer in this process: it does not go with --processes")
    run = measure_replicas if args.processes else measure_what_if if args.without else measure
    with postgres_server(args.database_url) as server:
        asyncio.run(run(args, server))
    return 0


if __name__ == "__main__":
    sys.exit(main())
