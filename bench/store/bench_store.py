"""Store throughput with clustering on, on PostgreSQL, at 1k / 10k / 100k stories already in the database.

For each size a fresh database is seeded with that many stories (their index keys and centroids, all
inside the matching window, statistics analysed), then the same extracted articles are stored: first
`--baseline-articles` one message per transaction (the per-message path), then the rest through
`ingest_articles` in batches (one transaction per batch, as the batch consumer does). Only the number of
stories differs between sizes. Prints articles/s, ms per article, the CPU spent per article in this
process and in the database's backends (a figure the machine's other load hardly moves; needs the
server on this machine), the ratio batched / per-message, and (generated articles) the clustering's
pairwise and BCubed scores against the events the articles were generated from: speed with clustering
that works. The process's garbage collector is tuned as the writer's (store.app.tune_garbage_collector).

The machine's speed varies from day to day, so the run also measures the issue's yardstick, FastStream
consuming one message at a time (bench/store/reference.py), and prints the batched rate as a ratio of it:
the target (≥ 500 articles/s where that consumer did 1,100 messages/s) is a ratio ≥ 0.45.

    python bench/store/bench_store.py --database-url postgresql+psycopg://... --redis-url redis://.../15

Without --database-url / --redis-url a PostgreSQL / Redis is found or started as the tests do (the
reference uses a scratch stream it deletes). Without --corpus the articles are generated: events with
their own words, names, place and figure, reported by several outlets, carrying what the extractor
sends (entities, figures, an event record) and sentences a summary can use (--plain-articles: without).
"""

import argparse
import contextlib
import json
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg  # noqa: E402
from newsflow_shared.contracts.enrichment import (  # noqa: E402
    Actor,
    ActorType,
    Entity,
    EntityKind,
    Event,
    Place,
    QuadClass,
    Quantity,
)
from prometheus_client import REGISTRY  # noqa: E402
from reference import TARGET_RATIO, measure_reference  # noqa: E402
from store.app import tune_garbage_collector  # noqa: E402
from store.db import make_engine  # noqa: E402
from store.evaluation import Scores, bcubed, pairwise  # noqa: E402
from store.ingest import ingest_articles  # noqa: E402
from store.settings import StoreSettings  # noqa: E402
from store.testing import extracted, message_from_record, migrated_engine, read_records, source_ref  # noqa: E402

WRITER_BATCH = StoreSettings.model_fields["batch_size"].default

T0 = datetime(2026, 11, 4, 0, 0, tzinfo=UTC)
SIZES = (1_000, 10_000, 100_000)
VOCABULARY = 40_000
OUTLETS = [source_ref(f"outlet-{n}", bias=["left", "lean_left", "center", "lean_right", "right", None][n % 6])
           for n in range(60)]


def word(rng: random.Random) -> str:
    # Zipf-like: a few common words, a long tail, as in news text.
    return f"w{int(rng.paretovariate(1.1)) % VOCABULARY}"


