"""The settings base every service's settings class extends: Redis, logging and delivery policy."""

import os
import socket

from pydantic import Field, RedisDsn
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_consumer_name() -> str:
    """Unique per process, so replicas in one consumer group never share a pending-entries list."""
    return f"{socket.gethostname()}-{os.getpid()}"


class ServiceSettings(BaseSettings):
    """Read once at start from the environment; each service subclasses it with its own prefix."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    redis_url: RedisDsn = Field(
        default=RedisDsn("redis://127.0.0.1:6379/0"),
        validation_alias="REDIS_URL",
        description="Redis holding the streams (shared by every service, so no prefix).",
    )
    log_level: str = Field(default="INFO", description="Python log level name.")
    log_format: str = Field(default="json", pattern="^(json|console)$", description="json or console.")
    consumer_name: str = Field(
        default_factory=default_consumer_name,
        description="This process's name in its consumer group (default: host-pid).",
    )
    max_attempts: int = Field(
        default=5, ge=1, description="Deliveries of one message before it is dead-lettered."
    )
    claim_idle_ms: int = Field(
        default=30_000,
        ge=100,
        description="How long a message may sit unacknowledged before a peer reclaims it.",
    )
    read_batch: int = Field(
        default=10, ge=1, le=1000, description="Messages read per XREADGROUP call."
    )
    graceful_timeout_s: float = Field(
        default=15.0, gt=0, description="Time in-flight handlers get to finish on SIGTERM."
    )
    http_host: str = Field(
        default="127.0.0.1",
        description="Address of the service's /health and /metrics endpoint (0.0.0.0 only if you mean it).",
    )
    http_port: int = Field(default=0, ge=0, le=65535, description="Port of that endpoint (0: any free).")
    # Reliability (issue 7, docs/reliability.md): message size limit, backpressure and trimming.
    max_message_bytes: int = Field(
        default=32 * 1024 * 1024, ge=1024,
        description="A stream message larger than this is dead-lettered (reason oversized) before decoding; "
        "one this service would publish above it is not sent (docs/reliability.md: what becomes of its input).",
    )
    max_stream_lag: int = Field(
        default=1000, ge=0,
        description="Publishing waits while a consumer group of the target stream has this many entries "
        "unacknowledged (unread + pending); 0 disables waiting and trimming.",
    )
    stream_keep: int = Field(
        default=1000, ge=0,
        description="A stream is trimmed only beyond this length, and only of entries every group acknowledged.",
    )
    readiness_timeout_s: float = Field(
        default=3.0, gt=0, description="How long each readiness check (Redis ping, database) may take."
    )
    stream_metrics_interval_s: float = Field(
        default=15.0, gt=0,
        description="How often the worker samples stream lengths, group lag and pending counts for /metrics.",
    )
