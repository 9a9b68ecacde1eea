"""A story's coverage details (counts, first report, timeline, bias/factuality/ownership spread, blindspot),
recounted whenever it changes and stored on the story, and the update that announces it.

Distributions count distinct sources, not articles, and only sources with a rating: an outlet with
ten articles counts once, an unrated outlet is counted apart (`unrated`), as Ground News does.

What the counts are made of (a `Tally`: articles per outlet, first report, newest time, articles per hour)
is kept in the story's content state, so a story that gains articles adds theirs instead of reading all
its rows again: a story of 6,000 articles cost ~150 ms a batch to recount from its rows. The outlets'
ratings are read at each recount, so a changed rating counts at once (`newsflow sources apply-ratings`).
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
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
import sqlalchemy as sa
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
class Arrival:
    """What a story's tally needs of one of its articles (its outlet's ratings are read at each recount)."""

    article_id: str
    source_id: str
    published_at: datetime | None
    fetched_at: datetime
    url: str
    is_copy: bool = False

    @property
    def time(self) -> datetime:
        return self.published_at or self.fetched_at


@dataclass(frozen=True)
class Outlet:
    name: str
    bias: str | None
    factuality: str | None
    ownership: str | None


@dataclass(frozen=True)
class CoverageRow:
    """What coverage needs of one article and its outlet, as the story's rows give them."""

    arrival: Arrival
    outlet: Outlet


@dataclass
class Tally:
    """What a story's coverage is counted from, added to article by article. Kept as JSON in the story's
    content state (`content_state["coverage"]`), times as ISO text: exact, unlike POSIX floats."""

    articles: int = 0
    originals: int = 0
    sources: dict[str, int] = field(default_factory=dict)  # outlet id → articles
    first: tuple | None = None  # (time, article id, source id, published_at, url) of the first report
    last: datetime | None = None
    published: datetime | None = None  # the earliest published_at
    hours: dict[datetime, int] = field(default_factory=dict)  # hour start → articles

    @classmethod
    def of(cls, rows: Iterable[Arrival]) -> "Tally":
        tally = cls()
        for row in rows:
            tally.add(row)
        return tally

    def add(self, row: Arrival) -> None:
        time = row.time
        self.articles += 1
        if not row.is_copy:
            self.originals += 1
        self.sources[row.source_id] = self.sources.get(row.source_id, 0) + 1
        if self.first is None or (time, row.article_id) < self.first[:2]:
            self.first = (time, row.article_id, row.source_id, row.published_at, row.url)
        if self.last is None or time > self.last:
            self.last = time
        if row.published_at is not None and (self.published is None or row.published_at < self.published):
            self.published = row.published_at
        hour = time.replace(minute=0, second=0, microsecond=0)
        self.hours[hour] = self.hours.get(hour, 0) + 1

    def coverage(self, outlets: dict[str, Outlet]) -> Coverage:
        """The coverage, with `outlets` (at least this tally's) as they are rated now."""
        if not self.articles:
            return Coverage()
        bias = {s: outlets[s].bias for s in sorted(self.sources)}
        three_way = {s: THREE_WAY.get(b) if b else None for s, b in bias.items()}
        bias_3way = distribution(three_way, ("left", "center", "right"))
        _, _, source_id, published_at, url = self.first
        return Coverage(
            articles=self.articles,
            sources=len(self.sources),
            originals=self.originals,
            first_reported=FirstReport(source_id=source_id, source_name=outlets[source_id].name,
                                       published_at=published_at, url=url),
            last_updated=self.last,
            bias=distribution(bias, BIAS_ORDER),
            bias_3way=bias_3way,
            factuality=distribution({s: outlets[s].factuality for s in sorted(self.sources)}, FACTUALITY_ORDER),
            ownership=distribution({s: outlets[s].ownership for s in sorted(self.sources)}),
            blindspot=blindspot(bias_3way),
            timeline=[TimelinePoint(period_start=hour, articles=n) for hour, n in sorted(self.hours.items())],
        )

    def as_json(self) -> dict:
        first = self.first and [self.first[0].isoformat(), *self.first[1:3], _iso(self.first[3]), self.first[4]]
        return {"articles": self.articles, "originals": self.originals, "sources": self.sources, "first": first,
                "last": _iso(self.last), "published": _iso(self.published),
                "hours": {hour.isoformat(): n for hour, n in self.hours.items()}}

    @classmethod
    def from_json(cls, data: dict) -> "Tally":
        first = data["first"]
        return cls(data["articles"], data["originals"], dict(data["sources"]),
                   first and (_time(first[0]), first[1], first[2], _time(first[3]), first[4]),
                   _time(data["last"]), _time(data["published"]),
                   {_time(hour): n for hour, n in data["hours"].items()})


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text is not None else None


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
    """The coverage of a story's rows, counted from scratch."""
    return Tally.of(row.arrival for row in rows).coverage({row.arrival.source_id: row.outlet for row in rows})


