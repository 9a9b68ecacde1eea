"""Stream `newsflow:stories:updates`: store → downstream consumers, one message per story change.

Each message carries the story's full current coverage, so a consumer never needs the database,
and a `version` that grows with every change, so a consumer can drop stale or repeated updates.
"""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from newsflow_shared import streams
from newsflow_shared.contracts.base import Contract, stable_id

STREAM = streams.STORY_UPDATES


class StoryChange(StrEnum):
    CREATED = "created"
    ARTICLE_ADDED = "article_added"
    MERGED = "merged"
    COVERAGE_CHANGED = "coverage_changed"


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

    @property
    def message_id(self) -> str:
        return stable_id("story", self.story_id, str(self.version))
