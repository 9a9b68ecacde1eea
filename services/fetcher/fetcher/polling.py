"""Polling one feed (lease, conditional fetch, items, schedule) and every feed once (`poll_once`).

`poll_once` is the unit the tests, the benchmark and an operator's one-off run share; the scheduler
calls `poll_feed` per feed when it falls due. One feed's failure is logged and counted and never
stops the others.
"""

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta

import structlog
from newsflow_shared.delivery import is_transient

from fetcher.documents import ListingLimits, list_items, newest_first
from fetcher.feeds import FeedProblem
from fetcher.feedstate import FeedState, FeedStates
from fetcher.http import FetchError, Kind
from fetcher.items import ItemDeps, StopSignal, count_failure, take_items
from fetcher.lease import FeedLeases
from fetcher.metrics import FEED_POLLS, FETCH_ERRORS, ITEMS, POLL_INTERVAL, counter
from fetcher.robots import origin_of
from fetcher.scheduling import jittered, next_interval
from fetcher.settings import FetcherSettings
from fetcher.sources import Source

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class PollPolicy:
    """The numbers a poll obeys; built from FetcherSettings."""

    initial_interval_s: float = 300.0
    min_interval_s: float = 60.0
    max_interval_s: float = 3600.0
    jitter: float = 0.1
    max_items_per_feed: int = 500
    max_concurrent_feeds: int = 8
    listing: ListingLimits = field(default_factory=ListingLimits)

    @classmethod
    def from_settings(cls, s: FetcherSettings) -> "PollPolicy":
        return cls(initial_interval_s=s.poll_interval_s, min_interval_s=s.min_poll_interval_s,
                   max_interval_s=s.max_poll_interval_s, jitter=s.poll_jitter,
                   max_items_per_feed=s.max_items_per_feed, max_concurrent_feeds=s.max_concurrent_feeds,
                   listing=ListingLimits(max_sitemaps_per_index=s.max_sitemaps_per_index,
                                         sitemap_max_age=timedelta(days=s.sitemap_max_age_days)))


@dataclass(frozen=True)
class PollDeps:
    """What a poll needs from outside; `build_poll_deps` in app.py wires the real ones."""

    items: ItemDeps
    states: FeedStates
    leases: FeedLeases
    policy: PollPolicy = PollPolicy()


@dataclass(frozen=True)
class FeedTask:
    """One thing to poll: a feed or sitemap from the sources file, or a source's robots.txt (discovery)."""

    source: Source
    url: str
    kind: str  # FeedKind value, or "robots"


def feed_tasks(sources: Sequence[Source]) -> list[FeedTask]:
    tasks = [FeedTask(source, feed.url, feed.kind) for source in sources for feed in source.feeds]
    for source in sources:
        if source.discover_sitemaps:
            origin = origin_of(source.homepage or source.feeds[0].url)
            tasks.append(FeedTask(source, origin + "/robots.txt", "robots"))
    return tasks


@dataclass
class PollSummary:
    feeds: int = 0
    published: int = 0
    skipped: int = 0  # already seen, unchanged, or unusable links
    errors: int = 0  # feeds and pages that failed
    revised: int = 0
    next_due: float = 0.0  # epoch seconds; for the scheduler

    def __add__(self, other: "PollSummary") -> "PollSummary":
        return PollSummary(self.feeds + other.feeds, self.published + other.published,
                           self.skipped + other.skipped, self.errors + other.errors, self.revised + other.revised)


async def poll_once(sources: Sequence[Source], deps: PollDeps, *, stop: asyncio.Event | None = None) -> PollSummary:
    """Poll every feed once, due or not, and publish each item not seen before; stops between items on `stop`."""
    started = time.monotonic()
    slots = asyncio.Semaphore(deps.policy.max_concurrent_feeds)

    async def guarded(task: FeedTask) -> PollSummary:
        async with slots:
            if stop is not None and stop.is_set():
                return PollSummary()
            return await poll_feed(task, deps, stop=stop, force=True)

    results = await asyncio.gather(*(guarded(task) for task in feed_tasks(sources)))
    summary = sum(results, PollSummary())
    log.info("poll finished", feeds=summary.feeds, published=summary.published, revised=summary.revised,
             skipped=summary.skipped, errors=summary.errors, duration_s=round(time.monotonic() - started, 3))
    return summary


async def poll_feed(task: FeedTask, deps: PollDeps, *, stop: asyncio.Event | None = None,
                    force: bool = False) -> PollSummary:
    """Poll one feed under its lease; never raises (failures are logged and counted)."""
    try:
        token = await deps.leases.acquire(task.url)
    except Exception as exc:  # noqa: BLE001 - e.g. Redis unreachable: report it, keep the other feeds going
        return _internal_failure(task, exc)
    if token is None:
        FEED_POLLS.labels(outcome="leased_elsewhere").inc()
        return PollSummary(next_due=time.time() + deps.policy.min_interval_s)
    try:
        async with deps.leases.kept(task.url, token, source=task.source.id) as lost:
            return await _poll_leased(task, deps, stop=AnyOf(stop, lost), force=force)
    except Exception as exc:  # noqa: BLE001 - one feed's bug or outage must not end the others' polls
        return _internal_failure(task, exc)
    finally:
        try:
            await deps.leases.release(task.url, token)
        except Exception as exc:  # noqa: BLE001 - the lease expires by itself
            log.warning("could not release feed lease; it will expire", url=task.url, error=repr(exc))


