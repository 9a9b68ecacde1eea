"""Ingesting extracted articles on SQLite: idempotent upserts, story assignment and the updates to publish."""

from datetime import UTC, datetime, timedelta

import pytest
from newsflow_shared.contracts.story_updates import StoryChange
from newsflow_shared.delivery import InvalidMessage
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from store.ingest import Outcome, ingest_article
from store.models import Article, Source, Story
from store.testing import extracted, migrated_engine, source_ref

NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)
REWORDED = {
    "title": "Pyongyang to dispatch 6,000 troops to help clear mines in Kursk",
    "text": "North Korea is sending 6000 military builders and deminers to the Kursk region of Russia, "
            "Moscow's security council secretary said.",
}


@pytest.fixture
def engine(sqlite_url: str) -> Engine:
    engine = migrated_engine(sqlite_url)
    yield engine
    engine.dispose()


def count(engine: Engine, table: type) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def test_a_new_article_creates_its_source_and_a_story(engine: Engine) -> None:
    """The first article of an event is stored with its outlet and founds version 1 of a story."""
    message = extracted()
    ingested = ingest_article(engine, message, now=NOW)
    assert ingested.outcome is Outcome.INSERTED
    update = ingested.update
    assert (update.version, update.change, update.article_id) == (1, StoryChange.CREATED, message.article_id)
    assert (update.article_count, update.source_count) == (1, 1)
    assert update.bias_counts == {"center": 1}
    assert update.source_ids == ["northwind-herald"]
    assert update.title == message.title
    assert update.first_published_at == message.published_at
    assert update.updated_at == NOW
    with Session(engine) as session:
        article = session.exec(select(Article)).one()
        assert article.canonical_url == message.canonical_url
        assert article.story_id == update.story_id
        assert article.authors == ["A. Reporter"]
        assert article.published_at == message.published_at
        source = session.get(Source, "northwind-herald")
        assert (source.bias, source.factuality) == ("center", "high")


def test_a_redelivered_identical_message_changes_nothing_and_republishes_the_same_update(
    engine: Engine,
) -> None:
    """No new row, no new story version: the same StoryUpdated (same message id) comes back."""
    message = extracted()
    first = ingest_article(engine, message, now=NOW)
    again = ingest_article(engine, message, now=NOW + timedelta(minutes=5))
    assert again.outcome is Outcome.UNCHANGED
    assert again.update == first.update
    assert again.update.message_id == first.update.message_id
    assert (count(engine, Article), count(engine, Story), count(engine, Source)) == (1, 1, 1)
    with Session(engine) as session:
        assert session.exec(select(Story)).one().updated_at == NOW


def test_a_redelivery_after_the_story_moved_on_republishes_its_current_state(engine: Engine) -> None:
    """If later articles changed the story, the redelivery re-announces the newest version."""
    first = extracted()
    ingest_article(engine, first, now=NOW)
    harbor = extracted("https://harbor.example/kursk", source=source_ref("harbor-times"), **REWORDED)
    second = ingest_article(engine, harbor, now=NOW + timedelta(minutes=1))
    again = ingest_article(engine, first, now=NOW + timedelta(minutes=2))
    assert again.outcome is Outcome.UNCHANGED
    assert again.update == second.update


def test_a_changed_content_hash_updates_the_row_and_bumps_the_story(engine: Engine) -> None:
    """A re-fetched, edited page updates the same row; the story gets a new version."""
    ingest_article(engine, extracted(), now=NOW)
    edited = extracted(content_hash="hash-2", title="North Korea sends 6,000 engineers to Kursk, Moscow says")
    ingested = ingest_article(engine, edited, now=NOW + timedelta(hours=1))
    assert ingested.outcome is Outcome.UPDATED
    assert (ingested.update.version, ingested.update.change) == (2, StoryChange.COVERAGE_CHANGED)
    assert ingested.update.article_count == 1
    assert count(engine, Article) == 1
    with Session(engine) as session:
        article = session.exec(select(Article)).one()
        assert (article.content_hash, article.title) == ("hash-2", edited.title)
        assert article.updated_at == NOW + timedelta(hours=1)


