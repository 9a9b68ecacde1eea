"""The store's two processes read their configuration here: the writer (STORE_) and the API (STORE_API_)."""

from typing import Annotated

from newsflow_shared.settings import ServiceSettings
from pydantic import AfterValidator, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from store.story_cache import SCORED, WRITTEN

DEFAULT_DATABASE_URL = "sqlite:///newsflow.db"


def sqlalchemy_url(url: str) -> str:
    """Point bare PostgreSQL URLs at psycopg 3, the driver we ship (SQLAlchemy would pick psycopg2)."""
    for bare in ("postgresql://", "postgres://"):
        if url.startswith(bare):
            return "postgresql+psycopg://" + url.removeprefix(bare)
    if not url.startswith(("sqlite:", "postgresql+psycopg:")):
        raise ValueError("DATABASE_URL must be sqlite:///<path> or postgresql+psycopg://...")
    return url


DatabaseUrl = Annotated[str, AfterValidator(sqlalchemy_url)]


def database_url_field() -> DatabaseUrl:
    return Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias="DATABASE_URL",
        description="SQLAlchemy URL of the store's database (writer, API and migrations share it).",
    )


class StoreSettings(ServiceSettings):
    """The writer: consumes extracted articles, writes rows, publishes story updates."""

    model_config = SettingsConfigDict(env_prefix="STORE_", extra="ignore", frozen=True)

    database_url: DatabaseUrl = database_url_field()
    story_window_h: float = Field(
        default=72.0, gt=0, description="Only stories updated this recently can take a new article."
    )
    story_min_similarity: float = Field(
        default=0.18, gt=0, le=2, description="Similarity score (store.similarity) needed to join a story."
    )
    story_merge_similarity: float = Field(
        default=0.55, gt=0, le=2, description="An article scoring this with two stories merges them."
    )
    batch_size: int = Field(
        default=250, ge=1, le=1000,
        description="Articles read and committed together (one transaction per batch).",
    )
    story_cache_written: int = Field(
        default=WRITTEN, ge=0,
        description="Stories this process wrote lately, kept in memory with their centroid and content state "
                    "(~70 KB each).",
    )
    story_cache_candidates: int = Field(
        default=SCORED, ge=0,
        description="Stories only read as candidates, kept in memory with their centroid (~15 KB each): more "
                    "reads fewer centroids again on a large database.",
    )
    idle_in_transaction_timeout_s: float = Field(
        default=60.0, ge=0,
        description="PostgreSQL ends the session of a writer (or of re-cluster, apply-ratings) whose transaction sat "
                    "idle this long, as a paused or frozen process's does, so its locks stop holding up the other "
                    "replicas; the writer runs the batch again. 0: never.",
    )
    statement_timeout_s: float = Field(
        default=60.0, ge=0,
        description="PostgreSQL cancels a writer statement running this long (SQLSTATE 57014): held up by a lock a "
                    "session outside the pipeline keeps, or a plan gone wrong. The writer then backs off as in an "
                    "outage (a warning naming the timeout; its messages counted as retried) and its batch stays "
                    "pending and is retried, instead of waiting unseen. 0: never.",
    )


class ApiSettings(BaseSettings):
    """The read-only HTTP API. Not a stream worker, so it does not carry ServiceSettings' Redis fields."""

    model_config = SettingsConfigDict(env_prefix="STORE_API_", extra="ignore", frozen=True)

    database_url: DatabaseUrl = database_url_field()
    host: str = Field(default="127.0.0.1", description="Listen address (0.0.0.0 only if you mean it).")
    port: int = Field(default=8000, ge=0, le=65535, description="Listen port.")
    log_level: str = Field(default="INFO", description="Python log level name.")
    log_format: str = Field(default="json", pattern="^(json|console)$", description="json or console.")
    statement_timeout_s: float = Field(
        default=30.0, ge=0,
        description="PostgreSQL cancels a request's query running this long; the request answers 503. 0: never.",
    )
    admin_token: SecretStr | None = Field(
        default=None, min_length=16,
        description="Bearer token for the API's admin endpoints; unset, they answer 403 (disabled).",
    )
