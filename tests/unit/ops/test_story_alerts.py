"""The example consumer's decision: which updates alert, given what was seen of the story before."""

from datetime import UTC, datetime

from newsflow_shared.contracts.story_updates import Coverage, StoryChange, StoryUpdated

from examples.story_alerts import Seen, alerts_for


def update(version: int, sources: int, blindspot: str | None = None) -> StoryUpdated:
    return StoryUpdated(story_id="s", version=version, change=StoryChange.ARTICLE_ADDED, title="Kursk",
                        article_count=sources, source_count=sources, updated_at=datetime(2026, 1, 1, tzinfo=UTC),
                        coverage=Coverage(blindspot=blindspot))


def test_crossing_the_source_threshold_alerts_once() -> None:
    alerts, seen = alerts_for(update(1, 2), Seen(), min_sources=3)
    assert alerts == []
    alerts, seen = alerts_for(update(2, 3), seen, min_sources=3)
    assert [(a.kind, a.text) for a in alerts] == [("sources", "3 sources now report “Kursk”")]
    alerts, seen = alerts_for(update(3, 5), seen, min_sources=3)
    assert alerts == [] and seen == Seen(version=3, sources_alerted=True)


def test_a_story_seen_first_above_the_threshold_alerts() -> None:
    alerts, _ = alerts_for(update(7, 9), Seen(), min_sources=3)
    assert [a.kind for a in alerts] == ["sources"]


def test_becoming_a_blindspot_alerts_and_changing_sides_alerts_again() -> None:
    alerts, seen = alerts_for(update(1, 1, "left"), Seen(), min_sources=3)
    assert [(a.kind, a.blindspot) for a in alerts] == [("blindspot", "left")]
    assert alerts_for(update(2, 1, "left"), seen, min_sources=3)[0] == []
    _, seen = alerts_for(update(3, 1, None), seen, min_sources=3)
    assert [a.kind for a in alerts_for(update(4, 1, "right"), seen, min_sources=3)[0]] == ["blindspot"]


def test_repeated_and_older_versions_are_ignored() -> None:
    seen = Seen(version=4)
    assert alerts_for(update(4, 10, "left"), seen, min_sources=3) == ([], seen)
    assert alerts_for(update(2, 10, "left"), seen, min_sources=3) == ([], seen)
