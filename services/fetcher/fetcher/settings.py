"""The fetcher's configuration, read once from FETCHER_* environment variables (REDIS_URL unprefixed)."""

from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Annotated

from newsflow_shared.contracts.raw_articles import MAX_HTML_CHARS
from newsflow_shared.settings import ServiceSettings
from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

DEFAULT_USER_AGENT = "newsflow-fetcher/0.1 (open-source news feed reader; python-httpx)"

Network = IPv4Network | IPv6Network


class FetcherSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FETCHER_")

    sources_file: Path = Field(description="YAML file listing the outlets and their feeds.")
    poll_interval_s: float = Field(default=300.0, gt=0, description="Pause between two polls of every feed.")
    user_agent: str = Field(
        default=DEFAULT_USER_AGENT, min_length=1,
        description="Sent with every request; operators should add a contact URL.",
    )
    # NoDecode: the variable is a comma-separated list, not the JSON pydantic-settings expects for lists.
    allowed_private_networks: Annotated[list[Network], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated CIDRs the SSRF guard lets through (e.g. 127.0.0.0/8 for a local demo).",
    )
    seen_ttl_days: int = Field(default=30, ge=1, description="How long a published URL stays known.")
    request_timeout_s: float = Field(
        default=10.0, gt=0, description="Deadline for one whole fetch: connect, redirects and body."
    )
    max_body_bytes: int = Field(
        default=MAX_HTML_CHARS, ge=1024, le=MAX_HTML_CHARS,
        description="Larger feeds and pages are refused (and never held in memory whole).",
    )
    claim_ttl_s: int = Field(
        default=600, ge=1,
        description="How long a replica's claim on a URL outlives its crash before another may fetch it.",
    )
    max_concurrent_feeds: int = Field(default=4, ge=1, le=64, description="Feeds fetched at the same time.")

    @field_validator("allowed_private_networks", mode="before")
    @classmethod
    def _split_cidrs(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _claim_outlives_a_fetch(self) -> "FetcherSettings":
        # A claim that expired mid-fetch would let a second replica fetch and publish the same page.
        if self.claim_ttl_s <= self.request_timeout_s:
            raise ValueError("claim_ttl_s must be longer than request_timeout_s")
        return self
