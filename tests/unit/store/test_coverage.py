"""Coverage arithmetic: distinct sources, unrated counted apart, roll-ups, first report, timeline, blindspot."""

import json
import random
from datetime import UTC, datetime, timedelta

from store.coverage import Arrival, CoverageRow, Outlet, Tally, blindspot, compute_coverage, distribution

T0 = datetime(2026, 11, 4, 8, 10, tzinfo=UTC)


def row(article_id: str, source_id: str, bias: str | None, *, minutes: int = 0, factuality: str | None = "high",
        ownership: str | None = None, is_copy: bool = False) -> CoverageRow:
    return CoverageRow(Arrival(article_id, source_id, T0 + timedelta(minutes=minutes), T0,
                               f"https://{source_id}.example/{article_id}", is_copy),
                       Outlet(source_id.title(), bias, factuality, ownership))


def test_an_outlet_with_several_articles_counts_once_in_every_distribution() -> None:
    """Three articles from one left outlet and one center outlet: 50% left, not 75%."""
    coverage = compute_coverage([row("a1", "left-daily", "left"), row("a2", "left-daily", "left", minutes=5),
                                 row("a3", "left-daily", "left", minutes=9), row("a4", "mid-news", "center")])
    assert (coverage.articles, coverage.sources) == (4, 2)
    assert {k: (v.sources, v.percent) for k, v in coverage.bias.buckets.items()} == {
        "left": (1, 50.0), "center": (1, 50.0)}


def test_unrated_sources_are_counted_apart_from_the_shares() -> None:
    """Shares are of the rated sources; the unrated ones are a separate count."""
    coverage = compute_coverage([row("a1", "one", "lean_left"), row("a2", "two", None), row("a3", "three", None),
                                 row("a4", "four", "right")])
    assert (coverage.bias.rated, coverage.bias.unrated) == (2, 2)
    assert coverage.bias.buckets["lean_left"].percent == 50.0
    assert sum(share.sources for share in coverage.bias.buckets.values()) == 2


def test_the_three_way_roll_up_joins_lean_and_full_sides() -> None:
    """left + lean_left → left, lean_right + right → right; buckets come in spectrum order."""
    rows = [row("a1", "s1", "left"), row("a2", "s2", "lean_left"), row("a3", "s3", "center"),
            row("a4", "s4", "lean_right")]
    coverage = compute_coverage(rows)
    assert list(coverage.bias.buckets) == ["left", "lean_left", "center", "lean_right"]
    assert {k: v.sources for k, v in coverage.bias_3way.buckets.items()} == {"left": 2, "center": 1, "right": 1}
    assert coverage.bias_3way.buckets["left"].percent == 50.0


def test_factuality_and_ownership_are_distributions_over_distinct_sources() -> None:
    """Ratings per outlet, unrated apart, the same way as bias."""
    coverage = compute_coverage([
        row("a1", "s1", "center", factuality="high", ownership="public broadcaster"),
        row("a2", "s1", "center", factuality="high", ownership="public broadcaster"),
        row("a3", "s2", "right", factuality="mixed", ownership="private equity"),
        row("a4", "s3", None, factuality=None, ownership=None),
    ])
    assert {k: v.sources for k, v in coverage.factuality.buckets.items()} == {"mixed": 1, "high": 1}
    assert coverage.factuality.unrated == 1
    assert {k: v.sources for k, v in coverage.ownership.buckets.items()} == {
        "private equity": 1, "public broadcaster": 1}


def test_counts_first_report_last_update_and_hourly_timeline() -> None:
    """Originals exclude copies; the first report is the earliest article; articles per hour."""
    coverage = compute_coverage([row("b", "s2", "center", minutes=70), row("a", "s1", "left", minutes=0),
                                 row("c", "s3", None, minutes=75, is_copy=True)])
    assert coverage.originals == 2
    assert (coverage.first_reported.source_id, coverage.first_reported.url) == ("s1", "https://s1.example/a")
    assert coverage.last_updated == T0 + timedelta(minutes=75)
    assert [(p.period_start.hour, p.articles) for p in coverage.timeline] == [(8, 1), (9, 2)]


