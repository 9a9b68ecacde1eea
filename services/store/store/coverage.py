"""A story's coverage details (counts, first report, timeline, bias/factuality/ownership spread, blindspot),
recounted from its rows whenever it changes and stored on the story, and the update that announces it.

Distributions count distinct sources, not articles, and only sources with a rating: an outlet with
ten articles counts once, an unrated outlet is counted apart (`unrated`), as Ground News does.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from newsflow_shared.contracts.enrichment import Event
from newsflow_shared.contracts.story_updates import (
    Coverage,
    Distribution,
    FirstReport,
    KeyNumber,
    Share,
    StoryChange,
    StoryEntity,
    StoryUpdated,
    TimelinePoint,
)
from sqlmodel import Session, col, select

from store.filters import one_of
from store.models import Article, Source, Story, StoryMerge

UNRATED = "unrated"
BIAS_ORDER = ("left", "lean_left", "center", "lean_right", "right")
FACTUALITY_ORDER = ("very_low", "low", "mixed", "high", "very_high")
THREE_WAY = {"left": "left", "lean_left": "left", "center": "center", "lean_right": "right", "right": "right"}
# Blindspot (docs/stories.md): with at least BLINDSPOT_MIN_RATED rated sources, a side holding at most
# BLINDSPOT_MAX_SHARE of them while the opposite side holds at least BLINDSPOT_OTHER_SHARE.
BLINDSPOT_MIN_RATED = 3
BLINDSPOT_MAX_SHARE = 10.0
BLINDSPOT_OTHER_SHARE = 50.0


@dataclass(frozen=True)
class CoverageRow:
    """What coverage needs of one article and its outlet."""

    article_id: str
    source_id: str
    source_name: str
    bias: str | None
    factuality: str | None
    ownership: str | None
    published_at: datetime | None
    fetched_at: datetime
    url: str
    is_copy: bool = False

    @property
    def time(self) -> datetime:
        return self.published_at or self.fetched_at


def distribution(ratings: dict[str, str | None], order: Iterable[str] = ()) -> Distribution:
    """Shares of the distinct rated sources per rating; `ratings` maps source id → rating or None."""
    rated = Counter(r for r in ratings.values() if r)
    total = sum(rated.values())
    known = [r for r in order if r in rated] + sorted(r for r in rated if r not in order)
    return Distribution(
        buckets={r: Share(sources=rated[r], percent=round(100.0 * rated[r] / total, 1)) for r in known},
        rated=total,
        unrated=sum(1 for r in ratings.values() if not r),
    )


def blindspot(three_way: Distribution) -> str | None:
    """'left' or 'right' when that side barely covers a story the other side covers heavily."""
    if three_way.rated < BLINDSPOT_MIN_RATED:
        return None
    share = {side: three_way.buckets[side].percent if side in three_way.buckets else 0.0
             for side in ("left", "right")}
    for side, other in (("left", "right"), ("right", "left")):
        if share[side] <= BLINDSPOT_MAX_SHARE and share[other] >= BLINDSPOT_OTHER_SHARE:
            return side
    return None


def compute_coverage(rows: list[CoverageRow]) -> Coverage:
    if not rows:
        return Coverage()
    by_source = {row.source_id: row for row in sorted(rows, key=lambda r: r.article_id)}
    bias = {s: row.bias for s, row in by_source.items()}
    three_way = {s: THREE_WAY.get(b) if b else None for s, b in bias.items()}
    bias_3way = distribution(three_way, ("left", "center", "right"))
    first = min(rows, key=lambda r: (r.time, r.article_id))
    hours = Counter(row.time.replace(minute=0, second=0, microsecond=0) for row in rows)
    return Coverage(
        articles=len(rows),
        sources=len(by_source),
        originals=sum(1 for row in rows if not row.is_copy),
        first_reported=FirstReport(source_id=first.source_id, source_name=first.source_name,
                                   published_at=first.published_at, url=first.url),
        last_updated=max(row.time for row in rows),
        bias=distribution(bias, BIAS_ORDER),
        bias_3way=bias_3way,
        factuality=distribution({s: row.factuality for s, row in by_source.items()}, FACTUALITY_ORDER),
        ownership=distribution({s: row.ownership for s, row in by_source.items()}),
        blindspot=blindspot(bias_3way),
        timeline=[TimelinePoint(period_start=hour, articles=n) for hour, n in sorted(hours.items())],
    )


def coverage_rows(session: Session, story_ids: list[str]) -> dict[str, list[CoverageRow]]:
    rows = session.exec(
        select(Article.story_id, Article.id, Article.source_id, Source.name, Source.bias, Source.factuality,
               Source.ownership, Article.published_at, Article.fetched_at, Article.url, Article.is_copy)
        .join(Source, col(Source.id) == col(Article.source_id))
        .where(one_of(session, col(Article.story_id), sorted(story_ids)))
    ).all()
    grouped: dict[str, list[CoverageRow]] = {story_id: [] for story_id in story_ids}
    for story_id, *fields in rows:
        grouped[story_id].append(CoverageRow(*fields))
    return grouped


def recount(stories: list[Story], grouped: dict[str, list[CoverageRow]]) -> dict[str, tuple[Coverage, list[str]]]:
    """Recount each story's coverage from its rows (`coverage_rows`; never incrementally, so a redelivery or
    a concurrent writer cannot skew the counts); returns each story's Coverage and source ids, for its update."""
    counted = {}
    for story in stories:
        rows = grouped[story.id]
        coverage = compute_coverage(rows)
        published = [row.published_at for row in rows if row.published_at is not None]
        sources = {r.source_id: r for r in rows}
        story.article_count = coverage.articles
        story.source_count = coverage.sources
        story.bias_counts = dict(sorted(Counter((row.bias or UNRATED) for row in sources.values()).items()))
        story.first_published_at = min(published, default=None)
        story.coverage = coverage.model_dump(mode="json")
        counted[story.id] = (coverage, sorted(sources))
    return counted