def test_a_similar_article_from_another_outlet_joins_the_story(engine: Engine) -> None:
    """Coverage grows: two articles, two outlets, their bias ratings counted per outlet."""
    founded = ingest_article(engine, extracted(), now=NOW).update
    joined = ingest_article(
        engine,
        extracted("https://harbor.example/kursk", source=source_ref("harbor-times", bias="lean_right"),
                  published_at=NOW - timedelta(days=1), **REWORDED),
        now=NOW + timedelta(minutes=1),
    ).update
    assert joined.story_id == founded.story_id
    assert (joined.version, joined.change) == (2, StoryChange.ARTICLE_ADDED)
    assert (joined.article_count, joined.source_count) == (2, 2)
    assert joined.bias_counts == {"center": 1, "lean_right": 1}
    assert joined.source_ids == ["harbor-times", "northwind-herald"]
    assert joined.first_published_at == NOW - timedelta(days=1)
    assert joined.title == founded.title


def test_a_second_article_from_the_same_outlet_counts_the_outlet_once(engine: Engine) -> None:
    """source_count and bias_counts count outlets, not articles; unrated outlets are counted apart."""
    unrated = source_ref("quiet-post", bias=None)
    ingest_article(engine, extracted(source=unrated), now=NOW)
    update = ingest_article(engine, extracted("https://quiet.example/kursk-2", source=unrated, **REWORDED),
                            now=NOW).update
    assert (update.article_count, update.source_count, update.bias_counts) == (2, 1, {"unrated": 1})


def test_an_unrelated_article_founds_its_own_story(engine: Engine) -> None:
    """Different events end up in different stories."""
    kursk = ingest_article(engine, extracted(), now=NOW).update
    floods = ingest_article(engine, extracted("https://northwind.example/news/floods",
                                              title="Flash floods kill dozens in eastern Spain",
                                              text="Torrential rain caused flash floods in Valencia."),
                            now=NOW).update
    assert floods.story_id != kursk.story_id
    assert (floods.version, floods.change) == (1, StoryChange.CREATED)


def test_new_source_ratings_replace_the_stored_ones(engine: Engine) -> None:
    """The latest message's ratings for an outlet are the ones kept."""
    ingest_article(engine, extracted(), now=NOW)
    rerated = source_ref(bias="lean_left", factuality="mixed")
    ingest_article(engine, extracted("https://northwind.example/news/other", source=rerated), now=NOW)
    with Session(engine) as session:
        source = session.get(Source, "northwind-herald")
        assert (source.bias, source.factuality) == ("lean_left", "mixed")


def test_a_page_without_an_article_is_skipped(engine: Engine) -> None:
    """is_article=False stores nothing and publishes nothing."""
    ingested = ingest_article(engine, extracted(is_article=False), now=NOW)
    assert (ingested.outcome, ingested.update) == (Outcome.SKIPPED, None)
    assert count(engine, Article) == count(engine, Source) == 0


def test_times_without_an_offset_are_read_as_utc(engine: Engine) -> None:
    """A page date without a zone is stored as UTC rather than failing the message."""
    update = ingest_article(engine, extracted(published_at=datetime(2026, 11, 3, 7, 30)), now=NOW).update
    assert update.first_published_at == datetime(2026, 11, 3, 7, 30, tzinfo=UTC)


@pytest.mark.parametrize("canonical_url", ["   ", "https://example.com/" + "x" * 3000])
def test_an_unstorable_canonical_url_is_refused_as_invalid(engine: Engine, canonical_url: str) -> None:
    """Input no retry can store raises InvalidMessage, so it is dead-lettered at once."""
    with pytest.raises(InvalidMessage):
        ingest_article(engine, extracted(canonical_url), now=NOW)
    assert count(engine, Article) == 0