def test_the_daily_timeline_sums_the_hours_of_each_utc_day_and_is_sent_but_not_stored() -> None:
    """Hours 08 and 23 of one day and 00 of the next: two days. The message carries it; the stored JSON
    (`Tally` → `story.coverage`) leaves it out, and reading that JSON back derives the same days."""
    coverage = compute_coverage([row("a", "s1", "left"), row("b", "s2", "center", minutes=15 * 60),
                                 row("c", "s3", None, minutes=16 * 60), row("d", "s4", "right", minutes=16 * 60 + 5)])
    assert [(p.period_start, p.articles) for p in coverage.timeline_daily] == [
        (datetime(2026, 11, 4, tzinfo=UTC), 2), (datetime(2026, 11, 5, tzinfo=UTC), 2)]
    assert "timeline_daily" in json.loads(coverage.model_dump_json())
    stored = coverage.model_dump(mode="json", exclude={"timeline_daily"})
    assert type(coverage).model_validate(stored).timeline_daily == coverage.timeline_daily


def test_blindspot_when_one_side_barely_covers_what_the_other_covers_heavily() -> None:
    """At least 3 rated sources, one side ≤ 10% while the other ≥ 50%: a blindspot for the quiet side."""
    def three_way(*ratings: str | None):
        return distribution({f"s{i}": r for i, r in enumerate(ratings)}, ("left", "center", "right"))

    assert blindspot(three_way("left", "left", "center")) == "right"
    assert blindspot(three_way("right", "right", "center", "center")) == "left"
    assert blindspot(three_way("left", "left")) is None  # too few rated sources to tell
    assert blindspot(three_way("left", "center", "right")) is None
    assert blindspot(three_way("left", "center", "center", "center")) is None  # no side holds half
    assert blindspot(three_way("left", "left", None, None, None)) is None


def test_a_story_without_articles_has_empty_coverage() -> None:
    """An absorbed story (all its articles moved) reports zeros rather than stale counts."""
    coverage = compute_coverage([])
    assert (coverage.articles, coverage.sources, coverage.first_reported) == (0, 0, None)


def test_a_kept_tally_with_the_later_articles_added_gives_the_coverage_of_all_rows() -> None:
    """The writer keeps a story's tally as JSON and adds the articles that join it, in any order: at every
    split the coverage equals the one counted from all the rows (first report, newest time, timeline,
    distributions, originals), to the microsecond."""
    rng = random.Random(3)
    outlets = [("s1", "left"), ("s2", "center"), ("s3", None), ("s4", "right"), ("s5", "lean_left")]
    rows = []
    for n in range(40):
        source_id, bias = rng.choice(outlets)
        published = T0 + timedelta(minutes=rng.randrange(600), microseconds=rng.randrange(10**6))
        arrival = Arrival(f"a{n:02d}", source_id, published if rng.random() < 0.8 else None,
                          T0 + timedelta(hours=rng.randrange(12)), f"https://{source_id}.example/{n}", rng.random() < 0.2)
        rows.append(CoverageRow(arrival, Outlet(source_id.upper(), bias, rng.choice(["high", None]), None)))
    # The first report has no publication time.
    rows.append(CoverageRow(Arrival("a99", "s1", None, T0 - timedelta(hours=1), "https://s1.example/first"),
                            Outlet("S1", "left", "high", None)))
    expected = compute_coverage(rows)
    assert expected.first_reported.url == "https://s1.example/first"
    for split in (0, 1, 17, len(rows)):
        kept = json.loads(json.dumps(Tally.of(row.arrival for row in rows[:split]).as_json()))
        tally = Tally.from_json(kept)
        for added in rng.sample(rows[split:], len(rows) - split):
            tally.add(added.arrival)
        assert tally.coverage({row.arrival.source_id: row.outlet for row in rows}) == expected


def test_a_tally_counts_with_the_ratings_it_is_given() -> None:
    """Ratings are not kept in the tally: an outlet rated anew counts with its new rating."""
    tally = Tally.of([row("a1", "one", "left").arrival, row("a2", "two", "right", minutes=3).arrival])
    coverage = tally.coverage({"one": Outlet("One", "center", "high", None), "two": Outlet("Two", "right", None, None)})
    assert {k: v.sources for k, v in coverage.bias.buckets.items()} == {"center": 1, "right": 1}
    assert coverage.first_reported.source_name == "One"
