"""The reads behind the HTTP API and the pages, as keyword-only functions over a session.

Lists are paged by keyset ("after this row's sort key"), so a page costs the same deep into a list and a
story added meanwhile neither repeats nor skips a row. What a story is about (entities, event, blindspot)
lives in the writer's state of it (`store.coverage.story_updated`, the one place that builds it); filters
on those read that state for each candidate row, within a scan budget per request.
"""

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from newsflow_shared.contracts.story_updates import StoryUpdated
from sqlmodel import Session, col, func, select

from store import models
from store.columns import UtcDateTime
from store.coverage import story_updated
from store.models import Article, Source, Story
from store.schemas import (
    ArticleDetail,
    ArticlePublic,
    EventRecord,
    Leaning,
    LeaningGroup,
    SourcePublic,
    SourceStats,
    StoryDetail,
    StoryPublic,
    StorySort,
)

SCAN_BUDGET = 1000  # stories read per request when a filter needs each story's state
MAX_MERGE_HOPS = 10

LEANING_OF_BIAS = {
    "left": Leaning.LEFT, "lean_left": Leaning.LEFT, "center": Leaning.CENTER,
    "lean_right": Leaning.RIGHT, "right": Leaning.RIGHT,
}


@dataclass(frozen=True)
class Order:
    """A total order over rows as (expression, descending) keys, the last one unique."""

    keys: tuple[tuple[Any, bool], ...]
    values: Callable[[Any], list]

    def order_by(self) -> list:
        return [expr.desc() if descending else expr.asc() for expr, descending in self.keys]

    def check(self, values: list) -> None:
        """Raise ValueError or TypeError unless `values` could be a sort key of this order (cursors come
        from clients)."""
        if len(values) != len(self.keys):
            raise ValueError("wrong number of sort values")
        for (expr, _), value in zip(self.keys, values, strict=True):
            if isinstance(expr.type, UtcDateTime):
                if not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is None:
                    raise ValueError("not a timezone-aware time")
                datetime.fromisoformat(value).astimezone(UTC)  # OverflowError at the edges of time
            elif isinstance(expr.type, sa.Integer):
                if not isinstance(value, int) or isinstance(value, bool):
                    raise TypeError("not an integer")
            elif not isinstance(value, str):
                raise TypeError("not a string")

    def after(self, values: list) -> sa.ColumnElement[bool]:
        """Rows strictly after the row whose sort key is `values`."""
        clauses = []
        for i, (expr, descending) in enumerate(self.keys):
            equal = [e == bind(e, v) for (e, _), v in zip(self.keys[:i], values[:i], strict=True)]
            value = bind(expr, values[i])
            clauses.append(sa.and_(*equal, expr < value if descending else expr > value))
        return sa.or_(*clauses)


def bind(expr: Any, value: Any) -> Any:
    # Datetimes travel in cursors as ISO strings; bind them through the column type so SQLite compares
    # them in the format it stored them in.
    if isinstance(getattr(expr, "type", None), UtcDateTime):
        return sa.bindparam(None, datetime.fromisoformat(value), type_=UtcDateTime())
    return value


def iso(value: datetime) -> str:
    return value.isoformat()


def article_time() -> Any:
    # An article without a date sorts by when it was fetched, not to the end.
    return sa.type_coerce(sa.func.coalesce(col(Article.published_at), col(Article.fetched_at)), UtcDateTime())


STORY_ORDERS = {
    StorySort.LATEST: Order(
        keys=((col(Story.updated_at), True), (col(Story.id), False)),
        values=lambda s: [iso(s.updated_at), s.id],
    ),
    StorySort.MOST_COVERED: Order(
        keys=((col(Story.source_count), True), (col(Story.article_count), True),
              (col(Story.updated_at), True), (col(Story.id), False)),
        values=lambda s: [s.source_count, s.article_count, iso(s.updated_at), s.id],
    ),
}
ARTICLE_ORDER = Order(
    keys=((article_time(), True), (col(Article.id), False)),
    values=lambda a: [iso(a.published_at or a.fetched_at), a.id],
)
SOURCE_ORDER = Order(keys=((col(Source.id), False),), values=lambda s: [s.id])


