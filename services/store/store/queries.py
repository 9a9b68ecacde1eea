"""The reads behind the HTTP API, as keyword-only functions over a session, newest first."""

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from store.models import Article, Source, Story
from store.schemas import ArticlePublic, SourcePublic, StoryDetail, StoryPublic


def list_stories(session: Session, *, limit: int, offset: int) -> tuple[list[StoryPublic], int]:
    total = session.exec(select(func.count()).select_from(Story)).one()
    stories = session.exec(
        select(Story).order_by(col(Story.updated_at).desc(), col(Story.id)).limit(limit).offset(offset)
    ).all()
    return [StoryPublic.model_validate(story) for story in stories], total


def get_story(session: Session, *, story_id: str) -> StoryDetail | None:
    story = session.get(Story, story_id)
    if story is None:
        return None
    rows = session.exec(
        select(Article, Source)
        .join(Source, col(Source.id) == col(Article.source_id))
        .where(Article.story_id == story_id)
        .order_by(newest_article(), col(Article.id))
    ).all()
    return StoryDetail(
        **StoryPublic.model_validate(story).model_dump(),
        articles=[article_public(article, source) for article, source in rows],
    )


def list_articles(session: Session, *, limit: int, offset: int) -> tuple[list[ArticlePublic], int]:
    total = session.exec(select(func.count()).select_from(Article)).one()
    rows = session.exec(
        select(Article, Source)
        .join(Source, col(Source.id) == col(Article.source_id))
        .order_by(newest_article(), col(Article.id))
        .limit(limit)
        .offset(offset)
    ).all()
    return [article_public(article, source) for article, source in rows], total


def newest_article() -> sa.UnaryExpression:
    # An article without a date sorts by when it was fetched, not to the end.
    return sa.func.coalesce(col(Article.published_at), col(Article.fetched_at)).desc()


def article_public(article: Article, source: Source) -> ArticlePublic:
    return ArticlePublic.model_validate(
        {**article.model_dump(), "source": SourcePublic.model_validate(source)}
    )
