"""Streams `newsflow:dead:<stage>`: messages a stage gave up on, with why, for inspection and replay."""

from datetime import datetime

from pydantic import Field

from newsflow_shared import streams
from newsflow_shared.contracts.base import Contract, stable_id


class DeadLettered(Contract):
    STREAM = "newsflow:dead:*"  # one per stage: streams.dead_letter_stream(stage)

    stage: str
    stream: str = Field(description="The stream the message was read from (replay target).")
    group: str
    entry_id: str = Field(description="Its Redis stream entry id.")
    original_message_id: str | None = None
    correlation_id: str | None = None
    attempts: int
    reason: str = Field(
        description="invalid or oversized (never retried), output-oversized (what handling it produced was too "
        "large to publish; never retried) or failed (retries exhausted)."
    )
    error: str
    failed_at: datetime
    fields: dict[str, str] = Field(
        description="The stream entry's fields as sent, base64-encoded, so a replay is byte-exact."
    )

    @property
    def message_id(self) -> str:
        return stable_id("dead", self.stage, self.stream, self.entry_id)

    @property
    def dead_letter_stream(self) -> str:
        return streams.dead_letter_stream(self.stage)