def coverage_rows(session: Session, story_ids: list[str]) -> dict[str, list[CoverageRow]]:
    """Every article row of each story, with its outlet (an empty list for a story with none)."""
    grouped: dict[str, list[CoverageRow]] = {story_id: [] for story_id in story_ids}
    if not story_ids:
        return grouped
    rows = session.exec(
        select(Article.story_id, Article.id, Article.source_id, Article.published_at, Article.fetched_at, Article.url,
               Article.is_copy, Source.name, Source.bias, Source.factuality, Source.ownership)
        .join(Source, col(Source.id) == col(Article.source_id))
        .where(one_of(session, col(Article.story_id), sorted(story_ids)))
    ).all()
    for story_id, *fields in rows:
        grouped[story_id].append(CoverageRow(Arrival(*fields[:6]), Outlet(*fields[6:])))
    return grouped


def article_counts(session: Session, story_ids: list[str]) -> dict[str, int]:
    """How many articles each story has now (one index scan each, no row read)."""
    counts = dict.fromkeys(story_ids, 0)
    if story_ids:
        counts.update(session.exec(
            select(Article.story_id, sa.func.count()).where(one_of(session, col(Article.story_id), sorted(story_ids)))
            .group_by(col(Article.story_id))
        ).all())
    return counts


def kept_tally(content_state: dict | None) -> Tally | None:
    """The tally a story's content state keeps; None for a state from before tallies were kept (its story's
    rows are counted instead)."""
    state = content_state or {}
    if "coverage" in state:
        return Tally.from_json(state["coverage"])
    return None if state.get("articles") else Tally()


def story_tallies(session: Session, stories: list[Story], arrived: dict[str, list[Arrival]], counts: dict[str, int],
                  untrusted: set[str]) -> dict[str, Tally]:
    """Each story's tally: the one its content state keeps plus the articles that `arrived`, when that accounts
    for every article the story has now (`counts`) and its state is not `untrusted` (an article was edited or
    left, a merge); otherwise counted from all its rows."""
    tallies = {}
    for story in stories:
        tally = None if story.id in untrusted else kept_tally(story.content_state)
        if tally is None:
            continue
        for row in arrived.get(story.id, ()):
            tally.add(row)
        if tally.articles == counts[story.id]:
            tallies[story.id] = tally
    recounted = coverage_rows(session, [story.id for story in stories if story.id not in tallies])
    tallies.update((story_id, Tally.of(row.arrival for row in rows)) for story_id, rows in recounted.items())
    return tallies


def read_outlets(session: Session, source_ids: Iterable[str]) -> dict[str, Outlet]:
    """The outlets as they are rated now."""
    wanted = sorted(set(source_ids))
    if not wanted:
        return {}
    rows = session.exec(select(Source.id, Source.name, Source.bias, Source.factuality, Source.ownership)
                        .where(one_of(session, col(Source.id), wanted))).all()
    return {source_id: Outlet(*fields) for source_id, *fields in rows}


def recount(stories: list[Story], tallies: dict[str, Tally],
            outlets: dict[str, Outlet]) -> dict[str, tuple[Coverage, list[str]]]:
    """Each story's coverage from its tally (`story_tallies`) and its outlets' ratings now; returns each story's
    Coverage and source ids, for its update."""
    counted = {}
    for story in stories:
        tally = tallies[story.id]
        coverage = tally.coverage(outlets)
        story.article_count = coverage.articles
        story.source_count = coverage.sources
        story.bias_counts = dict(sorted(Counter((outlets[s].bias or UNRATED) for s in tally.sources).items()))
        story.first_published_at = tally.published
        story.coverage = coverage.model_dump(mode="json", exclude={"timeline_daily"})  # derived again when read
        counted[story.id] = (coverage, sorted(tally.sources))
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
