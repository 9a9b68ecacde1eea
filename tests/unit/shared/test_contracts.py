"""Message contracts: stable ids, version headers, and validation at the boundary."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from newsflow_shared.contracts.base import MESSAGE_ID_HEADER, SCHEMA_VERSION_HEADER
from newsflow_shared.contracts.extracted_articles import ArticleExtracted
from newsflow_shared.contracts.raw_articles import ArticleFetched, FeedEntry, HttpMeta, article_id, content_hash
from newsflow_shared.contracts.source import SourceRef
from newsflow_shared.contracts.story_updates import Coverage, StoryChange, StoryUpdated, TimelinePoint

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
SOURCE = SourceRef(id="northwind-herald", name="Northwind Herald", bias="center", factuality="high")


def fetched(html: str = "<html><p>Hello</p></html>", url: str = "https://example.org/a") -> ArticleFetched:
    return ArticleFetched(
        source=SOURCE, url=url, canonical_url=url,
        feed=FeedEntry(feed_url="https://example.org/feed.xml", title="A"),
        http=HttpMeta(status=200, final_url=url, fetched_at=NOW),
        html=html, content_hash=content_hash(html),
    )


def test_the_same_article_gets_the_same_message_id_every_time() -> None:
    assert fetched().message_id == fetched().message_id
    assert fetched().message_id != fetched(html="<p>changed</p>").message_id


def test_the_article_id_depends_on_the_canonical_url_only() -> None:
    assert fetched().article_id == article_id("https://example.org/a")
    assert fetched(html="<p>revised</p>").article_id == fetched().article_id


def test_headers_carry_schema_version_and_message_id() -> None:
    headers = fetched().headers()
    assert headers[SCHEMA_VERSION_HEADER] == "1"
    assert headers[MESSAGE_ID_HEADER] == fetched().message_id


def test_unknown_fields_from_a_newer_producer_are_ignored() -> None:
    payload = fetched().model_dump(mode="json") | {"added_in_a_later_release": 1}
    assert ArticleFetched.model_validate(payload) == fetched()


def test_a_source_id_must_be_a_slug() -> None:
    with pytest.raises(ValidationError, match="id"):
        SourceRef(id="Not A Slug!", name="x")


def test_a_rating_outside_the_scale_is_refused() -> None:
    with pytest.raises(ValidationError, match="bias"):
        SourceRef(id="x", name="x", bias="far_out")


def test_story_updates_with_the_same_version_share_a_message_id() -> None:
    def update(version: int) -> StoryUpdated:
        return StoryUpdated(story_id="s1", version=version, change=StoryChange.ARTICLE_ADDED, title="t",
                            article_count=2, source_count=2, updated_at=NOW)

    assert update(3).message_id == update(3).message_id != update(4).message_id


def test_extracted_article_round_trips_through_json() -> None:
    article = ArticleExtracted(
        article_id="a", url="u", canonical_url="u", feed_url="f", source=SOURCE, content_hash="h",
        title="T", text="Body", published_at=NOW, fetched_at=NOW, extracted_at=NOW,
    )
    assert ArticleExtracted.model_validate_json(article.model_dump_json()) == article


def test_the_daily_timeline_counts_utc_days_whatever_offset_the_hours_carry() -> None:
    """23:00 at +02:00 is 21:00 UTC the same day; 01:00 at +02:00 is 23:00 UTC the day before; a naive hour
    is UTC. A consumer validating the message ignores the field it was sent and derives the same."""
    plus_two = timezone(timedelta(hours=2))
    coverage = Coverage(timeline=[
        TimelinePoint(period_start=datetime(2026, 11, 4, 23, tzinfo=plus_two), articles=3),
        TimelinePoint(period_start=datetime(2026, 11, 5, 1, tzinfo=plus_two), articles=1),
        TimelinePoint(period_start=datetime(2026, 11, 5, 8), articles=2),
    ])
    assert [(p.period_start, p.articles) for p in coverage.timeline_daily] == [
        (datetime(2026, 11, 4, tzinfo=UTC), 4), (datetime(2026, 11, 5, tzinfo=UTC), 2)]
    assert Coverage.model_validate_json(coverage.model_dump_json()).timeline_daily == coverage.timeline_daily
    assert Coverage().timeline_daily == []
