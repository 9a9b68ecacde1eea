"""store.admission: what the writer refuses and repairs before a message's transaction (the database's side of
each case is in test_ingest.py and, on PostgreSQL, integration/store/test_postgres.py)."""

from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY
from store.admission import with_plausible_date, without_nul
from store.testing import FETCHED_AT, extracted, nul_carrying_article


def repaired(repair: str) -> float:
    return REGISTRY.get_sample_value("newsflow_store_articles_repaired_total", {"repair": repair}) or 0.0


def test_nul_characters_are_dropped_from_every_string_of_an_article_and_counted() -> None:
    before = repaired("nul")
    cleaned = without_nul(nul_carrying_article())
    assert b"\\u0000" not in cleaned.model_dump_json().encode()
    assert (cleaned.title, cleaned.authors, cleaned.entities[0].name) == (
        "Floods hit the valley", ["A. Reporter"], "Valley Flood Authority")
    assert cleaned.text.startswith("Rivers rose overnight")
    assert repaired("nul") == before + 1


def test_an_article_without_nul_is_passed_on_as_it_is() -> None:
    """Also one whose text writes out the escape itself: a backslash, then u0000."""
    for message in (extracted(), extracted(text="The byte is written \\u0000 in JSON, a reader wrote.")):
        assert without_nul(message) is message


@pytest.mark.parametrize("published_at", [datetime(1912, 4, 15, tzinfo=UTC), FETCHED_AT + timedelta(hours=20)])
def test_an_archive_date_or_a_clock_a_few_hours_ahead_is_kept(published_at: datetime) -> None:
    message = extracted(published_at=published_at)
    assert with_plausible_date(message) is message