class AnyOf:
    """Set once any of its events is: the poll stops starting items on shutdown or on losing its lease."""

    def __init__(self, *events: asyncio.Event | None) -> None:
        self._events = [event for event in events if event is not None]

    def is_set(self) -> bool:
        return any(event.is_set() for event in self._events)


async def _poll_leased(task: FeedTask, deps: PollDeps, *, stop: StopSignal, force: bool) -> PollSummary:
    source, policy = task.source, deps.policy
    state = await deps.states.load(task.url)
    if not force and state.next_due > time.time():
        return PollSummary(next_due=state.next_due)  # another replica polled it since we planned to
    summary = PollSummary(feeds=1)
    fetcher = deps.items.fetcher
    try:
        robots_sitemaps = None
        if task.kind == "robots":
            robots_sitemaps = (await fetcher.robots.rules(task.url)).sitemaps() if fetcher.robots else []
        listing = await list_items(task.url, task.kind, fetcher=fetcher, states=deps.states,
                                   limits=policy.listing, robots_sitemaps=robots_sitemaps)
    except (FetchError, FeedProblem) as exc:
        count_failure(source, task.url, exc, kind=Kind.FEED)
        FEED_POLLS.labels(outcome="failed").inc()
        summary.errors += 1
        return await _reschedule(task, deps, state, changed=False, summary=summary)
    for warning in listing.warnings:
        FETCH_ERRORS.labels(source=source.id, reason="malformed_feed_recovered").inc()
        log.warning("feed is broken; using the items recovered", source=source.id, url=task.url, detail=warning)
    if listing.too_old:
        ITEMS.labels(source=source.id, outcome="too_old").inc(listing.too_old)
    items, cut = newest_first(listing.items, policy.max_items_per_feed)
    if cut:
        ITEMS.labels(source=source.id, outcome="truncated").inc(cut)
        log.warning("feed lists more items than taken per poll; newest kept", source=source.id, url=task.url,
                    items=len(listing.items), taken=len(items), limit=policy.max_items_per_feed)
    complete = True
    taken = 0
    async for outcome in take_items(source, task.url, items, deps.items, stop):
        taken += 1
        counter(ITEMS, source.id, outcome).inc()
        if outcome == "published":
            summary.published += 1
        elif outcome == "revised":
            summary.revised += 1
        elif outcome == "failed":
            summary.errors += 1
            complete = False
        elif outcome == "gone":
            summary.skipped += 1
            complete = False  # the page is tried again when its pause ends, so the feed must be read again then
        elif outcome == "in_progress":
            summary.skipped += 1
            complete = False  # claimed but not published: read the feed in full again until it is
        else:
            summary.skipped += 1
    if taken < len(items):  # stopped part-way
        complete = False
    FEED_POLLS.labels(outcome="changed" if listing.changed else "unchanged").inc()
    if summary.published or summary.revised or summary.errors:
        log.info("feed polled", source=source.id, url=task.url, items=len(items), published=summary.published,
                 revised=summary.revised, skipped=summary.skipped, errors=summary.errors)
    if complete:
        # Only now may the next poll trust "unchanged": a page that failed must be retried.
        for url, child_state in listing.states.items():
            if url != task.url:
                await deps.states.save(url, child_state)
        state = listing.states.get(task.url, state)
    else:
        state = state.forget_content()
    return await _reschedule(task, deps, state, changed=summary.published + summary.revised > 0, summary=summary)


async def _reschedule(task: FeedTask, deps: PollDeps, state: FeedState, *, changed: bool,
                      summary: PollSummary) -> PollSummary:
    policy = deps.policy
    interval = next_interval(state.interval_s, changed=changed, initial_s=policy.initial_interval_s,
                             min_s=policy.min_interval_s, max_s=policy.max_interval_s)
    POLL_INTERVAL.observe(interval)
    summary.next_due = time.time() + jittered(interval, policy.jitter)
    await deps.states.save(task.url, replace(state, interval_s=interval, next_due=summary.next_due))
    return summary


def _internal_failure(task: FeedTask, exc: Exception) -> PollSummary:
    FETCH_ERRORS.labels(source=task.source.id, reason="internal").inc()
    if is_transient(exc):  # Redis down or refusing writes: a line a feed, not a traceback each
        log.warning("feed poll failed; Redis is unavailable, the feed is polled again later", source=task.source.id,
                    url=task.url, error=repr(exc))
    else:
        log.error("feed poll failed", source=task.source.id, url=task.url, error=repr(exc), exc_info=exc)
    return PollSummary(feeds=1, errors=1, next_due=time.time() + 60)