def record_change(story: Story, change: StoryChange, *, article_id: str | None, now: datetime) -> None:
    """Bump the story to its next version: an absorbed story's change is MERGED, a never-published
    one's (version 0) CREATED."""
    if story.merged_into is not None:
        change = StoryChange.MERGED
    elif story.version == 0:
        change = StoryChange.CREATED
    story.last_change = change
    story.last_article_id = article_id
    story.version += 1
    story.updated_at = now


def story_updated(session: Session, story: Story) -> StoryUpdated:
    """The story's current state as a message; the same version always gives the same message."""
    return stories_updated(session, [story])[story.id]


def stories_updated(session: Session, stories: list[Story],
                    counted: dict[str, tuple[Coverage, list[str]]] | None = None) -> dict[str, StoryUpdated]:
    """story_updated for many stories in two queries (one, for stories whose coverage was just `counted`)."""
    counted = counted or {}
    ids = sorted({story.id for story in stories})
    source_ids: dict[str, list[str]] = {story_id: counted[story_id][1] if story_id in counted else []
                                        for story_id in ids}
    merged_from: dict[str, list[str]] = {story_id: [] for story_id in ids}
    uncounted = [story_id for story_id in ids if story_id not in counted]
    for first in range(0, len(uncounted), 1000):
        part = uncounted[first:first + 1000]
        for story_id, source_id in session.exec(
            select(Article.story_id, Article.source_id).where(one_of(session, col(Article.story_id), part)).distinct()
            .order_by(Article.story_id, Article.source_id)
        ).all():
            source_ids[story_id].append(source_id)
    for first in range(0, len(ids), 1000):
        part = ids[first:first + 1000]
        for survivor_id, absorbed_id in session.exec(
            select(StoryMerge.survivor_id, StoryMerge.absorbed_id).where(one_of(session, col(StoryMerge.survivor_id), part))
            .order_by(StoryMerge.survivor_id, StoryMerge.absorbed_id)
        ).all():
            merged_from[survivor_id].append(absorbed_id)
    return {story.id: build_update(story, source_ids[story.id], merged_from[story.id],
                                   counted[story.id][0] if story.id in counted else None) for story in stories}


def build_update(story: Story, source_ids: list[str], merged_from: list[str],
                 coverage: Coverage | None = None) -> StoryUpdated:
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
        source_ids=source_ids,
        bias_counts=story.bias_counts,
        merged_into=story.merged_into,
        merged_from=merged_from,
        coverage=coverage or Coverage.model_validate(story.coverage or {}),
        summary=list(story.summary),
        key_numbers=[KeyNumber.model_validate(n) for n in story.key_numbers],
        entities=[StoryEntity.model_validate(e) for e in story.entities],
        event=Event.model_validate(story.event) if story.event else None,
    )
