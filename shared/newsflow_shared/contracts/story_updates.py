"""Stream `newsflow:stories:updates`: store → downstream consumers, one message per story change.

Each message carries the story's full current coverage, so a consumer never needs the database,
and a `version` that grows with every change, so a consumer can drop stale or repeated updates.
"""

from datetime import UTC, date, datetime
from enum import StrEnum
from functools import cached_property

from pydantic import Field, computed_field

from newsflow_shared import streams
from newsflow_shared.contracts.base import Contract, Part, stable_id
from newsflow_shared.contracts.enrichment import Event

STREAM = streams.STORY_UPDATES


class StoryChange(StrEnum):
    CREATED = "created"
    ARTICLE_ADDED = "article_added"
    MERGED = "merged"
    COVERAGE_CHANGED = "coverage_changed"


class Share(Part):
    """One bucket of a distribution over distinct sources."""

    sources: int = Field(ge=0)
    percent: float = Field(ge=0, le=100, description="Of the rated sources (unrated counted apart).")


class Distribution(Part):
    """Distinct sources per rating, as Ground News counts them: shares of the *rated* sources."""

    buckets: dict[str, Share] = Field(default_factory=dict)
    rated: int = 0
    unrated: int = 0


class FirstReport(Part):
    source_id: str
    source_name: str
    published_at: datetime | None = None
    url: str


class TimelinePoint(Part):
    period_start: datetime
    articles: int


class Coverage(Part):
    """Everything a story page's coverage panel shows, recomputed on every change."""

    articles: int = 0
    sources: int = 0
    originals: int = Field(default=0, description="Articles that are not syndicated copies.")
    first_reported: FirstReport | None = None
    last_updated: datetime | None = None
    bias: Distribution = Field(default_factory=Distribution, description="5-way: left … right.")
    bias_3way: Distribution = Field(default_factory=Distribution, description="left / center / right.")
    factuality: Distribution = Field(default_factory=Distribution)
    ownership: Distribution = Field(default_factory=Distribution)
    blindspot: str | None = Field(
        default=None, description="'left' or 'right' when one side barely covers the story (see docs)."
    )
    timeline: list[TimelinePoint] = Field(
        default_factory=list, description="Articles per hour (UTC); messages also carry `timeline_daily`, per UTC day."
    )

    @computed_field(description="Articles per day (UTC): the hourly timeline summed, for a story that runs for days.")
    @cached_property
    def timeline_daily(self) -> list[TimelinePoint]:
        # Derived, not stored: sent in every message and API answer, and never out of step with `timeline`
        # (a consumer's copy of the contract ignores it on input and derives it again). Cached: the model is
        # frozen, and the writer encodes each update twice (its size check, then the publish).
        days: dict[date, int] = {}
        for point in self.timeline:
            start = point.period_start
            if start.utcoffset():  # the store's hours are UTC already; a naive one counts as UTC
                start = start.astimezone(UTC)
            day = start.date()
            days[day] = days.get(day, 0) + point.articles
        # Built without validation: the values are the validated timeline's.
        return [TimelinePoint.model_construct(period_start=datetime(d.year, d.month, d.day, tzinfo=UTC), articles=n)
                for d, n in sorted(days.items())]


class KeyNumber(Part):
    """A figure the articles report, with how many distinct sources report it."""

    value: float
    text: str = Field(description="As most sources write it: '6,000'.")
    counted: str
    sources: int


class StoryEntity(Part):
    name: str
    kind: str
    articles: int


class StoryUpdated(Contract):
    STREAM = STREAM

    story_id: str
    version: int = Field(ge=1)
    change: StoryChange
    title: str
    article_id: str | None = Field(default=None, description="The article that caused the change.")
    article_count: int
    source_count: int
    first_published_at: datetime | None = None
    updated_at: datetime
    source_ids: list[str] = Field(default_factory=list)
    bias_counts: dict[str, int] = Field(
        default_factory=dict, description="Distinct sources per bias rating; 'unrated' counted apart."
    )
    # Story content and coverage (issue 5); defaults keep version-1 producers valid.
    merged_into: str | None = Field(default=None, description="Set when change=merged: the surviving story.")
    merged_from: list[str] = Field(default_factory=list, description="Story ids merged into this one.")
    coverage: Coverage = Field(default_factory=Coverage)
    summary: list[str] = Field(default_factory=list, description="Up to three extractive bullets.")
    key_numbers: list[KeyNumber] = Field(default_factory=list)
    entities: list[StoryEntity] = Field(default_factory=list)
    event: Event | None = Field(default=None, description="The story's representative event record.")

    @property
    def message_id(self) -> str:
        return stable_id("story", self.story_id, str(self.version))
