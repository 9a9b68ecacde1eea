"""The fetcher's Prometheus metrics, so an operator sees which outlet's feeds or pages are failing and why."""

from functools import lru_cache

from prometheus_client import Counter, Gauge, Histogram

FETCHES = Counter(
    "newsflow_fetcher_requests_total",
    "HTTP fetches by kind (feed, page, robots), final status code ('error' when no response was usable) "
    "and the requested host.",
    ["kind", "status", "host"],
)
HTTP_VERSIONS = Counter(
    "newsflow_fetcher_http_versions_total",
    "HTTP responses by kind (feed, page, robots) and protocol version negotiated (HTTP/1.1, HTTP/2).",
    ["kind", "version"],
)
FETCH_ERRORS = Counter(
    "newsflow_fetch_errors_total",
    "Feeds and pages that could not be used, by source and reason (timeout, http_status, malformed_feed...).",
    ["source", "reason"],
)
ITEMS = Counter(
    "newsflow_fetcher_items_total",
    "Feed items by outcome: published, revised, unchanged, already_seen, in_progress, duplicate, gone, no_link, bad_link, "
    "robots_disallowed, too_old, truncated, failed.",
    ["source", "outcome"],
)
PAGES_GONE = Counter(
    "newsflow_fetcher_pages_gone_total",
    "Pages set aside after a permanent 4xx (404, 410, ...), by source and status: not requested again until their "
    "growing pause ends (items skipped meanwhile count as outcome 'gone').",
    ["source", "status"],
)
FEED_POLLS = Counter(
    "newsflow_fetcher_feed_polls_total",
    "Feed polls by outcome: changed, unchanged (same body), not_modified (304), failed, leased_elsewhere.",
    ["outcome"],
)
FEED_LEASES = Counter(
    "newsflow_fetcher_feed_leases_total",
    "Feed lease renewals during long polls by outcome: renewed, renew_failed (Redis error; retried), lost (expired "
    "or taken by another replica: the poll starts no new item).",
    ["outcome"],
)
HOST_BACKOFFS = Counter(
    "newsflow_fetcher_host_backoffs_total",
    "Times a host was paused: retry_after (429/503 with Retry-After) or failure (exponential backoff).",
    ["reason"],
)
SHARED_PACE = Counter(
    "newsflow_fetcher_shared_pace_total",
    "Requests paced across replicas through Redis (hosts with a minimum delay or Crawl-delay), by outcome: "
    "immediate, waited, unavailable (Redis error: paced by this process alone).",
    ["outcome"],
)
ROBOTS = Counter(
    "newsflow_fetcher_robots_total",
    "robots.txt loads by outcome: parsed, absent (4xx: all allowed), server_error, unreachable (both: none allowed).",
    ["outcome"],
)
SOURCES_RELOADS = Counter(
    "newsflow_fetcher_sources_reloads_total",
    "Sources-file reloads by outcome: applied, rejected (the previous sources stay in force).",
    ["outcome"],
)
FEEDS_SCHEDULED = Gauge("newsflow_fetcher_feeds", "Feeds currently scheduled.")
POLL_INTERVAL = Histogram(
    "newsflow_fetcher_poll_interval_seconds", "Adaptive interval chosen after each feed poll.",
    buckets=(60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400),
)


@lru_cache(maxsize=4096)
def counter(metric: Counter, *label_values: str) -> Counter:
    """A labelled child, cached: `labels()` validates and locks on every call, which shows per item at 1000/s."""
    return metric.labels(*label_values)
