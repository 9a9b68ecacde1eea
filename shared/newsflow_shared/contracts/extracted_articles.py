"""Stream `newsflow:articles:extracted`: extractor → store, one structured article per raw one."""

from datetime import datetime

from pydantic import Field

from newsflow_shared import streams
from newsflow_shared.contracts.base import Contract, stable_id
from newsflow_shared.contracts.enrichment import (
    DateMention,
    Entity,
    Event,
    Quantity,
    Quotation,
    WeightedTerm,
)
from newsflow_shared.contracts.source import SourceRef

STREAM = streams.EXTRACTED_ARTICLES


class ArticleExtracted(Contract):
    STREAM = STREAM

    article_id: str
    url: str
    canonical_url: str
    feed_url: str
    source: SourceRef
    content_hash: str = Field(description="Hash of the fetched HTML this was extracted from.")
    title: str | None = None
    text: str = ""
    authors: list[str] = Field(default_factory=list)
    published_at: datetime | None = None
    language: str | None = None
    description: str | None = None
    site_name: str | None = None
    image: str | None = None
    fetched_at: datetime
    extracted_at: datetime
    word_count: int = 0
    is_article: bool = Field(
        default=True, description="False when the page held no article text (index, video, empty)."
    )
    # Text analysis (issue 4). Empty when skipped (non-English without a model, not an article).
    modified_at: datetime | None = None
    entities: list[Entity] = Field(default_factory=list)
    quantities: list[Quantity] = Field(default_factory=list)
    quotations: list[Quotation] = Field(default_factory=list)
    dates: list[DateMention] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    keywords: list[WeightedTerm] = Field(
        default_factory=list, description="The article's top terms with weights: a compact clustering vector."
    )
    simhash: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{16}$", description="64-bit SimHash of the text, for near-duplicates."
    )
    tone: float | None = Field(default=None, description="Document tone, -100..100 as GDELT's AvgTone.")

    @property
    def message_id(self) -> str:
        return stable_id("extracted", self.article_id, self.content_hash)
