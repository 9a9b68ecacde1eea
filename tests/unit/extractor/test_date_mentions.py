"""date_mentions: dates in the text, resolved against the publication date."""

from datetime import date

from extractor.date_mentions import find_dates

PUBLISHED = date(2025, 6, 18)  # a Wednesday


def resolved(text: str) -> list[tuple[str, date | None, str]]:
    return [(d.text, d.resolved, d.granularity) for d in find_dates(text, PUBLISHED)]


def test_weekdays_are_the_most_recent_on_or_before_publication() -> None:
    """'on Tuesday' is the day before a Wednesday publication; 'on Wednesday' is the day itself."""
    assert resolved("He said on Tuesday that talks began on Wednesday.") == [
        ("on Tuesday", date(2025, 6, 17), "day"),
        ("on Wednesday", date(2025, 6, 18), "day"),
    ]


def test_next_weekday_looks_forward() -> None:
    """'next Friday' is the first Friday after publication."""
    assert resolved("The vote is due next Friday.") == [("next Friday", date(2025, 6, 20), "day")]


def test_relative_periods_resolve_to_their_first_day() -> None:
    """'last month', 'last year', 'yesterday' are resolved, with their granularity."""
    assert resolved("Yesterday's data, unlike last month's or last year's, was clear.") == [
        ("Yesterday", date(2025, 6, 17), "day"),
        ("last month", date(2025, 5, 1), "month"),
        ("last year", date(2024, 1, 1), "year"),
    ]


def test_month_and_day_take_the_publication_year_unless_that_is_the_future() -> None:
    """'March 3' is this year's; 'December 12' (months ahead) is last year's; explicit years are kept."""
    assert resolved("On March 3, after December 12 and before 5 May 2023, it rained.") == [
        ("March 3", date(2025, 3, 3), "day"),
        ("December 12", date(2024, 12, 12), "day"),
        ("5 May 2023", date(2023, 5, 5), "day"),
    ]


def test_may_as_a_verb_is_not_a_date() -> None:
    """'may' without a day or year is the modal verb, not the month."""
    assert resolved("Soldiers may follow, officials said.") == []


def test_without_publication_date_relative_dates_stay_unresolved() -> None:
    """No publication date: 'on Tuesday' is found but not resolved."""
    (mention,) = find_dates("It happened on Tuesday.", None)
    assert mention.text == "on Tuesday" and mention.resolved is None
