"""Prometheus metrics every service shares; service-specific ones live in each service."""

from prometheus_client import Counter

MESSAGES = Counter(
    "newsflow_messages_total",
    "Stream messages consumed, by outcome (processed, retried, dead_lettered).",
    ["stream", "outcome"],
)
