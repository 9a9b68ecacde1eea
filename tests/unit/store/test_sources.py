"""Outlets as the messages describe them, on SQLite: the most recently fetched description wins whatever
the order messages arrive in, and a change of ratings is dated for `apply-ratings`."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from store.ingest import ingest_article, ingest_articles
from store.models import Source
from store.sources import latest_descriptions
from store.testing import FETCHED_AT, extracted, migrated_engine, source_ref

NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)
EARLIER, LATER = FETCHED_AT - timedelta(hours=1), FETCHED_AT + timedelta(hours=1)


@pytest.fixture
def engine(sqlite_url: str) -> Engine:
    engine = migrated_engine(sqlite_url)
    yield engine
    engine.dispose()


def outlet(engine: Engine, source_id: str = "northwind-herald") -> Source:
    with Session(engine) as session:
        return session.get(Source, source_id)


def article(n: int, *, bias: str, fetched_at: datetime, source_id: str = "northwind-herald"):
    return extracted(f"https://northwind.example/news/{n}", title=f"Unrelated report number {n}",
                     text=f"Report {n} on a different matter entirely.", source=source_ref(source_id, bias=bias),
                     fetched_at=fetched_at)


def test_latest_descriptions_keeps_each_outlets_most_recently_fetched_one_in_id_order() -> None:
    center, left, right = source_ref(bias="center"), source_ref(bias="left"), source_ref("harbor-times", bias="right")
    assert latest_descriptions([(left, LATER), (right, EARLIER), (center, FETCHED_AT)]) == [
        (right, EARLIER), (left, LATER)]
    assert latest_descriptions([(center, FETCHED_AT), (left, FETCHED_AT)]) == [(left, FETCHED_AT)]  # a tie: the last
    assert latest_descriptions([]) == []


def test_a_description_fetched_before_the_stored_one_does_not_replace_it(engine: Engine) -> None:
    """An article still in flight (or redelivered) from before the outlet was re-rated keeps the new rating,
    and its story counts the new one too; a later fetch with other ratings replaces it."""
    ingest_article(engine, article(1, bias="left", fetched_at=FETCHED_AT), now=NOW)
    late = ingest_article(engine, article(2, bias="center", fetched_at=EARLIER), now=NOW + timedelta(minutes=1))
    stored = outlet(engine)
    assert (stored.bias, stored.described_at, stored.rated_at) == ("left", FETCHED_AT, None)
    assert late.update.bias_counts == {"left": 1}
    ingest_article(engine, article(3, bias="center", fetched_at=LATER), now=NOW + timedelta(minutes=2))
    stored = outlet(engine)
    assert (stored.bias, stored.described_at, stored.rated_at) == ("center", LATER, NOW + timedelta(minutes=2))


def test_within_a_batch_the_most_recently_fetched_description_wins_whatever_its_position(engine: Engine) -> None:
    ingest_articles(engine, [article(1, bias="right", fetched_at=LATER), article(2, bias="left", fetched_at=EARLIER)],
                    now=NOW)
    assert (outlet(engine).bias, outlet(engine).described_at) == ("right", LATER)


def test_rated_at_moves_only_when_a_rating_changes(engine: Engine) -> None:
    """A new name is stored as of its fetch, but stories counted before it are not stale: rated_at stays."""
    ingest_article(engine, article(1, bias="left", fetched_at=FETCHED_AT), now=NOW)
    renamed = extracted("https://northwind.example/news/2", source=source_ref(bias="left", name="Northwind"),
                        fetched_at=LATER)
    ingest_article(engine, renamed, now=NOW + timedelta(minutes=1))
    stored = outlet(engine)
    assert (stored.name, stored.described_at, stored.rated_at, stored.updated_at) == (
        "Northwind", LATER, None, NOW + timedelta(minutes=1))


def test_a_fetch_time_ahead_of_the_writers_clock_counts_as_now(engine: Engine) -> None:
    """A fetcher whose clock runs a day ahead would otherwise keep every later description out for a day."""
    ingest_article(engine, article(1, bias="left", fetched_at=NOW + timedelta(days=1)), now=NOW)
    assert outlet(engine).described_at == NOW
    ingest_article(engine, article(2, bias="center", fetched_at=NOW + timedelta(minutes=1)), now=NOW + timedelta(minutes=1))
    assert outlet(engine).bias == "center"
