"""What the HTTP API returns: wire shapes kept apart from the tables, so either can change alone."""

from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class Wire(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class SourcePublic(Wire):
    id: str
    name: str
    homepage: str | None = None
    bias: str | None = None
    factuality: str | None = None
    ownership: str | None = None


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


class StoryPublic(Wire):
    id: str
    title: str
    article_count: int
    source_count: int
    bias_counts: dict[str, int]
    first_published_at: datetime | None = None
    updated_at: datetime
    version: int


class StoryDetail(StoryPublic):
    articles: list[ArticlePublic]


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One slice of a list, newest first, with what is needed to ask for the next."""

    items: list[T]
    total: int
    limit: int
    offset: int


class Health(BaseModel):
    status: str
    database: str
