"""The extractor's configuration, read once from EXTRACTOR_* variables (and REDIS_URL)."""

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from newsflow_shared.settings import ServiceSettings


class ExtractorSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EXTRACTOR_", extra="ignore", frozen=True)

    min_article_words: int = Field(
        default=30,
        ge=1,
        description="Pages whose main text has fewer words are published with is_article=False.",
    )
