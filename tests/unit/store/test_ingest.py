"""Ingesting extracted articles on SQLite: idempotent upserts, story assignment and the updates to publish."""

from datetime import UTC, datetime, timedelta

import pytest
from newsflow_shared.contracts.story_updates import Coverage, StoryChange, StoryUpdated
from newsflow_shared.delivery import InvalidMessage
from prometheus_client import REGISTRY
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from store.coverage import compute_coverage, coverage_rows
from store.ingest import Outcome, ingest_article
from store.models import Article, Source, Story
from store.testing import FETCHED_AT, extracted, migrated_engine, source_ref

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


@pytest.mark.parametrize("canonical_url", ["   ", "https://example.com/" + "x" * 3000,
                                           "https://news.example/" + "ж" * 1100])  # 1,121 characters, 2,221 bytes
def test_an_unstorable_canonical_url_is_refused_as_invalid(engine: Engine, canonical_url: str) -> None:
    """Input no retry can store raises InvalidMessage, so it is dead-lettered at once."""
    with pytest.raises(InvalidMessage):
        ingest_article(engine, extracted(canonical_url), now=NOW)
    assert count(engine, Article) == 0


def repaired(repair: str = "nul") -> float:
    return REGISTRY.get_sample_value("newsflow_store_articles_repaired_total", {"repair": repair}) or 0.0


@pytest.mark.parametrize("published_at", [datetime(1, 1, 1, tzinfo=UTC), datetime(1899, 12, 31, tzinfo=UTC),
                                          FETCHED_AT + timedelta(days=2), datetime(9999, 12, 31, 23, 0, tzinfo=UTC)])
def test_an_implausible_publication_date_gives_way_to_the_fetch_time(engine: Engine, published_at: datetime) -> None:
    """A feed's "0001-01-01" (a CMS's no-date) failed the whole batch: its window began before year 1."""
    before = repaired("published_at")
    update = ingest_article(engine, extracted(published_at=published_at), now=NOW).update
    assert update.first_published_at is None  # as for an article without a date
    assert update.coverage.timeline[0].period_start == FETCHED_AT
    assert repaired("published_at") == before + 1


def test_an_article_id_that_is_not_its_urls_is_refused_as_invalid(engine: Engine) -> None:
    """Another URL under a stored article's id failed every retry on the key; under a new id, it would have
    taken the id of the article it belongs to."""
    ingest_article(engine, extracted(), now=NOW)
    with pytest.raises(InvalidMessage, match="article_id"):
        ingest_article(engine, extracted("https://northwind.example/news/other", article_id=extracted().article_id),
                       now=NOW)
    with pytest.raises(InvalidMessage, match="article_id"):
        ingest_article(engine, extracted("https://northwind.example/news/third", article_id="0" * 32), now=NOW)
    assert count(engine, Article) == 1


@pytest.mark.parametrize("fetched_at", [datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)])
def test_a_fetch_time_no_clock_can_have_is_refused_as_invalid(engine: Engine, fetched_at: datetime) -> None:
    with pytest.raises(InvalidMessage, match="fetched_at"):
        ingest_article(engine, extracted(fetched_at=fetched_at, published_at=None), now=NOW)


def stored_story(engine: Engine, story_id: str) -> tuple[Story, Coverage]:
    """The story's row, and its coverage counted again from all its rows."""
    with Session(engine) as session:
        story = session.get(Story, story_id)
        return story, compute_coverage(coverage_rows(session, [story_id])[story_id])


def test_a_story_gaining_articles_adds_them_to_its_kept_tally(engine: Engine) -> None:
    """After each article the story's coverage equals a recount from its rows, and its content state keeps the
    tally it was counted from."""
    founded = ingest_article(engine, extracted(), now=NOW).update
    for n, (source_id, bias) in enumerate([("harbor-times", "lean_right"), ("quiet-post", None),
                                           ("harbor-times", "lean_right")]):
        ingest_article(engine, extracted(f"https://{source_id}.example/kursk-{n}", source=source_ref(source_id, bias=bias),
                                         published_at=NOW - timedelta(hours=n + 1), **REWORDED),
                       now=NOW + timedelta(minutes=n))
    story, recounted = stored_story(engine, founded.story_id)
    assert Coverage.model_validate(story.coverage) == recounted
    assert (recounted.articles, recounted.sources) == (4, 3)
    assert story.content_state["coverage"]["articles"] == 4


def test_a_kept_tally_is_used_while_it_accounts_for_every_article(engine: Engine, sqlite_url: str) -> None:
    """The writer does not read a story's rows while its kept tally holds as many articles as the story has: a
    tally edited in the database shows through. Once the counts disagree (a row gone behind its back), or a
    story has a state from before tallies were kept, it is counted from its rows again."""
    founded = ingest_article(engine, extracted(), now=NOW).update
    with Session(engine) as session:
        story = session.get(Story, founded.story_id)
        story.content_state = {**story.content_state, "coverage": {**story.content_state["coverage"],
                                                                  "first": [(NOW - timedelta(days=9)).isoformat(), "x", "northwind-herald",
                                                                            None, "https://kept.example/"]}}
        session.add(story)
        session.commit()

    def join(n: int, engine: Engine) -> StoryUpdated:
        return ingest_article(engine, extracted(f"https://harbor.example/kursk-{n}",
                                                source=source_ref("harbor-times"), **REWORDED), now=NOW).update

    fresh = migrated_engine(sqlite_url)  # its story cache has not seen the edited state
    try:
        assert join(1, fresh).coverage.first_reported.url == "https://kept.example/"
        with Session(fresh) as session:
            session.delete(session.get(Article, extracted("https://harbor.example/kursk-1").article_id))
            session.commit()
        update = join(2, fresh)
        assert update.coverage.first_reported.url == extracted().url  # counted from the rows
        assert update.coverage.articles == 2
        with Session(fresh) as session:
            story = session.get(Story, founded.story_id)
            story.content_state = {k: v for k, v in story.content_state.items() if k != "coverage"}
            session.add(story)
            session.commit()
    finally:
        fresh.dispose()
    legacy = migrated_engine(sqlite_url)
    try:
        update = join(3, legacy)
        story, recounted = stored_story(legacy, founded.story_id)
    finally:
        legacy.dispose()
    assert update.coverage == recounted
    assert story.content_state["coverage"]["articles"] == recounted.articles == 3