@dataclass(frozen=True)
class StoryFilters:
    since: datetime | None = None
    until: datetime | None = None
    source: str | None = None
    min_sources: int | None = None
    entity: str | None = None
    country: str | None = None
    blindspot: str | None = None  # left, right or any

    @property
    def need_state(self) -> bool:
        return any(v is not None for v in (self.entity, self.country, self.blindspot))


@dataclass(frozen=True)
class Slice:
    rows: list
    next_after: list | None
    total: int | None = None


def story_conditions(filters: StoryFilters) -> list:
    conditions = []
    if (merged_into := getattr(Story, "merged_into", None)) is not None:
        conditions.append(col(merged_into).is_(None))  # an absorbed story lives on in its survivor
    if filters.since:
        conditions.append(col(Story.updated_at) >= filters.since)
    if filters.until:
        conditions.append(col(Story.updated_at) < filters.until)
    if filters.min_sources:
        conditions.append(col(Story.source_count) >= filters.min_sources)
    if filters.source:
        conditions.append(
            select(Article.id)
            .where(col(Article.story_id) == col(Story.id), col(Article.source_id) == filters.source)
            .exists()
        )
    return conditions


def state_matches(state: StoryUpdated, filters: StoryFilters) -> bool:
    """The filters only the writer's state of a story can answer."""
    if filters.entity:
        wanted = filters.entity.casefold()
        if not any(wanted in entity.name.casefold() for entity in state.entities):
            return False
    if filters.country and filters.country.upper() not in event_countries(state):
        return False
    blindspot = state.coverage.blindspot
    if filters.blindspot == "any":
        return blindspot is not None
    return filters.blindspot is None or blindspot == filters.blindspot


def event_countries(state: StoryUpdated) -> set[str]:
    """Country codes of the story's event: where it happened (ISO alpha-2) and its actors' (alpha-3)."""
    event = state.event
    if event is None:
        return set()
    codes = {event.place.country_code if event.place else None}
    codes |= {actor.country_code for actor in (event.actor1, event.actor2) if actor}
    return {code.upper() for code in codes if code}


def list_stories(
    session: Session, *, filters: StoryFilters, sort: StorySort, limit: int,
    after: list | None = None, offset: int | None = None,
) -> Slice:
    order = STORY_ORDERS[sort]
    conditions = story_conditions(filters)
    if not filters.need_state:
        total = session.exec(select(func.count()).select_from(Story).where(*conditions)).one()
        return keyset_page(session, select(Story).where(*conditions), order,
                           limit=limit, after=after, offset=offset, total=total)
    return scan_page(session, select(Story).where(*conditions), order, limit=limit, after=after,
                     keep=lambda story: state_matches(story_updated(session, story), filters))


