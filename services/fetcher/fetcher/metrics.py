"""The fetcher's Prometheus metrics, so an operator sees which outlet's feeds or pages are failing and why."""

from prometheus_client import Counter

FETCHES = Counter(
    "newsflow_fetcher_requests_total",
    "HTTP fetches by kind (feed, page) and final status code ('error' when no response was usable).",
    ["kind", "status"],
)
FETCH_ERRORS = Counter(
    "newsflow_fetch_errors_total",
    "Feeds and pages that could not be used, by source and reason (timeout, http_status, malformed_feed...).",
    ["source", "reason"],
)
ITEMS = Counter(
    "newsflow_fetcher_items_total",
    "Feed items by outcome: published, already_seen, no_link, bad_link, failed.",
    ["source", "outcome"],
)
