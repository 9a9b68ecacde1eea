"""The JSON API's read routes: stories, articles, sources, search, events, health, and the admin route."""

from typing import Annotated

import structlog
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import func, select

from store import queries
from store.db import check_connection
from store.models import Article, Source, Story
from store.queries import ARTICLE_ORDER, SOURCE_ORDER, STORY_ORDERS, ArticleFilters, StoryFilters
from store.schemas import (
    ArticleDetail,
    ArticlePublic,
    DatabaseStatus,
    EventRecord,
    Health,
    Page,
    SearchResults,
    SourceStats,
    StoryDetail,
    StoryPublic,
    StorySort,
)
from store.web.cursors import encode_cursor
from store.web.params import (
    MAX_QUERY_CHARS,
    Cursor,
    Limit,
    Offset,
    SessionDep,
    Since,
    SourceId,
    Text,
    Until,
    after_cursor,
    check_range,
)
from store.web.problems import problem_responses
from store.web.security import AdminOnly

log = structlog.get_logger("store.api")

router = APIRouter(responses=problem_responses(400))

Id = Annotated[str, Path(min_length=1, max_length=200)]
Country = Annotated[str | None, Query(pattern=r"^[A-Za-z]{2,3}$", description="ISO alpha-2 or alpha-3.")]
Blindspot = Annotated[str | None, Query(pattern="^(left|right|any)$", description="left, right or any.")]
MinSources = Annotated[int | None, Query(ge=1, le=10_000)]


def next_cursor(scope: str, after: list | None) -> str | None:
    return encode_cursor(scope, after) if after is not None else None


@router.get("/health", response_model=Health, responses={503: {"model": Health}}, tags=["meta"])
def health(request: Request) -> JSONResponse:
    try:
        check_connection(request.app.state.engine)
    except SQLAlchemyError as exc:
        log.warning("health check: database unreachable", error=str(exc))
        return JSONResponse(Health(status="unavailable", database="unreachable").model_dump(), 503)
    return JSONResponse(Health(status="ok", database="ok").model_dump())


@router.get("/stories", response_model=Page[StoryPublic], tags=["stories"])
def stories(
    session: SessionDep, limit: Limit = 20, cursor: Cursor = None, offset: Offset = None,
    sort: StorySort = StorySort.LATEST, since: Since = None, until: Until = None, source: SourceId = None,
    min_sources: MinSources = None, entity: Text = None, country: Country = None, blindspot: Blindspot = None,
) -> Page[StoryPublic]:
    """Stories, latest change first or most sources first. `since`/`until` bound when a story last changed;
    `entity`, `country` and `blindspot` read each story's state, so their pages carry no `total` and
    may come back short (keep following `next_cursor`)."""
    check_range(since, until)
    filters = StoryFilters(since=since, until=until, source=source, min_sources=min_sources,
                           entity=entity, country=country, blindspot=blindspot)
    if offset is not None and filters.need_state:
        raise HTTPException(400, "`offset` cannot be combined with entity, country or blindspot; use `cursor`")
    scope = f"stories:{sort.value}"
    after = after_cursor(cursor, scope=scope, order=STORY_ORDERS[sort], offset=offset)
    found = queries.list_stories(session, filters=filters, sort=sort, limit=limit, after=after, offset=offset)
    return Page[StoryPublic](
        items=[StoryPublic.model_validate(story) for story in found.rows], limit=limit,
        next_cursor=next_cursor(scope, found.next_after), total=found.total, offset=offset,
    )


@router.get("/stories/{story_id}", response_model=StoryDetail, responses=problem_responses(404, 308),
            tags=["stories"])
def story(story_id: Id, session: SessionDep) -> StoryDetail | RedirectResponse:
    """A story with its coverage, summary, key numbers, entities, event and articles by leaning.
    A story merged into another redirects (308) to the survivor."""
    current = queries.resolve_story_id(session, story_id)
    if current is None:
        raise HTTPException(404, f"no story {story_id!r}")
    if current != story_id:
        return RedirectResponse(f"/stories/{current}", status_code=308)
    found = queries.get_story(session, story_id=story_id)
    if found is None:
        raise HTTPException(404, f"no story {story_id!r}")
    return found


