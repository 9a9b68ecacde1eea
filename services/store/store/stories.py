"""Which story an article belongs to. Deliberately minimal: the real clustering replaces `assign_story`."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from newsflow_shared.contracts.base import stable_id
from newsflow_shared.contracts.story_updates import StoryChange
from sqlmodel import Session, col, select

from store import terms
from store.models import Article, Story


@dataclass(frozen=True)
class Matching:
    """How alike an article and a recent story must be for the article to join it."""

    window: timedelta = timedelta(hours=72)
    min_similarity: float = 0.2
    max_candidates: int = 500  # the most recently updated stories only, so matching stays cheap


DEFAULT_MATCHING = Matching()


def article_terms(article: Article) -> frozenset[str]:
    """Title, description and lead: titles alone are too short for outlets that word one event differently."""
    return terms.key_terms(article.title, article.description, terms.lead(article.text))


def story_title(article: Article) -> str:
    return article.title or article.description or article.canonical_url


def best_match(candidates: list[Story], wanted: frozenset[str], min_similarity: float) -> Story | None:
    """The most similar candidate at or above `min_similarity`; ties go to the most recently updated,
    then the smallest id, so the choice never depends on row order."""
    scored = [(terms.overlap(story.key_terms.split(), wanted), story) for story in candidates]
    eligible = [(score, story) for score, story in scored if score >= min_similarity]
    if not eligible:
        return None
    eligible.sort(key=lambda pair: (-pair[0], -pair[1].updated_at.timestamp(), pair[1].id))
    return eligible[0][1]


def assign_story(
    session: Session, article: Article, *, now: datetime, matching: Matching = DEFAULT_MATCHING
) -> Story:
    """Join the best-matching story updated within the window, or start a new one (version 0, unpublished).

    The returned story is locked for this transaction (FOR UPDATE on PostgreSQL), so two replicas
    adding articles to it serialise their coverage updates instead of losing one.
    """
    wanted = article_terms(article)
    recent = session.exec(
        select(Story)
        .where(col(Story.updated_at) >= now - matching.window)
        .order_by(col(Story.updated_at).desc(), col(Story.id))
        .limit(matching.max_candidates)
    ).all()
    match = best_match(list(recent), wanted, matching.min_similarity)
    if match is not None:
        return lock_story(session, match.id)
    story = Story(
        id=stable_id("story", article.id),
        title=story_title(article),
        key_terms=" ".join(sorted(wanted)),
        created_at=now,
        updated_at=now,
        version=0,
        last_change=StoryChange.CREATED,
    )
    session.add(story)
    session.flush()
    return story


def lock_story(session: Session, story_id: str) -> Story:
    """Re-read a story under a row lock, so its counts and version reflect every committed change."""
    return session.exec(
        select(Story).where(Story.id == story_id).with_for_update().execution_options(populate_existing=True)
    ).one()
