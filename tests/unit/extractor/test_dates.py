"""dates: page and feed dates become one tz-aware UTC publication time."""

from datetime import UTC, datetime, timedelta, timezone

from extractor.dates import parse_page_date, publication_date


def test_offset_dates_are_converted_to_utc() -> None:
    """htmldate's '+0100' output becomes the same instant in UTC."""
    assert parse_page_date("2024-03-05T14:30:00+0100") == (datetime(2024, 3, 5, 13, 30, tzinfo=UTC), True)


def test_date_without_offset_is_read_as_utc_and_midnight_as_day_only() -> None:
    """No offset means UTC; a midnight without offset means the page gave only the day."""
    assert parse_page_date("2024-03-05T14:30:00") == (datetime(2024, 3, 5, 14, 30, tzinfo=UTC), True)
    assert parse_page_date("2024-03-05T00:00:00") == (datetime(2024, 3, 5, tzinfo=UTC), False)


def test_unusable_page_dates_are_none() -> None:
    """Missing or malformed page dates give None rather than an exception."""
    assert parse_page_date(None) is None
    assert parse_page_date("") is None
    assert parse_page_date("5th of March") is None


def test_page_date_wins_over_the_feed_date() -> None:
    """A page date with a time is trusted over the feed's."""
    feed = datetime(2024, 3, 7, tzinfo=UTC)
    assert publication_date("2024-03-05T14:30:00+0000", feed) == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)


def test_feed_date_fills_in_for_a_missing_or_day_only_page_date() -> None:
    """The feed's date is used when the page has none, or only the same day without a time."""
    feed = datetime(2024, 3, 5, 9, 15, tzinfo=timezone(timedelta(hours=2)))
    assert publication_date(None, feed) == datetime(2024, 3, 5, 7, 15, tzinfo=UTC)
    assert publication_date("2024-03-05T00:00:00", feed) == datetime(2024, 3, 5, 7, 15, tzinfo=UTC)


def test_day_only_page_date_far_from_the_feed_date_is_kept() -> None:
    """A feed date days away from the page's day does not replace it (the feed may list a re-post)."""
    feed = datetime(2024, 3, 20, 9, 15, tzinfo=UTC)
    assert publication_date("2024-03-05T00:00:00", feed) == datetime(2024, 3, 5, tzinfo=UTC)


def test_naive_feed_dates_are_taken_as_utc() -> None:
    """Every result is tz-aware."""
    result = publication_date(None, datetime(2024, 3, 5, 9, 15))
    assert result == datetime(2024, 3, 5, 9, 15, tzinfo=UTC)
    assert publication_date(None, None) is None