@router.get("/articles", response_model=Page[ArticlePublic], tags=["articles"])
def articles(
    session: SessionDep, limit: Limit = 50, cursor: Cursor = None, offset: Offset = None,
    since: Since = None, until: Until = None, source: SourceId = None,
    story: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> Page[ArticlePublic]:
    """Articles by publication time (fetch time when undated), newest first."""
    check_range(since, until)
    after = after_cursor(cursor, scope="articles", order=ARTICLE_ORDER, offset=offset)
    filters = ArticleFilters(since=since, until=until, source=source, story=story)
    found = queries.list_articles(session, filters=filters, limit=limit, after=after, offset=offset)
    return Page[ArticlePublic](items=found.rows, limit=limit, next_cursor=next_cursor("articles", found.next_after),
                               total=found.total, offset=offset)


@router.get("/articles/{article_id}", response_model=ArticleDetail, responses=problem_responses(404),
            tags=["articles"])
def article(article_id: Id, session: SessionDep) -> ArticleDetail:
    """One article with its text and everything the extractor read from it."""
    found = queries.get_article(session, article_id=article_id)
    if found is None:
        raise HTTPException(404, f"no article {article_id!r}")
    return found


@router.get("/sources", response_model=Page[SourceStats], tags=["sources"])
def sources(session: SessionDep, limit: Limit = 100, cursor: Cursor = None) -> Page[SourceStats]:
    """Outlets with their ratings and how many articles and stories the store holds from each, by id."""
    after = after_cursor(cursor, scope="sources", order=SOURCE_ORDER, offset=None)
    found = queries.list_sources(session, limit=limit, after=after)
    return Page[SourceStats](items=found.rows, limit=limit, next_cursor=next_cursor("sources", found.next_after),
                             total=found.total)


@router.get("/sources/{source_id}", response_model=SourceStats, responses=problem_responses(404),
            tags=["sources"])
def source(source_id: Id, session: SessionDep) -> SourceStats:
    found = queries.get_source(session, source_id=source_id)
    if found is None:
        raise HTTPException(404, f"no source {source_id!r}")
    return found


@router.get("/search", response_model=SearchResults, tags=["search"])
def search(
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="Words to look for.")],
    limit: Limit = 20,
) -> SearchResults:
    """Stories and articles matching `q`: full-text search on PostgreSQL, substring match on SQLite."""
    if not q.strip():
        raise HTTPException(422, "`q` must contain something other than spaces")
    found_stories, found_articles = queries.search(session, text=q.strip(), limit=limit)
    return SearchResults(query=q, stories=found_stories, articles=found_articles)


@router.get("/events", response_model=Page[EventRecord], tags=["events"])
def events(
    session: SessionDep, limit: Limit = 50, cursor: Cursor = None, since: Since = None, until: Until = None,
    country: Country = None, entity: Text = None,
) -> Page[EventRecord]:
    """Each story's representative event (GDELT-shaped), latest story change first."""
    check_range(since, until)
    order = STORY_ORDERS[StorySort.LATEST]
    after = after_cursor(cursor, scope="events", order=order, offset=None)
    filters = StoryFilters(since=since, until=until, country=country, entity=entity)
    records, next_after = queries.list_events(session, filters=filters, limit=limit, after=after)
    return Page[EventRecord](items=records, limit=limit, next_cursor=next_cursor("events", next_after))


@router.get("/admin/database", response_model=DatabaseStatus, dependencies=[AdminOnly],
            responses=problem_responses(401, 403), tags=["admin"])
def database_status(session: SessionDep) -> DatabaseStatus:
    """Which database and schema revision the API reads, and its row counts. Needs the admin token."""
    return DatabaseStatus(
        backend=session.get_bind().dialect.name, revision=queries.schema_revision(session),
        stories=session.exec(select(func.count()).select_from(Story)).one(),
        articles=session.exec(select(func.count()).select_from(Article)).one(),
        sources=session.exec(select(func.count()).select_from(Source)).one(),
    )
