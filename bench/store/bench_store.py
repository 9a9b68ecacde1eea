"""Store throughput with clustering on, on PostgreSQL, at 1k / 10k / 100k stories already in the database.

For each size the database is pre-seeded with bulk inserts (stories, their index keys and centroids,
document frequencies, all inside the matching window), then extracted articles are fed through
`ingest_articles` in batches (one transaction per batch, as the batch consumer does) and, as the
baseline measured in the same run, one message per transaction (the per-message path). Prints
articles/s, ms per article and the ratio batched / per-message.

    python bench/store/bench_store.py --database-url postgresql+psycopg://... [--corpus labelled.jsonl]

Without --database-url a PostgreSQL is found or started as the tests do. Without --corpus the
articles are generated: events with their own words and names, reported by several outlets.
"""

import argparse
import json
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import psycopg  # noqa: E402
from store.db import make_engine  # noqa: E402
from store.ingest import ingest_articles  # noqa: E402
from store.testing import extracted, message_from_record, migrated_engine, read_records, source_ref  # noqa: E402

T0 = datetime(2026, 11, 4, 0, 0, tzinfo=UTC)
SIZES = (1_000, 10_000, 100_000)
VOCABULARY = 40_000
OUTLETS = [source_ref(f"outlet-{n}", bias=["left", "lean_left", "center", "lean_right", "right", None][n % 6])
           for n in range(60)]


def word(rng: random.Random) -> str:
    # Zipf-like: a few common words, a long tail, as in news text.
    return f"w{int(rng.paretovariate(1.1)) % VOCABULARY}"


def generated_articles(count: int, seed: int) -> list:
    rng = random.Random(seed)
    messages = []
    events = max(1, count // 6)
    for n in range(count):
        event = rng.randrange(events)
        erng = random.Random(f"event-{seed}-{event}")
        topic = [f"t{erng.randrange(10**6)}" for _ in range(12)]
        names = [f"Name{erng.randrange(10**5)} Person{erng.randrange(10**5)}" for _ in range(3)]
        title = " ".join(rng.sample(topic, 5) + [word(rng) for _ in range(4)])
        sentences = []
        for _ in range(10):
            words = rng.sample(topic, 3) + [word(rng) for _ in range(12)]
            rng.shuffle(words)
            sentences.append(" ".join(words) + f" said {rng.choice(names)}, with {rng.randrange(10, 9000)} people.")
        published = T0 + timedelta(minutes=event % 2000 + rng.randrange(120))
        messages.append(extracted(f"https://bench.example/{seed}/{n}", title=title, text=" ".join(sentences),
                                  source=rng.choice(OUTLETS), content_hash="bench", published_at=published,
                                  fetched_at=published, extracted_at=published))
    return messages


def seed_stories(libpq_url: str, count: int, *, offset: int, seed: int) -> None:
    """Bulk-insert `count` stories with 12 index keys each, recent enough to be candidates."""
    rng = random.Random(seed)
    with psycopg.connect(libpq_url) as conn, conn.cursor() as cur:
        with cur.copy("copy story (id, title, key_terms, article_count, source_count, bias_counts, created_at, "
                      "updated_at, version, last_change, centroid, last_published_at, coverage, summary, "
                      "key_numbers, entities) from stdin") as copy:
            for n in range(offset, offset + count):
                terms = {f"t{rng.randrange(10**6)}": 1.0 for _ in range(10)} | {word(rng): 1.0 for _ in range(20)}
                at = T0 + timedelta(minutes=rng.randrange(2200))
                centroid = {"title": dict(list(terms.items())[:6]), "body": terms, "entities": {}}
                copy.write_row((f"seed-{n}", f"seeded story {n}", "", 3, 3, "{}", at, at, 1, "created",
                                json.dumps(centroid), at, "{}", "[]", "[]", "[]"))
        with cur.copy("copy story_key (key, story_id, last_seen) from stdin") as copy:
            rng = random.Random(seed)
            for n in range(offset, offset + count):
                at = T0 + timedelta(minutes=rng.randrange(2200))
                for key in {f"w:t{rng.randrange(10**6)}" for _ in range(8)} | {f"w:{word(rng)}" for _ in range(4)}:
                    copy.write_row((key, f"seed-{n}", at))
        conn.commit()


def run(engine, messages: list, batch: int) -> float:
    started = time.perf_counter()
    for first in range(0, len(messages), batch):
        chunk = messages[first:first + batch]
        ingest_articles(engine, chunk, now=chunk[-1].published_at)
    return time.perf_counter() - started


def fresh_database(server_url: str) -> str:
    name = f"bench_store_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server URL (a scratch database is created on it)")
    parser.add_argument("--corpus", type=Path, help="JSON lines (id, title, text, published, source, story)")
    parser.add_argument("--articles", type=int, default=20_000, help="batched path, split across the sizes")
    parser.add_argument("--baseline-articles", type=int, default=300, help="per-message path, per size")
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args(argv)
    if args.database_url:
        return measure(args, args.database_url)
    from tests.support.backing_services import provide_postgres

    with provide_postgres() as server:
        return measure(args, server)


def measure(args: argparse.Namespace, server_url: str) -> int:
    database_url = fresh_database(server_url)
    migrated_engine(database_url).dispose()
    engine = make_engine(database_url, writer=True)
    per_size = args.articles // len(SIZES)
    if args.corpus:
        corpus = [message_from_record(r) for r in read_records(args.corpus)]
        pool = [corpus[n % len(corpus)].model_copy(update={"canonical_url": f"{corpus[n % len(corpus)].canonical_url}#{n}",
                                                            "article_id": f"bench-{n}"})
                for n in range(per_size * len(SIZES) + args.baseline_articles * len(SIZES))]
    else:
        pool = generated_articles(per_size * len(SIZES) + args.baseline_articles * len(SIZES), seed=7)
    print(f"{args.articles:,} articles batched ({args.batch}/transaction) + {args.baseline_articles:,} per size "
          f"one per transaction, clustering on, PostgreSQL; other processes share this machine's CPUs")
    print(f"{'stories':>9} {'batched/s':>10} {'ms/article':>11} {'per-msg/s':>10} {'ms/article':>11} {'ratio':>6}")
    seeded, cursor = 0, 0
    for size in SIZES:
        seed_stories(database_url.replace("+psycopg", ""), size - seeded, offset=seeded, seed=size)
        seeded = size
        baseline = pool[cursor:cursor + args.baseline_articles]
        cursor += len(baseline)
        single = run(engine, baseline, 1)
        batched_msgs = pool[cursor:cursor + per_size]
        cursor += len(batched_msgs)
        batched = run(engine, batched_msgs, args.batch)
        b_rate, s_rate = len(batched_msgs) / batched, len(baseline) / single
        print(f"{size:>9,} {b_rate:>10,.0f} {1000 / b_rate:>11.2f} {s_rate:>10,.0f} {1000 / s_rate:>11.2f} "
              f"{b_rate / s_rate:>5.1f}x", flush=True)
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
