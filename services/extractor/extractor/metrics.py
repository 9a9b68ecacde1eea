"""The extractor's own Prometheus metrics (message counts come from newsflow_shared.metrics)."""

from prometheus_client import Counter, Histogram

EXTRACTION_FAILURES = Counter(
    "newsflow_extraction_failures_total",
    "Pages that gave no article: empty, unparseable, no_text, listing, too_short (published, "
    "flagged is_article=false), error (dead-lettered) or analysis_error (published without "
    "entities, events and the rest of the text analysis).",
    ["reason"],
)
EXTRACTION_SECONDS = Histogram(
    "newsflow_extraction_seconds",
    "Wall time of one page's extraction (trafilatura, metadata, language, text analysis).",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
