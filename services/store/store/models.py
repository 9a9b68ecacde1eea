"""The store's tables: outlets, articles and the stories that group them. Alembic owns their DDL."""

from datetime import datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from store.columns import Json, UtcDateTime

MAX_CANONICAL_URL_CHARS = 2048
# A unique B-tree entry holds at most 2,704 bytes: 2,048 characters of a non-ASCII URL can be 8 KB.
MAX_CANONICAL_URL_BYTES = 2048

# Deterministic constraint names, so Alembic migrations can refer to (and drop) them on every backend.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_column(*, nullable: bool = False, index: bool = False) -> sa.Column:
    return sa.Column(UtcDateTime(), nullable=nullable, index=index)


class Source(SQLModel, table=True):
    """An outlet, with the ratings the most recently fetched message carried for it (or `apply-ratings` wrote)."""

    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=200)
    homepage: str | None = None
    bias: str | None = None
    factuality: str | None = None
    ownership: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())
    # The fetch time of the message the description came from, or when apply-ratings wrote it: a message
    # fetched earlier (still in flight when the ratings were edited, or redelivered) never puts its own back.
    described_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # When bias, factuality or ownership last changed here (store clock): stories counted before then are stale.
    rated_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class Story(SQLModel, table=True):
    """A group of articles about one event, with its coverage counts kept current on every change.

    `version` grows by one with each change and, with `last_change` and `last_article_id`, lets the
    store re-publish exactly the update it published for the current version.
    """

    id: str = Field(primary_key=True)
    title: str
    key_terms: str = Field(description="Space-separated matching terms of the founding article.")
    article_count: int = 0
    source_count: int = 0
    bias_counts: dict[str, int] = Field(default_factory=dict, sa_column=sa.Column(Json, nullable=False))
    first_published_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column(index=True))
    version: int = 1
    last_change: str
    last_article_id: str | None = None
    # Clustering state (issue 5): per-field term sums the next article is compared with, and the
    # newest article's time, which the time decay is measured from.
    centroid: dict = Field(default_factory=dict, sa_column=sa.Column(Json, nullable=False))
    last_published_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    merged_into: str | None = Field(default=None, index=True, description="Set once absorbed by a merge.")
    # What the story page and every StoryUpdated show, computed when the story changes (never on read).
    coverage: dict = Field(default_factory=dict, sa_column=sa.Column(Json, nullable=False))
    summary: list[str] = Field(default_factory=list, sa_column=sa.Column(Json, nullable=False))
    key_numbers: list[dict] = Field(default_factory=list, sa_column=sa.Column(Json, nullable=False))
    entities: list[dict] = Field(default_factory=list, sa_column=sa.Column(Json, nullable=False))
    event: dict | None = Field(default=None, sa_column=sa.Column(Json, nullable=True))
    # What that content is computed from (store.content.ContentState), so a new article adds to it.
    content_state: dict = Field(default_factory=dict, sa_column=sa.Column(Json, nullable=False))


class Article(SQLModel, table=True):
    """One extracted article; its canonical URL is its identity, so a redelivery finds the same row."""

    id: str = Field(primary_key=True)
    # Bounded because a unique B-tree index entry is; longer URLs (in UTF-8 bytes) are refused at ingest.
    canonical_url: str = Field(
        sa_column=sa.Column(sa.String(MAX_CANONICAL_URL_CHARS), nullable=False, unique=True)
    )
    url: str
    feed_url: str
    source_id: str = Field(foreign_key="source.id", index=True, max_length=64)
    story_id: str | None = Field(default=None, foreign_key="story.id", index=True)
    content_hash: str
    title: str | None = None
    description: str | None = None
    text: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    authors: list[str] = Field(default_factory=list, sa_column=sa.Column(Json, nullable=False))
    language: str | None = None
    site_name: str | None = None
    image: str | None = None
    word_count: int = 0
    published_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True, index=True))
    fetched_at: datetime = Field(sa_column=utc_column())
    extracted_at: datetime = Field(sa_column=utc_column())
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())
    # Syndication (issue 5): a copy is another outlet's near-identical text; copy_of names the original.
    is_copy: bool = False
    copy_of: str | None = None
    simhash: str | None = Field(default=None, max_length=16)
    text_hash: str | None = Field(default=None, max_length=40)
    # The extractor's analysis, kept so stories can be re-clustered and summarised from rows alone.
    features: dict = Field(default_factory=dict, sa_column=sa.Column(Json, nullable=False))
    entities: list[dict] = Field(default_factory=list, sa_column=sa.Column(Json, nullable=False))
    quantities: list[dict] = Field(default_factory=list, sa_column=sa.Column(Json, nullable=False))
    events: list[dict] = Field(default_factory=list, sa_column=sa.Column(Json, nullable=False))


class StoryKey(SQLModel, table=True):
    """The candidate index: a term, entity or fingerprint of a story's articles → the story.

    An arriving article looks up its own keys here (within the time window) instead of scanning
    recent stories, so matching costs the same at 1k or 100k stories.
    """

    __tablename__ = "story_key"
    # Read backwards, a key's most recently seen stories in the candidate query's order (last_seen, then
    # story_id, descending): a lookup reads at most PER_KEY entries however many stories share the key.
    __table_args__ = (sa.Index("ix_story_key_recent", "key", "last_seen", "story_id"),)

    key: str = Field(primary_key=True, max_length=200)
    story_id: str = Field(primary_key=True, foreign_key="story.id", index=True)
    last_seen: datetime = Field(sa_column=utc_column())


class Fingerprint(SQLModel, table=True):
    """SimHash bands and normalised-text hashes of articles, to find syndicated copies in one lookup."""

    key: str = Field(primary_key=True, max_length=64)
    article_id: str = Field(primary_key=True, foreign_key="article.id", index=True)


class TermStat(SQLModel, table=True):
    """Document frequencies for IDF, kept incrementally; the row with term '' counts all documents."""

    __tablename__ = "term_stat"

    term: str = Field(primary_key=True, max_length=200)
    documents: int = 0


class StoryMerge(SQLModel, table=True):
    """A merge: the absorbed story's id stays resolvable to the survivor through this row."""

    __tablename__ = "story_merge"

    absorbed_id: str = Field(primary_key=True, foreign_key="story.id")
    survivor_id: str = Field(foreign_key="story.id", index=True)
    article_id: str | None = Field(default=None, description="The article that matched both stories.")
    score: float = 0.0
    merged_at: datetime = Field(sa_column=utc_column())


Row = TypeVar("Row", bound=SQLModel)


def built(model: type[Row], **values: object) -> Row:
    """A new row object from every column's value, built the way the ORM builds the rows it loads: a
    SQLModel constructor validates and instruments field by field (~0.14 ms an article)."""
    missing = model.__table__.columns.keys() - values.keys()
    if missing:
        raise TypeError(f"{model.__name__} needs every column; missing {sorted(missing)}")
    row = model._sa_class_manager.new_instance()
    row.__dict__.update(values)
    return row
