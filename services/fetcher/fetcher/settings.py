"""The fetcher's configuration, read once from FETCHER_* environment variables (REDIS_URL unprefixed)."""

from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Annotated

from newsflow_shared.contracts.raw_articles import MAX_HTML_CHARS
from newsflow_shared.settings import ServiceSettings
from pydantic import Field, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

DEFAULT_USER_AGENT = "newsflow-fetcher/0.2 (open-source news feed reader; python-httpx)"

Network = IPv4Network | IPv6Network


class FetcherSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FETCHER_")

    # --- sources and scheduling
    sources_file: Path = Field(description="YAML file listing the outlets and their feeds (reloaded on change "
                                           "and on SIGHUP).")
    sources_check_s: float = Field(default=5.0, gt=0, description="How often the sources file's mtime is checked.")
    poll_interval_s: float = Field(default=300.0, gt=0,
                                   description="A new feed's first interval between polls; it then adapts.")
    min_poll_interval_s: float = Field(default=60.0, gt=0,
                                       description="Lower bound of the adaptive interval (feeds that change often).")
    max_poll_interval_s: float = Field(default=3600.0, gt=0,
                                       description="Upper bound of the adaptive interval (feeds that rarely change).")
    poll_jitter: float = Field(default=0.1, ge=0, le=0.5,
                               description="Each interval is scaled by a random factor in 1 ± this, so polls spread.")
    lease_ttl_s: float = Field(default=300.0, gt=0,
                               description="A replica's lease on a feed: no other replica polls it meanwhile.")
    max_items_per_feed: int = Field(default=500, ge=1,
                                    description="Items taken from one feed or sitemap per poll (newest first).")
    sitemap_max_age_days: float = Field(default=3.0, gt=0,
                                        description="Sitemap URLs dated older than this are not fetched.")
    max_sitemaps_per_index: int = Field(default=20, ge=1, description="Child sitemaps read from a sitemap index.")
    revisit_changed_items: bool = Field(
        default=True,
        description="Re-fetch a published page when its feed entry changes; changed content becomes a revision.",
    )
    # --- HTTP identity and efficiency
    user_agent: str = Field(
        default=DEFAULT_USER_AGENT, min_length=1,
        description="Sent with every request and matched against robots.txt; operators should add a contact URL.",
    )
    http2: bool = Field(default=True, description="Offer HTTP/2 over TLS (used where the server agrees).")
    extra_ca_file: Path | None = Field(
        default=None,
        description="PEM file of CA certificates trusted for HTTPS in addition to the default (certifi) ones, "
                    "e.g. an internal CA or a test CA.",
    )
    # --- politeness
    obey_robots: bool = Field(default=True, description="Obey robots.txt (Disallow, Crawl-delay).")
    robots_ttl_s: float = Field(default=3600.0, gt=0, description="How long a host's robots.txt is cached.")
    host_min_delay_s: float = Field(default=1.0, ge=0,
                                    description="Minimum gap between two requests to one host (or its Crawl-delay).")
    shared_host_pace: bool = Field(
        default=True,
        description="Keep the per-host minimum delay across all replicas (one Redis call per request to a host "
                    "with a delay); off: each replica paces itself.",
    )
    max_crawl_delay_s: float = Field(default=30.0, ge=0, description="Crawl-delay values above this are capped.")
    host_concurrency: int = Field(default=2, ge=1, le=16, description="Requests in flight to one host at once.")
    max_concurrent_requests: int = Field(default=32, ge=1, le=512, description="Requests in flight in total.")
    max_concurrent_feeds: int = Field(default=8, ge=1, le=256, description="Feeds polled at the same time.")
    item_concurrency: int = Field(
        default=2, ge=1, le=16,
        description="Pages of one feed fetched at once (host_concurrency and the host delay still apply).",
    )
    backoff_base_s: float = Field(default=2.0, gt=0,
                                  description="First backoff after a failure; doubles per consecutive failure.")
    backoff_max_s: float = Field(default=1800.0, gt=0, description="Longest backoff; a longer Retry-After is capped to this.")
    gone_backoff_s: float = Field(
        default=900.0, gt=0,
        description="A page answering a permanent 4xx (404, 410, ...) is not requested again for this long; "
                    "doubles per consecutive failure.",
    )
    gone_backoff_max_s: float = Field(default=86_400.0, gt=0,
                                      description="Longest pause of a page that keeps answering a permanent 4xx.")
    # --- safety
    # NoDecode: the variable is a comma-separated list, not the JSON pydantic-settings expects for lists.
    allowed_private_networks: Annotated[list[Network], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated CIDRs the SSRF guard lets through (e.g. 127.0.0.0/8 for a local demo).",
    )
    connect_timeout_s: float = Field(default=5.0, gt=0, description="Deadline for opening a connection.")
    read_timeout_s: float = Field(default=10.0, gt=0, description="Longest silence while reading a response.")
    request_timeout_s: float = Field(
        default=30.0, gt=0, description="Deadline for one request, connect to last body byte (a trickling server "
                                        "is cut off here); each redirect hop gets its own.",
    )
    max_redirects: int = Field(default=5, ge=0, le=20, description="Redirect hops followed per fetch.")
    max_body_bytes: int = Field(
        default=MAX_HTML_CHARS, ge=1024, le=MAX_HTML_CHARS,
        description="Cap on a body, both as transferred and once decompressed (gzip/brotli bombs stop here).",
    )
    compress_html_above_bytes: int = Field(
        default=262_144, ge=0,
        description="Pages larger than this travel gzipped in html_gzip_b64 (0: always; see docs/fetcher.md).",
    )
    # --- deduplication
    seen_ttl_days: int = Field(default=30, ge=1, description="How long a published URL stays known.")
    claim_ttl_s: int = Field(
        default=600, ge=1,
        description="How long a replica's claim on a URL outlives its crash before another may fetch it.",
    )

    @field_validator("allowed_private_networks", mode="before")
    @classmethod
    def _split_cidrs(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("extra_ca_file")
    @classmethod
    def _ca_file_exists(cls, value: Path | None) -> Path | None:
        # Checked here rather than typed FilePath, which the configuration reference cannot spell.
        if value is not None and not value.is_file():
            raise ValueError(f"no such file: {value}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> "FetcherSettings":
        # A claim that expired mid-fetch would let a second replica fetch and publish the same page.
        if self.claim_ttl_s <= self.request_timeout_s:
            raise ValueError("claim_ttl_s must be longer than request_timeout_s")
        if self.min_poll_interval_s > self.max_poll_interval_s:
            raise ValueError("min_poll_interval_s must not exceed max_poll_interval_s")
        return self
