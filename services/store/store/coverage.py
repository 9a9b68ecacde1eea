"""A story's coverage (articles, outlets, bias spread) kept current, and the update that announces it."""

from collections import Counter
from datetime import datetime

from newsflow_shared.contracts.story_updates import StoryChange, StoryUpdated
from sqlmodel import Session, select

from store.models import Article, Source, Story

UNRATED = "unrated"


def refresh_coverage(session: Session, story: Story) -> None:
    """Recount the story's articles and distinct sources from its rows (never incrementally, so
    a redelivery or a concurrent writer cannot skew the counts)."""
    rows = session.exec(
        select(Article.source_id, Source.bias, Article.published_at)
        .join(Source, Source.id == Article.source_id)
        .where(Article.story_id == story.id)
    ).all()
    bias_by_source = {source_id: bias or UNRATED for source_id, bias, _ in rows}
    published = [published_at for _, _, published_at in rows if published_at is not None]
    story.article_count = len(rows)
    story.source_count = len(bias_by_source)
    story.bias_counts = dict(sorted(Counter(bias_by_source.values()).items()))
    story.first_published_at = min(published, default=None)


def record_change(story: Story, change: StoryChange, *, article_id: str, now: datetime) -> None:
    """Bump the story to its next version; a never-published story (version 0) is always CREATED."""
    story.last_change = StoryChange.CREATED if story.version == 0 else change
    story.last_article_id = article_id
    story.version += 1
    story.updated_at = now


def story_updated(session: Session, story: Story) -> StoryUpdated:
    """The story's current state as a message; the same version always gives the same message."""
    source_ids = session.exec(
        select(Article.source_id).where(Article.story_id == story.id).distinct().order_by(Article.source_id)
    ).all()
    return StoryUpdated(
        story_id=story.id,
        version=story.version,
        change=StoryChange(story.last_change),
        title=story.title,
        article_id=story.last_article_id,
        article_count=story.article_count,
        source_count=story.source_count,
        first_published_at=story.first_published_at,
        updated_at=story.updated_at,
        source_ids=list(source_ids),
        bias_counts=story.bias_counts,
    )