def generated_articles(count: int, seed: int, *, enriched: bool = True, events: int | None = None) -> list:
    """Events with their own words, names, place and figure, each reported by several outlets in its own
    words (`events` of them; by default one for every six articles). `enriched`: as the extractor sends
    them, with sentences a summary can use, entities, figures and an event record; without, the bare
    title and text earlier benches stored (their run-on text gives no summary candidate, so the story
    content cost little: figures from before 2026-12-06)."""
    rng = random.Random(seed)
    messages = []
    events = events or max(1, count // 6)
    for n in range(count):
        event = rng.randrange(events)
        erng = random.Random(f"event-{seed}-{event}")
        topic = [f"t{erng.randrange(10**6)}" for _ in range(12)]
        names = [f"Name{erng.randrange(10**5)} Person{erng.randrange(10**5)}" for _ in range(3)]
        place, figure = f"Place{erng.randrange(10**4)}", erng.randrange(100, 90_000)
        cameo = f"{erng.randrange(1, 21):02d}"
        title = " ".join(rng.sample(topic, 5) + [word(rng) for _ in range(4)])
        sentences = []
        for _ in range(10):
            words = rng.sample(topic, 3) + [word(rng) for _ in range(12)]
            rng.shuffle(words)
            sentence = " ".join(words) + f" said {rng.choice(names)}, with {rng.randrange(10, 9000)} people."
            sentences.append(sentence[0].upper() + sentence[1:] if enriched else sentence)
        published = T0 + timedelta(minutes=event % 2000 + rng.randrange(120))
        extra = {}
        if enriched:
            # Most outlets report the event's figure, a few another one; background names recur across events.
            reported = figure if rng.random() < 0.8 else rng.randrange(100, 90_000)
            lead = f"In {place}, {reported:,} people were counted, {names[0]} said. "
            sentences.insert(0, lead.strip())
            background = [f"Org{rng.randrange(2_000)}" for _ in range(4)]
            extra = {
                "entities": [Entity(name=name, kind=EntityKind.PERSON, mentions=rng.randint(1, 3)) for name in names]
                + [Entity(name=place, kind=EntityKind.PLACE, mentions=rng.randint(1, 3))]
                + [Entity(name=org, kind=EntityKind.ORGANISATION, mentions=1) for org in background],
                "quantities": [Quantity(value=reported, text=f"{reported:,}", counted="people", sentence=lead,
                                        offset=len(f"In {place}, "))],
                "events": [Event(actor1=Actor(name=names[0], type=ActorType.GOVERNMENT), cameo_root=cameo,
                                 action="event", verb="say", quad_class=QuadClass.VERBAL_COOPERATION, goldstein=1.0,
                                 place=Place(name=place), sentence=lead, confidence=round(rng.uniform(0.5, 0.95), 2))],
            }
        messages.append(extracted(f"https://bench.example/{seed}/{n}", title=title, text=" ".join(sentences),
                                  source=rng.choice(OUTLETS), content_hash="bench", published_at=published,
                                  fetched_at=published, extracted_at=published, **extra))
    return messages


def seed_stories(libpq_url: str, count: int, *, offset: int, seed: int) -> None:
    """Bulk-insert `count` stories with 12 index keys each, recent enough to be candidates, and named
    entities as the extractor's articles give them (people of their own, organisations from the pool
    the generated articles draw theirs from)."""
    rng = random.Random(seed)
    names = random.Random(f"entities-{seed}")
    entities = [{f"name{names.randrange(10**5)} person{names.randrange(10**5)}": 3.0 for _ in range(3)}
                | {f"org{names.randrange(2_000)}": 1.0 for _ in range(2)} for _ in range(count)]
    with psycopg.connect(libpq_url) as conn, conn.cursor() as cur:
        with cur.copy("copy story (id, title, key_terms, article_count, source_count, bias_counts, created_at, "
                      "updated_at, version, last_change, centroid, last_published_at, coverage, summary, "
                      "key_numbers, entities) from stdin") as copy:
            for n in range(offset, offset + count):
                terms = {f"t{rng.randrange(10**6)}": 1.0 for _ in range(10)} | {word(rng): 1.0 for _ in range(20)}
                at = T0 + timedelta(minutes=rng.randrange(2200))
                centroid = {"title": dict(list(terms.items())[:6]), "body": terms, "entities": entities[n - offset]}
                copy.write_row((f"seed-{n}", f"seeded story {n}", "", 3, 3, "{}", at, at, 1, "created",
                                json.dumps(centroid), at, "{}", "[]", "[]", "[]"))
        with cur.copy("copy story_key (key, story_id, last_seen) from stdin") as copy:
            rng = random.Random(seed)
            for n in range(offset, offset + count):
                at = T0 + timedelta(minutes=rng.randrange(2200))
                for key in {f"w:t{rng.randrange(10**6)}" for _ in range(8)} | {f"w:{word(rng)}" for _ in range(4)}:
                    copy.write_row((key, f"seed-{n}", at))
                for name in entities[n - offset]:
                    copy.write_row((f"e:{name}", f"seed-{n}", at))
        conn.commit()


def run(engine, messages: list, batch: int) -> float:
    started = time.perf_counter()
    for first in range(0, len(messages), batch):
        chunk = messages[first:first + batch]
        ingest_articles(engine, chunk, now=chunk[-1].published_at)
    return time.perf_counter() - started


PHASES = ("features", "read", "place", "write", "recount", "story_update", "announce", "commit")
WAITS = {"write": "write_wait", "recount": "recount_wait"}


def phase_seconds() -> dict[str, float]:
    """Seconds each phase of the writer's transactions has taken so far in this process (store.metrics)."""
    return {name: REGISTRY.get_sample_value("newsflow_store_batch_phase_seconds_sum", {"phase": name}) or 0.0
            for name in (*PHASES, *WAITS.values())}


def phases_text(before: dict[str, float], after: dict[str, float], articles: int) -> str:
    def ms(name: str) -> str:
        return f"{1000 * (after[name] - before[name]) / articles:.2f}"
    return ", ".join(f"{name} {ms(name)}" + (f" (waiting {ms(WAITS[name])})" if name in WAITS else "")
                     for name in PHASES)


def backend_cpu_s(libpq_url: str) -> float | None:
    """CPU seconds used so far by the PostgreSQL backends serving the database (None unless the server
    runs on this machine and /proc shows its processes): a figure other processes' load hardly moves."""
    with psycopg.connect(libpq_url) as conn:
        pids = [pid for (pid,) in conn.execute(
            "select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()")]
    total = 0.0
    try:
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None
    return total


def vacuum_analyze(libpq_url: str) -> None:
    """Fresh statistics after a bulk seed, as a database in service has, and no autovacuum mid-run."""
    with psycopg.connect(libpq_url, autocommit=True) as conn:
        conn.execute("vacuum analyze")


def fresh_database(server_url: str) -> str:
    name = f"bench_store_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def seeded_database(server_url: str, stories: int) -> str:
    """A fresh, migrated database with `stories` seeded stories, analysed; its SQLAlchemy URL."""
    database_url = fresh_database(server_url)
    libpq_url = database_url.replace("+psycopg", "")
    migrated_engine(database_url).dispose()
    seed_stories(libpq_url, stories, offset=0, seed=stories)
    vacuum_analyze(libpq_url)
    return database_url


@contextlib.contextmanager
def postgres_server(database_url: str | None) -> Iterator[str]:
    """The PostgreSQL server given, else the one the tests would use (running, or started for the run)."""
    if database_url:
        yield database_url
        return
    from tests.support.backing_services import provide_postgres

    with provide_postgres() as server:
        yield server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server URL (a scratch database is created on it)")
    parser.add_argument("--corpus", type=Path, help="JSON lines (id, title, text, published, source, story)")
    parser.add_argument("--articles", type=int, default=20_000,
                        help="batched path, split across the sizes (each size stores the same articles)")
    parser.add_argument("--baseline-articles", type=int, default=300, help="per-message path, per size")
    parser.add_argument("--batch", type=int, default=WRITER_BATCH,
                        help=f"articles per transaction (default {WRITER_BATCH}, the writer's STORE_BATCH_SIZE)")
    parser.add_argument("--sizes", type=lambda text: [int(n) for n in text.split(",")], default=list(SIZES),
                        help="stories in the database, comma-separated (default 1000,10000,100000)")
    parser.add_argument("--plain-articles", action="store_true",
                        help="generate bare articles (no summary sentences, entities, figures or events), as "
                             "runs before 2026-12-06 did: to compare with their figures")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases (dropped by default)")
    parser.add_argument("--redis-url", help="Redis for the FastStream reference (a scratch stream, deleted after)")
    args = parser.parse_args(argv)
    from tests.support.backing_services import provide_redis

    with contextlib.ExitStack() as stack:
        server = stack.enter_context(postgres_server(args.database_url))
        redis_url = args.redis_url or stack.enter_context(provide_redis())
        return measure(args, server, redis_url)


def measure(args: argparse.Namespace, server_url: str, redis_url: str) -> int:
    tune_garbage_collector()  # as the writer process does
    per_size = args.articles // len(SIZES)  # the default split, so a run of fewer sizes stores as many
    if args.corpus:
        corpus = [message_from_record(r) for r in read_records(args.corpus)]
        pool = [corpus[n % len(corpus)].model_copy(update={"canonical_url": f"{corpus[n % len(corpus)].canonical_url}#{n}",
                                                            "article_id": f"bench-{n}"})
                for n in range(per_size + args.baseline_articles)]
    else:
        pool = generated_articles(per_size + args.baseline_articles, seed=7, enriched=not args.plain_articles)
    print(f"{per_size:,} articles batched ({args.batch}/transaction) after {args.baseline_articles:,} one per "
          f"transaction, the same articles into a fresh database per size; clustering on, PostgreSQL; other "
          f"processes share this machine's CPUs. CPU columns: ms of CPU per batched article in this process "
          f"and in the database's backends.")
    print(f"{'stories':>9} {'batched/s':>10} {'ms/article':>11} {'cpu ms':>7} {'db cpu ms':>9} "
          f"{'per-msg/s':>10} {'ms/article':>11} {'ratio':>6} {'reference/s':>12} {'vs reference':>12}")
    rates, quality, phases = [], [], []
    for size in args.sizes:
        database_url = seeded_database(server_url, size)
        try:  # the scratch database goes whatever happens (a failed run left one on the server)
            libpq_url = database_url.replace("+psycopg", "")
            engine = make_engine(database_url, writer=True)
            baseline, batched_msgs = pool[:args.baseline_articles], pool[args.baseline_articles:]
            single = run(engine, baseline, 1)
            cpu, db_cpu, phased = time.process_time(), backend_cpu_s(libpq_url), phase_seconds()
            batched = run(engine, batched_msgs, args.batch)
            cpu, db_after = time.process_time() - cpu, backend_cpu_s(libpq_url)
            phases.append((size, phases_text(phased, phase_seconds(), len(batched_msgs))))
            db = f"{1000 * (db_after - db_cpu) / len(batched_msgs):.2f}" if db_cpu is not None and db_after is not None else "n/a"
            b_rate, s_rate = len(batched_msgs) / batched, len(baseline) / single
            reference = measure_reference(redis_url)  # right after this size's run: the same machine conditions
            cpu_ms = 1000 * cpu / len(batched_msgs) + (float(db) if db != "n/a" else 0.0)
            rates.append((size, b_rate, reference, cpu_ms))
            print(f"{size:>9,} {b_rate:>10,.0f} {1000 / b_rate:>11.2f} {1000 * cpu / len(batched_msgs):>7.2f} {db:>9} "
                  f"{s_rate:>10,.0f} {1000 / s_rate:>11.2f} {b_rate / s_rate:>5.1f}x {reference:>12,.0f} "
                  f"{b_rate / reference:>12.2f}", flush=True)
            engine.dispose()
            quality.append((size, clustering_scores(libpq_url, pool)))
        finally:
            if not args.keep:
                drop_database(server_url, database_url)
    first_size, first_rate, _, first_cpu = rates[0]
    for size, rate, reference, cpu_ms in rates:
        print(f"{size:>9,} stories: {rate / reference:.2f} of the FastStream per-message reference (target "
              f"≥ {TARGET_RATIO:.2f}); time per article {first_rate / rate:.2f}× that at {first_size:,} stories, "
              f"CPU per article (writer + database) {cpu_ms / first_cpu:.2f}×")
    for size, text in phases:
        print(f"{size:>9,} stories: ms per batched article by phase of the transaction: {text}")
    for size, scores in quality:
        if scores is not None:
            print(f"{size:>9,} stories: clustering against the generated events (every stored article): "
                  f"{scores_text(scores)}")
    return 0


def clustering_scores(libpq_url: str, messages: list) -> tuple[Scores, Scores] | None:
    """Pairwise and BCubed scores of the stored articles' stories against the events they were generated
    from (an event's actor names it); None for articles without event records (--plain-articles, --corpus)."""
    gold = {m.article_id: m.events[0].actor1.name for m in messages if m.events and m.events[0].actor1}
    if len(gold) < len(messages):
        return None
    with psycopg.connect(libpq_url) as conn:
        merged = dict(conn.execute("select id, merged_into from story where merged_into is not null").fetchall())
        placed = dict(conn.execute("select id, story_id from article").fetchall())
    predicted = {}
    for article_id in gold:
        story = placed[article_id]
        while story in merged:  # merges point straight at the survivor, so this is one hop
            story = merged[story]
        predicted[article_id] = story
    return pairwise(predicted, gold), bcubed(predicted, gold)


def scores_text(scores: tuple[Scores, Scores]) -> str:
    pair, cubed = scores
    return f"pairwise P/R {pair.precision:.3f}/{pair.recall:.3f}, BCubed P/R {cubed.precision:.3f}/{cubed.recall:.3f}"


def drop_database(server_url: str, database_url: str) -> None:
    with psycopg.connect(server_url.replace("+psycopg", ""), autocommit=True) as conn:
        # force: a run that failed may still hold connections to it
        conn.execute(f'drop database if exists "{database_url.rsplit("/", 1)[1]}" with (force)')


if __name__ == "__main__":
    sys.exit(main())
