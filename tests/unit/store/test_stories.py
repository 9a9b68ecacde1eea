"""Minimal story assignment: join the most similar recent story, else start one."""

from datetime import UTC, datetime, timedelta

import pytest
from newsflow_shared.contracts.story_updates import StoryChange
from sqlmodel import Session
from store.models import Article, Story
from store.stories import Matching, article_terms, assign_story, best_match
from store.testing import FETCHED_AT, migrated_engine

NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)


def article(article_id: str, title: str, text: str = "", description: str | None = None) -> Article:
    return Article(
        id=article_id, canonical_url=f"https://example.com/{article_id}", url="u", feed_url="f",
        source_id="s", content_hash="h", title=title, description=description, text=text,
        fetched_at=FETCHED_AT, extracted_at=FETCHED_AT, created_at=NOW, updated_at=NOW,
    )


def story(story_id: str, terms: str, *, updated_at: datetime = NOW) -> Story:
    return Story(id=story_id, title=terms, key_terms=terms, created_at=updated_at, updated_at=updated_at,
                 version=1, last_change=StoryChange.CREATED)


KURSK = (
    "North Korea sends 6,000 military engineers and deminers to Russia's Kursk region",
    (
        "North Korea will send 6,000 military engineers and deminers to Russia's Kursk region "
        "to help clear mines and rebuild, a Russian official said."
    ),
)
KURSK_REWORDED = (
    "Pyongyang to dispatch 6,000 troops to help clear mines in Kursk",
    (
        "North Korea is sending 6000 military builders and deminers to the Kursk region "
        "of Russia, Moscow's security council secretary said."
    ),
)
FLOODS = ("Flash floods kill dozens in eastern Spain", "Torrential rain caused flash floods in Valencia.")


def test_article_terms_use_title_and_lead() -> None:
    """Without a description, the opening words of the text stand in for it."""
    terms = article_terms(article("a", "Kursk engineers", text="Pyongyang sends deminers"))
    assert terms == {"kursk", "engineers", "pyongyang", "sends", "deminers"}


def test_differently_worded_reports_of_one_event_match() -> None:
    """Two outlets' reports of the Kursk deployment are similar enough to share a story."""
    founding = article_terms(article("a", KURSK[0], KURSK[1]))
    reworded = article_terms(article("b", *KURSK_REWORDED))
    candidate = story("s1", " ".join(sorted(founding)))
    assert best_match([candidate], reworded, Matching().min_similarity) is candidate


def test_an_unrelated_article_matches_no_story() -> None:
    """A report on floods in Spain does not join the Kursk story."""
    kursk = story("s1", " ".join(sorted(article_terms(article("a", *KURSK)))))
    assert best_match([kursk], article_terms(article("b", *FLOODS)), Matching().min_similarity) is None


def test_the_most_similar_story_wins() -> None:
    """Among several eligible stories the highest similarity is chosen."""
    wanted = frozenset({"kursk", "deminers", "korea", "engineers"})
    weaker, stronger = story("s1", "kursk deminers"), story("s2", "kursk deminers korea")
    assert best_match([weaker, stronger], wanted, 0.1) is stronger


def test_ties_go_to_the_most_recent_story_then_the_smallest_id() -> None:
    """Equal similarity is settled by recency, then by id, never by the order rows came back in."""
    wanted = frozenset({"kursk", "deminers", "korea"})
    old = story("s0", "kursk deminers korea", updated_at=NOW - timedelta(hours=5))
    recent_b, recent_a = story("sb", "kursk deminers korea"), story("sa", "kursk deminers korea")
    assert best_match([old, recent_b, recent_a], wanted, 0.1) is recent_a
    assert best_match([recent_a, recent_b, old], wanted, 0.1) is recent_a


@pytest.fixture
def session(sqlite_url: str):
    engine = migrated_engine(sqlite_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_assign_story_starts_an_unpublished_story_when_nothing_matches(session: Session) -> None:
    """A new story takes the article's title and terms, and version 0 until its first update."""
    new = assign_story(session, article("a1", *KURSK), now=NOW)
    assert new.title == KURSK[0]
    assert new.version == 0
    assert "kursk" in new.key_terms.split()
    assert session.get(Story, new.id) is new


def test_assign_story_joins_a_similar_story_updated_within_the_window(session: Session) -> None:
    """A similar story updated 71 hours ago still takes the article."""
    first = assign_story(session, article("a1", *KURSK), now=NOW - timedelta(hours=71))
    assert assign_story(session, article("a2", *KURSK_REWORDED), now=NOW).id == first.id


def test_assign_story_ignores_stories_older_than_the_window(session: Session) -> None:
    """A similar story last updated before the window is left alone; a new one starts."""
    first = assign_story(session, article("a1", *KURSK), now=NOW - timedelta(hours=73))
    assert assign_story(session, article("a2", *KURSK_REWORDED), now=NOW).id != first.id


def test_assign_story_keeps_unrelated_articles_apart(session: Session) -> None:
    """Articles about different events get different stories."""
    kursk = assign_story(session, article("a1", *KURSK), now=NOW)
    assert assign_story(session, article("a2", *FLOODS), now=NOW).id != kursk.id
