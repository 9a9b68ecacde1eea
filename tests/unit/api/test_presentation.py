"""What the pages draw: bar segments and their labels, the timeline, which URLs may become links."""

from datetime import UTC, datetime, timedelta

import pytest
from newsflow_shared.contracts.story_updates import Coverage, TimelinePoint
from store.web.presentation import (
    BIAS_3,
    THREE_WAY,
    bar_label,
    distribution_of,
    headline_share,
    safe_href,
    segments,
    timeline_bars,
    timeline_of,
    when,
)


def test_a_rows_bias_counts_become_shares_of_the_rated_sources() -> None:
    """Unrated sources are counted apart and left out of the percentages, as the story page shows them."""
    distribution = distribution_of({"center": 2, "lean_left": 1, "right": 1, "unrated": 3}, THREE_WAY)
    parts = segments(distribution, BIAS_3)
    assert [(p.key, p.sources, p.percent) for p in parts] == [("left", 1, 25), ("center", 2, 50), ("right", 1, 25)]
    assert [(p.x, p.width) for p in parts] == [(0, 25), (25, 50), (75, 25)]
    assert bar_label(parts, distribution.unrated) == "Left 25%, Center 50%, Right 25% (3 unrated)"
    assert headline_share(parts).label == "Center"


def test_no_rated_sources_make_an_empty_bar() -> None:
    distribution = distribution_of({"unrated": 2}, THREE_WAY)
    assert segments(distribution, BIAS_3) == []
    assert bar_label([]) == "No rated sources yet"
    assert headline_share([]) is None


def test_thirds_round_to_whole_percentages() -> None:
    parts = segments(distribution_of({"left": 1, "center": 1, "right": 1}), BIAS_3)
    assert [p.percent for p in parts] == [33, 33, 33]


def test_timeline_bars_sit_on_a_time_axis_with_quiet_hours_as_gaps() -> None:
    """Hours 0, 1 and 3 with 2, 1 and 4 articles: four slots, the busiest hour full height."""
    start = datetime(2026, 11, 4, 6, tzinfo=UTC)
    points = [TimelinePoint(period_start=start + timedelta(hours=h), articles=n) for h, n in ((0, 2), (1, 1), (3, 4))]
    bars = timeline_bars(points)
    assert [round(b.x, 1) for b in bars] == [2.5, 27.5, 77.5]
    assert [b.height for b in bars] == [50, 25, 100]
    assert timeline_bars([]) == []


def test_a_story_that_runs_past_two_days_is_charted_per_day() -> None:
    """Hours spanning 47 h stay hourly; 48 h or more become days, each bar a day's sum, labelled by date."""
    start = datetime(2026, 11, 4, 6, tzinfo=UTC)

    def coverage(*hours: int) -> Coverage:
        return Coverage(timeline=[TimelinePoint(period_start=start + timedelta(hours=h), articles=1) for h in hours])

    hourly = timeline_of(coverage(0, 47))
    assert (hourly.unit, len(hourly.bars)) == ("hour", 2)
    daily = timeline_of(coverage(0, 1, 48))
    assert daily.unit == "day"
    assert [(b.start.day, b.articles) for b in daily.bars] == [(4, 2), (6, 1)]
    assert [round(b.x, 1) for b in daily.bars] == [3.3, 70.0]  # three day slots, the 5th a gap
    assert when(daily.bars[0].start, daily.unit) == "04 Nov 2026"
    assert when(start) == "04 Nov 2026, 06:00 UTC"
    assert timeline_of(Coverage()).bars == []


@pytest.mark.parametrize(("url", "href"), [
    ("https://example.org/a", "https://example.org/a"), ("http://example.org/", "http://example.org/"),
    ("javascript:alert(1)", None), (" JaVaScRiPt:alert(1)", None), ("data:text/html,x", None), ("", None),
    (None, None), ("//evil.example/x", None), ("http://[::1", None),
])
def test_only_http_urls_become_links(url: str | None, href: str | None) -> None:
    assert safe_href(url) == href
