"""Re-clustering a time range from stored rows, after tuning: the stories are rebuilt, old ids resolve."""

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from store.evaluation import pairwise
from store.ingest import ingest_article
from store.models import Article
from store.recluster import main, recluster
from store.stories import DEFAULT_MATCHING, Matching, resolve_story_id
from store.testing import message_from_record, migrated_engine, read_records

LABELLED = Path(__file__).resolve().parents[3] / "bench" / "store" / "data" / "labelled.jsonl"
NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)
RANGE = {"since": datetime(2025, 6, 1, tzinfo=UTC), "until": datetime(2025, 7, 1, tzinfo=UTC)}


def placed(engine: Engine, records: list[dict]) -> dict[str, str]:
    with Session(engine) as session:
        rows = dict(session.exec(select(Article.canonical_url, Article.story_id)).all())
        return {r["id"]: resolve_story_id(session, rows[f"https://eval.example/{r['id']}"]) for r in records}


def test_recluster_regroups_a_badly_clustered_range_and_keeps_old_ids_resolvable(sqlite_url: str) -> None:
    """Stored with a threshold nothing passes (55 stories), re-clustered with the defaults: the gold 18."""
    engine = migrated_engine(sqlite_url)
    records = read_records(LABELLED)
    first = {r["id"]: ingest_article(engine, message_from_record(r), now=NOW,
                                     matching=Matching(min_similarity=5.0)).update.story_id for r in records}
    gold = {r["id"]: r["story"] for r in records}
    assert len(set(first.values())) == len(records) - 2  # only the two syndicated copies joined
    seen = []
    counts = recluster(engine, **RANGE, matching=DEFAULT_MATCHING, now=NOW,
                       progress=lambda done, total: seen.append((done, total)))
    after = placed(engine, records)
    assert pairwise(after, gold).f1 == 1.0
    assert counts["articles"] == len(records)
    assert seen[-1] == (len(records), len(records))
    with Session(engine) as session:
        assert all(resolve_story_id(session, old) == after[i] for i, old in first.items())
    engine.dispose()


def test_the_recluster_command_runs_on_database_url(sqlite_url: str, monkeypatch, capsys) -> None:
    """`python -m store.recluster --since … --until …` reports what it did; an empty range is fine."""
    migrated_engine(sqlite_url).dispose()
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    assert main(["--since", "2025-06-01", "--until", "2025-07-01T00:00:00+00:00"]) == 0
    assert "re-clustered 0 articles" in capsys.readouterr().out
