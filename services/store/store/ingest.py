"""One extracted article into the database: upsert it and its outlet, place it in a story, in one transaction.

Returns the StoryUpdated to publish once the transaction has committed. A redelivered identical
message changes nothing and returns the story's current state again, so an update lost to a crash
between commit and publish is published on the retry (same version, same message id).
"""

import enum
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from newsflow_shared.contracts.extracted_articles import ArticleExtracted
from newsflow_shared.contracts.story_updates import StoryChange, StoryUpdated
from newsflow_shared.delivery import InvalidMessage
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from store.coverage import record_change, refresh_coverage, story_updated
from store.models import MAX_CANONICAL_URL_CHARS, Article, Story
from store.sources import upsert_source
from store.stories import DEFAULT_MATCHING, Matching, assign_story, lock_story

log = structlog.get_logger(__name__)

ATTEMPTS = 5  # each unique-key race (source, story, article) is settled by a re-run that sees the winner


class Outcome(enum.StrEnum):
    INSERTED = "inserted"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Ingested:
    outcome: Outcome
    update: StoryUpdated | None


def ingest_article(
    engine: Engine, message: ArticleExtracted, *, now: datetime, matching: Matching = DEFAULT_MATCHING
) -> Ingested:
    """Store `message` in one transaction, re-running it if a concurrent writer inserted the same key."""
    check_storable(message)
    if not message.is_article:
        return Ingested(Outcome.SKIPPED, None)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with Session(engine, expire_on_commit=False) as session, session.begin():
                return write_article(session, message, now=now, matching=matching)
        except IntegrityError as exc:
            if attempt == ATTEMPTS:
                raise
            log.info("concurrent write on the same key; re-running the transaction",
                     canonical_url=message.canonical_url, attempt=attempt, error=str(exc.orig))
    raise AssertionError("unreachable")


def check_storable(message: ArticleExtracted) -> None:
    """Refuse what no retry can store, so it is dead-lettered at once instead of failing N times."""
    if not message.canonical_url.strip():
        raise InvalidMessage("empty canonical_url")
    if len(message.canonical_url) > MAX_CANONICAL_URL_CHARS:
        raise InvalidMessage(f"canonical_url longer than {MAX_CANONICAL_URL_CHARS} characters")


def write_article(
    session: Session, message: ArticleExtracted, *, now: datetime, matching: Matching
) -> Ingested:
    """The transaction's body; the caller owns commit and retry."""
    upsert_source(session, message.source, now=now)
    article = session.exec(
        select(Article).where(Article.canonical_url == message.canonical_url).with_for_update()
    ).first()
    if article is None:
        article, story = add_article(session, message, now=now, matching=matching)
        outcome, change = Outcome.INSERTED, StoryChange.ARTICLE_ADDED
    elif article.content_hash == message.content_hash and article.story_id:
        # A redelivery writes nothing, but its update may never have gone out (crash before the ack).
        return Ingested(Outcome.UNCHANGED, story_updated(session, lock_story(session, article.story_id)))
    else:
        story = update_article(session, article, message, now=now, matching=matching)
        outcome, change = Outcome.UPDATED, StoryChange.COVERAGE_CHANGED
    session.flush()
    refresh_coverage(session, story)
    record_change(story, change, article_id=article.id, now=now)
    return Ingested(outcome, story_updated(session, story))


def add_article(
    session: Session, message: ArticleExtracted, *, now: datetime, matching: Matching
) -> tuple[Article, Story]:
    article = Article(id=message.article_id, **article_fields(message), created_at=now, updated_at=now)
    story = assign_story(session, article, now=now, matching=matching)
    article.story_id = story.id
    session.add(article)
    return article, story


def update_article(
    session: Session, article: Article, message: ArticleExtracted, *, now: datetime, matching: Matching
) -> Story:
    """Apply an edited page to its row; the article stays in its story (re-clustering is not ours)."""
    for name, value in article_fields(message).items():
        setattr(article, name, value)
    article.updated_at = now
    if article.story_id:
        return lock_story(session, article.story_id)
    story = assign_story(session, article, now=now, matching=matching)
    article.story_id = story.id
    return story


def article_fields(message: ArticleExtracted) -> dict:
    return {
        "canonical_url": message.canonical_url,
        "url": message.url,
        "feed_url": message.feed_url,
        "source_id": message.source.id,
        "content_hash": message.content_hash,
        "title": message.title,
        "description": message.description,
        "text": message.text,
        "authors": list(message.authors),
        "language": message.language,
        "site_name": message.site_name,
        "image": message.image,
        "word_count": message.word_count,
        "published_at": as_utc(message.published_at),
        "fetched_at": as_utc(message.fetched_at),
        "extracted_at": as_utc(message.extracted_at),
    }


def as_utc(value: datetime | None) -> datetime | None:
    """Producers may send offset-less times (a page's date without a zone); read those as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
