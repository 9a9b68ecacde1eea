"""A batch in one transaction takes the clustering decisions one message per transaction takes."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from newsflow_shared.contracts.story_updates import Coverage
from store.coverage import compute_coverage, coverage_rows
from store.ingest import Outcome, ingest_article, ingest_articles
from store.models import Article, Fingerprint, Story, StoryMerge
from store.stories import DEFAULT_MATCHING, Matching
from store.testing import extracted, message_from_record, migrated_engine, read_records, source_ref

NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)
LABELLED = Path(__file__).resolve().parents[3] / "bench" / "store" / "data" / "labelled.jsonl"
REWORDED = {
    "title": "Pyongyang to dispatch 6,000 troops to help clear mines in Kursk",
    "text": "North Korea is sending 6000 military builders and deminers to the Kursk region of Russia, "
            "Moscow's security council secretary said.",
}


def state(engine: Engine) -> dict:
    """What clustering decides: each article's story and copy mark, the merges, the fingerprints.

    (Index rows are not compared: a batch picks its articles' index keys with the document
    frequencies as of the batch's start, so they may differ from one message at a time.)"""
    with Session(engine) as session:
        return {
            "articles": sorted(session.exec(select(Article.id, Article.story_id, Article.is_copy, Article.copy_of)).all()),
            "merges": sorted(session.exec(select(StoryMerge.absorbed_id, StoryMerge.survivor_id)).all()),
            "fingerprints": sorted(session.exec(select(Fingerprint.key, Fingerprint.article_id)).all()),
        }


def miscounted(engine: Engine) -> list[str]:
    """Stories whose stored coverage (counted from their kept tallies) differs from a recount of their rows."""
    with Session(engine) as session:
        stories = session.exec(select(Story)).all()
        rows = coverage_rows(session, [story.id for story in stories])
        return [story.id for story in stories if Coverage.model_validate(story.coverage) != compute_coverage(rows[story.id])]


def one_by_one(engine: Engine, messages: list, matching: Matching = DEFAULT_MATCHING) -> None:
    for message in messages:
        ingest_article(engine, message, now=NOW, matching=matching)


def batched(engine: Engine, messages: list, size: int, matching: Matching = DEFAULT_MATCHING) -> None:
    for first in range(0, len(messages), size):
        ingest_articles(engine, messages[first:first + size], now=NOW, matching=matching)


def merging_messages() -> list:
    """Two stories of one event (kept apart by a strict threshold), then an article bridging them, a
    syndicated copy of it, and a redelivery of the first article."""
    bridge = extracted("https://c.example/k", source=source_ref("capital"),
                       title="North Korea to dispatch 6,000 military engineers and deminers to Kursk",
                       text=REWORDED["text"] + " " + extracted().text, published_at=NOW + timedelta(minutes=5))
    copy = extracted("https://d.example/k", source=source_ref("copier"), title="Copied", text=bridge.text.upper(),
                     published_at=NOW + timedelta(minutes=6))
    return [extracted(), extracted("https://h.example/k", source=source_ref("harbor"), **REWORDED), bridge, copy,
            extracted()]


@pytest.mark.parametrize("size", [7, 100])
def test_batches_of_the_labelled_set_group_it_as_one_message_at_a_time_does(tmp_path: Path, size: int) -> None:
    """Stories, copies, merges and fingerprints match whatever the batch size."""
    messages = [message_from_record(r) for r in read_records(LABELLED)]
    single, batch = (migrated_engine(f"sqlite:///{tmp_path / name}.db") for name in ("single", "batch"))
    one_by_one(single, messages)
    batched(batch, messages, size)
    assert state(batch) == state(single)
    assert miscounted(batch) == miscounted(single) == []
    single.dispose()
    batch.dispose()


def test_a_merge_and_a_copy_inside_one_batch_decide_as_separate_messages_do(tmp_path: Path) -> None:
    """An article merging two stories founded earlier in the same batch, and a copy of it, land as they
    would one message at a time; the redelivered article in the batch is reported unchanged."""
    strict = Matching(min_similarity=0.18, merge_similarity=0.3)
    messages = merging_messages()
    single, batch = (migrated_engine(f"sqlite:///{tmp_path / name}.db") for name in ("single", "batch"))
    apart = Matching(min_similarity=5.0)
    one_by_one(single, messages[:2], apart)
    one_by_one(single, messages[2:], strict)
    batched(batch, messages[:2], 2, apart)
    results = ingest_articles(batch, messages[2:], now=NOW, matching=strict)
    assert state(batch) == state(single)
    assert len(state(batch)["merges"]) == 1
    assert miscounted(batch) == miscounted(single) == []
    assert [copy_of for _, _, is_copy, copy_of in state(batch)["articles"] if is_copy] == [messages[2].article_id]
    assert [r.outcome for r in results] == [Outcome.INSERTED, Outcome.INSERTED, Outcome.UNCHANGED]
    assert results[0].merged and results[0].update.story_id == results[1].update.story_id
    single.dispose()
    batch.dispose()
