"""Prometheus metrics every service shares; service-specific ones live in each service.

The label `stream` is always a full stream name (`newsflow:articles:raw`), `group` a consumer group.
Stream and group gauges are sampled from Redis by each worker (see `newsflow_shared.stream_state`),
so several workers report the same series under different `instance` labels: aggregate with
`max by (stream, group)`.
"""

from prometheus_client import Counter, Gauge, Histogram

MESSAGES = Counter(
    "newsflow_messages_total",
    "Stream messages consumed, by outcome (processed, retried, dead_lettered).",
    ["stream", "outcome"],
)
MESSAGES_RECEIVED = Counter(
    "newsflow_messages_received_total",
    "Stream messages delivered to this process (new reads and reclaimed retries alike).",
    ["stream"],
)
MESSAGES_PUBLISHED = Counter(
    "newsflow_messages_published_total",
    "Messages this process published, by stream.",
    ["stream"],
)
HANDLER_ERRORS = Counter(
    "newsflow_handler_errors_total",
    "Handler calls that raised, by stream and exception type (whether retried or dead-lettered later).",
    ["stream", "error"],
)
HANDLING_SECONDS = Histogram(
    "newsflow_message_handling_seconds",
    "Wall time of one handler call, from decoded message to return, by stream and outcome (ok, error).",
    ["stream", "outcome"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)

STREAM_LENGTH = Gauge("newsflow_stream_length", "Entries in the stream (XLEN).", ["stream"])
GROUP_LAG = Gauge(
    "newsflow_consumer_group_lag",
    "Entries of the stream the group has not yet read (XINFO GROUPS lag).",
    ["stream", "group"],
)
GROUP_PENDING = Gauge(
    "newsflow_consumer_group_pending",
    "Entries read by the group but not acknowledged: in flight or failed and awaiting retry (XPENDING).",
    ["stream", "group"],
)
GROUP_OLDEST_PENDING_SECONDS = Gauge(
    "newsflow_consumer_group_oldest_pending_age_seconds",
    "Age of the group's oldest unacknowledged entry (0 when none); growing means a message is stuck.",
    ["stream", "group"],
)
GROUP_CONSUMERS = Gauge(
    "newsflow_consumer_group_consumers", "Consumers registered in the group.", ["stream", "group"]
)
DEAD_LETTERS = Gauge(
    "newsflow_dead_letters", "Entries in a stage's dead-letter stream (newsflow:dead:<stage>).", ["stage"]
)
STATE_SCRAPE_ERRORS = Counter(
    "newsflow_stream_state_errors_total",
    "Failed attempts to read stream and group state from Redis (the gauges then keep their last value).",
)
