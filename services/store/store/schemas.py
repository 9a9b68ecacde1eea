"""What the HTTP API returns: wire shapes kept apart from the tables, so either can change alone.

A story's content and coverage reuse the StoryUpdated contract's parts (Coverage, KeyNumber, StoryEntity,
Event): the API and the story stream describe a story in one vocabulary.
"""

from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from newsflow_shared.contracts.enrichment import Event
from newsflow_shared.contracts.story_updates import Coverage, KeyNumber, StoryEntity
from pydantic import BaseModel, ConfigDict, Field


class Wire(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class Leaning(StrEnum):
    """The three-way reading of an outlet's bias rating, as a story page groups its articles."""

    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"
    UNRATED = "unrated"


class StorySort(StrEnum):
    LATEST = "latest"
    MOST_COVERED = "most_covered"


class SourcePublic(Wire):
    id: str
    name: str
    homepage: str | None = None
    bias: str | None = None
    factuality: str | None = None
    ownership: str | None = None


class SourceStats(SourcePublic):
    """An outlet with what the store holds from it."""

    article_count: int
    story_count: int
    latest_published_at: datetime | None = None


class ArticlePublic(Wire):
    id: str
    url: str
    canonical_url: str
    title: str | None = None
    description: str | None = None
    authors: list[str] = Field(default_factory=list)
    language: str | None = None
    image: str | None = None
    word_count: int
    published_at: datetime | None = None
    fetched_at: datetime
    story_id: str | None = None
    source: SourcePublic


class ArticleDetail(ArticlePublic):
    """An article with everything the extractor read out of its page."""

    text: str
    site_name: str | None = None
    feed_url: str
    extracted_at: datetime
    entities: list[dict] = Field(default_factory=list, description="As the extractor sent them.")
    quantities: list[dict] = Field(default_factory=list)
    events: list[dict] = Field(default_factory=list, description="GDELT-shaped event records.")


class StoryPublic(Wire):
    id: str
    title: str
    article_count: int
    source_count: int
    bias_counts: dict[str, int]
    first_published_at: datetime | None = None
    updated_at: datetime
    version: int


class LeaningGroup(Wire):
    leaning: Leaning
    sources: int = Field(description="Distinct outlets in this group.")
    articles: list[ArticlePublic]


class StoryDetail(StoryPublic):
    """A story as its page shows it: the writer's current state of it, and its articles."""

    merged_into: str | None = Field(default=None, description="Set when this story was absorbed by another.")
    coverage: Coverage
    summary: list[str]
    key_numbers: list[KeyNumber]
    entities: list[StoryEntity]
    event: Event | None = None
    articles: list[ArticlePublic] = Field(description="Newest first.")
    articles_by_leaning: list[LeaningGroup] = Field(description="Left, center, right, then unrated.")


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One slice of a list, with what is needed to ask for the next: pass `next_cursor` as `cursor`."""

    items: list[T]
    limit: int
    next_cursor: str | None = Field(default=None, description="Opaque; absent on the last page.")
    total: int | None = Field(
        default=None, description="Rows matching the filters, when known without reading each story."
    )
    offset: int | None = Field(default=None, description="Echoed when the legacy `offset` was used.")


class SearchResults(BaseModel):
    query: str
    stories: list[StoryPublic]
    articles: list[ArticlePublic]


class EventRecord(BaseModel):
    """A story's representative event with what GDELT puts around one: ids, counts, when, where from."""

    global_event_id: int = Field(description="Stable for the story: GDELT's GlobalEventID column.")
    story_id: str
    date_added: datetime = Field(description="When the story last changed.")
    source_url: str | None = Field(default=None, description="The first report's URL.")
    num_articles: int
    num_sources: int
    event: Event


class Problem(BaseModel):
    """An error as RFC 9457 problem details (application/problem+json)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict] | None = Field(default=None, description="Each invalid parameter, for 422.")


class Health(BaseModel):
    status: str
    database: str


class DatabaseStatus(BaseModel):
    backend: str
    revision: str | None
    stories: int
    articles: int
    sources: int
