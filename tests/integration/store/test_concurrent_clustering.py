"""Two store processes clustering into one PostgreSQL at once: one story per event, no assignment lost."""

import multiprocessing
import threading
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, func, select
from store.evaluation import bcubed, pairwise
from store.ingest import ingest_articles
from store.models import Article, Story
from store.stories import resolve_story_id
from store.testing import message_from_record, migrated_engine, read_records

LABELLED = Path(__file__).resolve().parents[3] / "bench" / "store" / "data" / "labelled.jsonl"
NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)


def replica(database_url: str, records: list[dict], start, batch: int) -> None:
    """One store process: its own engine, its share of the stream, each batch released together with
    the peer's (a barrier), so the two transactions overlap as much as they ever could."""
    from store.db import make_engine

    engine = make_engine(database_url, writer=True)
    for first in range(0, len(records), batch):
        try:
            start.wait(60)
        except threading.BrokenBarrierError:
            pass  # the peer has finished its share: carry on alone
        messages = [message_from_record(r) for r in records[first:first + batch]]
        ingest_articles(engine, messages, now=NOW)
    start.abort()
    engine.dispose()


def split_for_races(records: list[dict]) -> tuple[list[dict], list[dict]]:
    """Every event's first two reports go to different replicas, so both would found its story at once."""
    seen: dict[str, int] = defaultdict(int)
    shares: tuple[list[dict], list[dict]] = ([], [])
    for record in records:
        shares[seen[record["story"]] % 2].append(record)
        seen[record["story"]] += 1
    return shares


def run_replicas(database_url: str, shares: tuple[list[dict], ...], batch: int) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(len(shares))
    processes = [context.Process(target=replica, args=(database_url, share, start, batch)) for share in shares]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [p.exitcode for p in processes] == [0] * len(processes)


SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "po", "du", "fe"]
EVENTS = 48


def made_up_word(n: int) -> str:
    """A word no other event uses, so events are unmistakably apart and reports of one are alike."""
    return "".join(SYLLABLES[(n // len(SYLLABLES) ** i) % len(SYLLABLES)] for i in range(4)).capitalize()


def event_reports(outlets: int) -> list[dict]:
    """Each event told by several outlets in the same short words (too short to count as copies)."""
    records = []
    for n in range(EVENTS):
        words = [made_up_word(n * 6 + i) for i in range(6)]
        for outlet in range(outlets):
            records.append({
                "id": f"outlet-{outlet}/event-{n}", "source": f"outlet-{outlet}", "story": f"event-{n}",
                "title": " ".join(words[:4]), "text": " ".join(words) + ". " + " ".join(reversed(words)) + ".",
                "published": f"2025-06-16T08:{n:02d}:00+00:00",  # every outlet at once: the worst race
            })
    return records


def test_two_store_processes_never_found_two_stories_for_one_event(postgres_url: str) -> None:
    """48 events, each reported by two outlets at the same minute, the reports split across two processes released at
    once: sequentially every event is one story, and so it is concurrently (without the key locks, the
    replicas each found their own story for most events)."""
    migrated_engine(postgres_url).dispose()
    records = sorted(event_reports(2), key=lambda r: (r["published"], r["id"]))
    run_replicas(postgres_url, split_for_races(records), batch=1)
    engine = migrated_engine(postgres_url)
    with Session(engine) as session:
        placed = dict(session.exec(select(Article.canonical_url, Article.story_id)).all())
        predicted = {r["id"]: resolve_story_id(session, placed[f"https://eval.example/{r['id']}"]) for r in records}
        live = session.exec(select(func.count()).select_from(Story).where(Story.article_count > 0)).one()
        counted = session.exec(select(func.sum(Story.article_count))).one()
    engine.dispose()
    assert len(placed) == len(records) and all(placed.values())
    assert counted == len(records), "every assignment counted in exactly one story"
    assert live == EVENTS
    assert pairwise(predicted, {r["id"]: r["story"] for r in records}).f1 == 1.0


def test_batched_replicas_on_the_labelled_set_lose_nothing(postgres_url: str) -> None:
    """The labelled set split across two processes in batches of 8 (locks held per batch): every article
    is placed and counted once, and the grouping stays close to the sequential one (order differs)."""
    migrated_engine(postgres_url).dispose()
    records = read_records(LABELLED)
    run_replicas(postgres_url, split_for_races(records), batch=8)
    engine = migrated_engine(postgres_url)
    with Session(engine) as session:
        placed = dict(session.exec(select(Article.canonical_url, Article.story_id)).all())
        predicted = {r["id"]: resolve_story_id(session, placed[f"https://eval.example/{r['id']}"]) for r in records}
        counted = session.exec(select(func.sum(Story.article_count))).one()
    engine.dispose()
    gold = {r["id"]: r["story"] for r in records}
    assert len(placed) == len(records) and all(placed.values())
    assert counted == len(records)
    assert bcubed(predicted, gold).f1 >= 0.95
