"""The store's own Prometheus metrics (the shared ones count messages; these count what they did)."""

from prometheus_client import Counter

ARTICLES = Counter(
    "newsflow_store_articles_total",
    "Extracted articles handled by the store, by outcome (inserted, updated, unchanged, skipped).",
    ["outcome"],
)
STORY_UPDATES = Counter(
    "newsflow_store_story_updates_total",
    "Story updates published (re-publications of an unchanged story included), by change.",
    ["change"],
)
