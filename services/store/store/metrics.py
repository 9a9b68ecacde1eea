"""The store's own Prometheus metrics (the shared ones count messages; these count what they did)."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Histogram

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
REPAIRED = Counter(
    "newsflow_store_articles_repaired_total",
    "Articles stored after a repair, by what was repaired (nul: NUL characters dropped from their strings; "
    "published_at: an implausible publication date dropped).",
    ["repair"],
)
API_DATABASE_ERRORS = Counter(
    "newsflow_store_api_database_errors_total",
    "API requests answered 503 for the database, by kind (timeout: the query ran past the statement timeout; "
    "unavailable: any other database error).",
    ["kind"],
)
BATCH_PHASE_SECONDS = Histogram(
    "newsflow_store_batch_phase_seconds",
    "Wall time of each phase of a batch's transaction (store.ingest): features, read, place, write, recount, "
    "story_update, announce, commit, one after the other. write_wait and recount_wait are the parts of write and "
    "recount spent waiting for the statements sent meanwhile (store.overlap): above zero, the database is slower.",
    ["phase"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


@contextmanager
def timed(phase: str) -> Iterator[None]:
    """Observe the with-block's wall time as `phase` of BATCH_PHASE_SECONDS (not when it raises)."""
    started = time.perf_counter()
    yield
    BATCH_PHASE_SECONDS.labels(phase=phase).observe(time.perf_counter() - started)
