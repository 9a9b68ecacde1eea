"""The store on real PostgreSQL: the migration, idempotent ingestion, and replicas writing at once."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from newsflow_shared.contracts.story_updates import StoryChange
from newsflow_shared.delivery import InvalidMessage
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, func, select
from store.ingest import Outcome, ingest_article
from store.models import MAX_CANONICAL_URL_BYTES, Article, Source, Story
from store.testing import extracted, long_worded_article, nul_carrying_article, source_ref

NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)


def count(engine: Engine, table: type) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def test_the_migration_builds_the_models_schema_on_postgresql(engine: Engine) -> None:
    """On PostgreSQL too, `upgrade head` leaves no difference from the models (plain JSON, timestamptz)."""
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), SQLModel.metadata) == []
    columns = {c["name"]: c["type"] for c in sa.inspect(engine).get_columns("story")}
    assert [name for name, kind in columns.items() if isinstance(kind, sa.dialects.postgresql.JSONB)] == []
    assert isinstance(columns["bias_counts"], sa.JSON)
    assert columns["updated_at"].timezone is True


def test_ingestion_is_idempotent_and_tracks_changes_on_postgresql(engine: Engine) -> None:
    """Insert, identical redelivery (nothing changes), edited content (row updated, story bumped)."""
    first = ingest_article(engine, extracted(), now=NOW)
    again = ingest_article(engine, extracted(), now=NOW + timedelta(minutes=1))
    edited = ingest_article(engine, extracted(content_hash="hash-2"), now=NOW + timedelta(minutes=2))
    outcomes = [first.outcome, again.outcome, edited.outcome]
    assert outcomes == [Outcome.INSERTED, Outcome.UNCHANGED, Outcome.UPDATED]
    assert again.update == first.update
    assert (edited.update.version, edited.update.change) == (2, StoryChange.COVERAGE_CHANGED)
    assert (count(engine, Article), count(engine, Story), count(engine, Source)) == (1, 1, 1)
    with Session(engine) as session:
        article = session.exec(select(Article)).one()
        assert article.published_at == datetime(2026, 11, 4, 8, 0, tzinfo=UTC)
        assert article.authors == ["A. Reporter"]


def run_at_once(calls: list[Callable[[], object]]) -> list:
    """Run the calls on separate threads released together, as replicas would."""
    barrier = threading.Barrier(len(calls))

    def released(call: Callable[[], object]) -> object:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(released, calls))


def test_an_article_of_very_long_words_is_stored_on_postgresql(engine: Engine) -> None:
    """Every term an article counts fits term_stat's key: this one was refused (value too long for
    varchar(200)), retried and dead-lettered, where SQLite stored it."""
    ingested = ingest_article(engine, long_worded_article(), now=NOW)
    assert ingested.outcome is Outcome.INSERTED
    assert count(engine, Article) == 1


def test_the_longest_canonical_url_accepted_fits_the_unique_index_on_postgresql(engine: Engine) -> None:
    """2,048 bytes of UTF-8 fit a B-tree entry (2,704 bytes at most); 2,000 Cyrillic letters did not, and
    PostgreSQL's "index row size exceeds maximum" was retried as an outage without end."""
    longest = "https://news.example/" + "ж" * ((MAX_CANONICAL_URL_BYTES - 21) // 2)
    assert MAX_CANONICAL_URL_BYTES - 2 < len(longest.encode()) <= MAX_CANONICAL_URL_BYTES
    assert ingest_article(engine, extracted(longest), now=NOW).outcome is Outcome.INSERTED
    with pytest.raises(InvalidMessage, match="bytes"):
        ingest_article(engine, extracted(longest + "жж"), now=NOW)


def test_an_article_carrying_nul_characters_is_stored_without_them_on_postgresql(engine: Engine) -> None:
    """PostgreSQL's text cannot hold NUL: the article was refused, retried and dead-lettered (SQLite stored it)."""
    assert ingest_article(engine, nul_carrying_article(), now=NOW).outcome is Outcome.INSERTED
    with Session(engine) as session:
        article = session.exec(select(Article)).one()
    assert (article.title, article.authors) == ("Floods hit the valley", ["A. Reporter"])


def test_replicas_storing_the_same_article_at_once_store_it_once(engine: Engine) -> None:
    """Concurrent writers of one canonical URL leave one row and agree on the story update."""
    message = extracted()
    results = run_at_once([lambda: ingest_article(engine, message, now=NOW)] * 6)
    assert sorted(r.outcome for r in results) == [Outcome.INSERTED] + [Outcome.UNCHANGED] * 5
    assert all(r.update == results[0].update for r in results)
    assert (count(engine, Article), count(engine, Story)) == (1, 1)


def test_replicas_adding_articles_to_one_story_at_once_lose_no_update(engine: Engine) -> None:
    """The story row lock serialises coverage updates: every version is distinct and the counts add up."""
    founded = ingest_article(engine, extracted(), now=NOW).update
    outlets = [f"outlet-{n}" for n in range(5)]
    results = run_at_once([
        lambda outlet=outlet: ingest_article(
            engine, extracted(f"https://{outlet}.example/kursk", source=source_ref(outlet)), now=NOW
        )
        for outlet in outlets
    ])
    updates = [r.update for r in results]
    assert {u.story_id for u in updates} == {founded.story_id}
    assert sorted(u.version for u in updates) == [2, 3, 4, 5, 6]
    final = max(updates, key=lambda u: u.version)
    assert (final.article_count, final.source_count) == (6, 6)
    with Session(engine) as session:
        story = session.get(Story, founded.story_id)
        assert (story.version, story.article_count, story.source_count) == (6, 6, 6)


def test_a_story_changed_after_the_batch_read_it_makes_the_batch_run_again(engine: Engine, monkeypatch) -> None:
    """Stories are read without a lock and locked only before they are written: if another writer has
    moved one on meanwhile (its version changed), the transaction runs again from fresh reads instead of
    writing over that change."""
    from store import ingest

    story_id = ingest_article(engine, extracted(), now=NOW).update.story_id
    real_finish, attempts = ingest.finish, []

    def another_writer_changes_the_story_first(session, batch, index, *, now, **options):
        if not attempts:
            with engine.connect() as other:  # a second connection: another writer, committed at once
                other.execute(sa.text("update story set version = version + 1, title = 'Changed elsewhere' "
                                      "where id = :id"), {"id": story_id})
                other.commit()
        attempts.append(now)
        return real_finish(session, batch, index, now=now, **options)

    monkeypatch.setattr(ingest, "finish", another_writer_changes_the_story_first)
    joined = ingest_article(engine, extracted("https://harbor.example/k", source=source_ref("harbor")), now=NOW)
    assert len(attempts) == 2
    assert (joined.update.story_id, joined.update.version, joined.update.article_count) == (story_id, 3, 2)