def keyset_page(
    session: Session, query: Any, order: Order, *, limit: int, after: list | None,
    offset: int | None = None, total: int | None = None,
) -> Slice:
    if after is not None:
        query = query.where(order.after(after))
    query = query.order_by(*order.order_by()).limit(limit + 1)
    if offset is not None:
        query = query.offset(offset)
    rows = list(session.exec(query).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return Slice(rows, order.values(rows[-1]) if more and rows else None, total)


def scan_page(
    session: Session, query: Any, order: Order, *, limit: int, after: list | None,
    keep: Callable[[Any], bool], budget: int = SCAN_BUDGET,
) -> Slice:
    """Rows in `order` that `keep` accepts; stops after `budget` rows and hands back where it stopped."""
    kept: list = []
    for scanned, row in enumerate(rows_in_order(session, query, order, after=after), start=1):
        if keep(row):
            if len(kept) == limit:
                return Slice(kept, order.values(kept[-1]))
            kept.append(row)
        if scanned >= budget:
            return Slice(kept, order.values(row))
    return Slice(kept, None)


def rows_in_order(
    session: Session, query: Any, order: Order, *, after: list | None, batch: int = 100
) -> Iterator[Any]:
    """Every row of `query` in `order`, read in batches."""
    while True:
        page = keyset_page(session, query, order, limit=batch, after=after)
        yield from page.rows
        if page.next_after is None:
            return
        after = page.next_after


def resolve_story_id(session: Session, story_id: str) -> str | None:
    """The id a story lives under now: itself, or the survivor of the merges that absorbed it."""
    for _ in range(MAX_MERGE_HOPS):
        story = session.get(Story, story_id)
        if story is None:
            merge_table = getattr(models, "StoryMerge", None)
            merge = session.get(merge_table, story_id) if merge_table is not None else None
            if merge is None:
                return None
            story_id = merge.survivor_id
        elif getattr(story, "merged_into", None):
            story_id = story.merged_into
        else:
            return story_id
    return None


def get_story(session: Session, *, story_id: str) -> StoryDetail | None:
    story = session.get(Story, story_id)
    if story is None:
        return None
    state = story_updated(session, story)
    rows = session.exec(
        select(Article, Source)
        .join(Source, col(Source.id) == col(Article.source_id))
        .where(Article.story_id == story_id)
        .order_by(*ARTICLE_ORDER.order_by())
    ).all()
    articles = [article_public(article, source) for article, source in rows]
    return StoryDetail(
        **StoryPublic.model_validate(story).model_dump(),
        merged_into=state.merged_into or getattr(story, "merged_into", None),
        coverage=state.coverage,
        summary=state.summary,
        key_numbers=state.key_numbers,
        entities=state.entities,
        event=state.event,
        articles=articles,
        articles_by_leaning=group_by_leaning(articles),
    )


def leaning_of(source: SourcePublic) -> Leaning:
    return LEANING_OF_BIAS.get(source.bias or "", Leaning.UNRATED)


def group_by_leaning(articles: list[ArticlePublic]) -> list[LeaningGroup]:
    groups = []
    for leaning in Leaning:
        members = [a for a in articles if leaning_of(a.source) is leaning]
        if members:
            sources = len({a.source.id for a in members})
            groups.append(LeaningGroup(leaning=leaning, sources=sources, articles=members))
    return groups


@dataclass(frozen=True)
class ArticleFilters:
    since: datetime | None = None
    until: datetime | None = None
    source: str | None = None
    story: str | None = None


def list_articles(
    session: Session, *, filters: ArticleFilters, limit: int, after: list | None = None,
    offset: int | None = None,
) -> Slice:
    conditions = []
    if filters.source:
        conditions.append(col(Article.source_id) == filters.source)
    if filters.story:
        conditions.append(col(Article.story_id) == filters.story)
    if filters.since:
        conditions.append(article_time() >= filters.since)
    if filters.until:
        conditions.append(article_time() < filters.until)
    total = session.exec(select(func.count()).select_from(Article).where(*conditions)).one()
    query = select(Article).where(*conditions)
    page = keyset_page(session, query, ARTICLE_ORDER, limit=limit, after=after, offset=offset, total=total)
    sources = sources_by_id(session, {article.source_id for article in page.rows})
    rows = [article_public(article, sources[article.source_id]) for article in page.rows]
    return Slice(rows, page.next_after, total)


def get_article(session: Session, *, article_id: str) -> ArticleDetail | None:
    article = session.get(Article, article_id)
    if article is None:
        return None
    source = session.get(Source, article.source_id)
    return ArticleDetail.model_validate(
        {**article.model_dump(), "source": SourcePublic.model_validate(source)}
    )


def sources_by_id(session: Session, ids: set[str]) -> dict[str, SourcePublic]:
    if not ids:
        return {}
    rows = session.exec(select(Source).where(col(Source.id).in_(ids))).all()
    return {source.id: SourcePublic.model_validate(source) for source in rows}


def article_public(article: Article, source: Source | SourcePublic) -> ArticlePublic:
    return ArticlePublic.model_validate(
        {**article.model_dump(), "source": SourcePublic.model_validate(source)}
    )


def source_stats_query() -> Any:
    return (
        select(
            Source,
            func.count(col(Article.id)),
            func.count(col(Article.story_id).distinct()),
            func.max(col(Article.published_at)),
        )
        .outerjoin(Article, col(Article.source_id) == col(Source.id))
        .group_by(col(Source.id))
    )


def source_stats(row: Any) -> SourceStats:
    source, articles, stories, latest = row
    return SourceStats(
        **SourcePublic.model_validate(source).model_dump(),
        article_count=articles, story_count=stories, latest_published_at=latest,
    )


def list_sources(session: Session, *, limit: int, after: list | None) -> Slice:
    query = source_stats_query()
    if after is not None:
        query = query.where(SOURCE_ORDER.after(after))
    rows = session.exec(query.order_by(*SOURCE_ORDER.order_by()).limit(limit + 1)).all()
    more = len(rows) > limit
    stats = [source_stats(row) for row in rows[:limit]]
    total = session.exec(select(func.count()).select_from(Source)).one()
    return Slice(stats, [stats[-1].id] if more else None, total)


def get_source(session: Session, *, source_id: str) -> SourceStats | None:
    row = session.exec(source_stats_query().where(col(Source.id) == source_id)).first()
    return source_stats(row) if row else None


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def article_matches(session: Session, text: str) -> sa.ColumnElement[bool]:
    """Full-text search on PostgreSQL (stemmed English); a case-insensitive substring elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        document = sa.func.to_tsvector(
            "english",
            sa.func.concat_ws(" ", col(Article.title), col(Article.description), col(Article.text)),
        )
        return document.op("@@")(sa.func.websearch_to_tsquery("english", text))
    pattern = like_pattern(text)
    return sa.or_(col(Article.title).ilike(pattern, escape="\\"),
                  col(Article.description).ilike(pattern, escape="\\"))


def search(session: Session, *, text: str, limit: int) -> tuple[list[StoryPublic], list[ArticlePublic]]:
    """Stories whose title or any article matches `text`, and the matching articles, newest first."""
    matching = article_matches(session, text)
    in_matching_article = col(Story.id).in_(select(Article.story_id).where(matching))
    story_match = sa.or_(col(Story.title).ilike(like_pattern(text), escape="\\"), in_matching_article)
    conditions = [*story_conditions(StoryFilters()), story_match]
    order = STORY_ORDERS[StorySort.LATEST]
    stories = session.exec(select(Story).where(*conditions).order_by(*order.order_by()).limit(limit)).all()
    articles = list_matching_articles(session, matching, limit=limit)
    return [StoryPublic.model_validate(s) for s in stories], articles


def list_matching_articles(session: Session, matching: Any, *, limit: int) -> list[ArticlePublic]:
    rows = session.exec(
        select(Article, Source)
        .join(Source, col(Source.id) == col(Article.source_id))
        .where(matching)
        .order_by(*ARTICLE_ORDER.order_by())
        .limit(limit)
    ).all()
    return [article_public(article, source) for article, source in rows]


def event_record(state: StoryUpdated) -> EventRecord | None:
    """The story's event as one exportable record, or None while the story has none."""
    if state.event is None:
        return None
    first = state.coverage.first_reported
    return EventRecord(
        global_event_id=global_event_id(state.story_id),
        story_id=state.story_id,
        date_added=state.updated_at,
        source_url=first.url if first else None,
        num_articles=state.article_count,
        num_sources=state.source_count,
        event=state.event,
    )


def global_event_id(story_id: str) -> int:
    """A positive 60-bit integer fixed by the story id, as GDELT's numeric GlobalEventID."""
    return int(hashlib.sha256(story_id.encode()).hexdigest()[:15], 16)


def list_events(
    session: Session, *, filters: StoryFilters, limit: int, after: list | None
) -> tuple[list[EventRecord], list | None]:
    """Stories' event records, latest story first (a story without an event yet is passed over)."""
    order = STORY_ORDERS[StorySort.LATEST]
    records: dict[str, EventRecord] = {}

    def keep(story: Story) -> bool:
        record = event_record(story_updated(session, story))
        if record is not None:
            records[story.id] = record
        return record is not None

    page = scan_page(session, select(Story).where(*story_conditions(filters)), order,
                     limit=limit, after=after, keep=keep)
    return [records[story.id] for story in page.rows], page.next_after


def iter_events(session: Session, *, filters: StoryFilters) -> Iterator[EventRecord]:
    """Every event record in the filters' time range, latest story first; for streamed exports."""
    order = STORY_ORDERS[StorySort.LATEST]
    query = select(Story).where(*story_conditions(filters))
    for story in rows_in_order(session, query, order, after=None):
        record = event_record(story_updated(session, story))
        if record is not None:
            yield record
        session.expunge(story)  # an export may read every story: keep the identity map small


def schema_revision(session: Session) -> str | None:
    """The Alembic revision the database is at (None if it was never migrated)."""
    if not sa.inspect(session.connection()).has_table("alembic_version"):
        return None
    return session.connection().execute(sa.text("select version_num from alembic_version")).scalar()
