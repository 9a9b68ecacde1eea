"""One poll of every feed, and the loop that repeats it: feed → new items → pages → raw-article messages.

`poll_once` is the unit the loop, the tests and an operator's one-off run share. One feed's failure
is logged and counted and never stops the others.
"""

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import httpx
import structlog
from newsflow_shared.contracts.raw_articles import (
    MAX_HTML_CHARS,
    ArticleFetched,
    FeedEntry,
    HttpMeta,
    content_hash,
)
from pydantic import ValidationError
from redis.exceptions import RedisError

from fetcher.canonical import canonical_url
from fetcher.feeds import FeedItem, FeedProblem, parse_feed
from fetcher.http import Fetched, FetchError, Kind, fetch
from fetcher.metrics import FETCH_ERRORS, ITEMS
from fetcher.seen import SeenSet
from fetcher.sources import Source

log = structlog.get_logger(__name__)

PublishArticle = Callable[[ArticleFetched, str], Awaitable[object]]  # (article, correlation_id)


@dataclass(frozen=True)
class PollDeps:
    """What a poll needs from outside; the app wires real ones, tests may wire their own."""

    client: httpx.AsyncClient
    seen: SeenSet
    publish: PublishArticle
    max_body_bytes: int = MAX_HTML_CHARS
    request_timeout_s: float = 10.0
    max_concurrent_feeds: int = 4


@dataclass
class PollSummary:
    feeds: int = 0
    published: int = 0
    skipped: int = 0  # already seen, or unusable links
    errors: int = 0  # feeds and pages that failed

    def __add__(self, other: "PollSummary") -> "PollSummary":
        return PollSummary(self.feeds + other.feeds, self.published + other.published,
                           self.skipped + other.skipped, self.errors + other.errors)


async def poll_once(sources: Sequence[Source], deps: PollDeps, *, stop: asyncio.Event | None = None) -> PollSummary:
    """Poll every feed once and publish each item not seen before; stops between items once `stop` is set."""
    started = time.monotonic()
    slots = asyncio.Semaphore(deps.max_concurrent_feeds)

    async def guarded(source: Source, feed_url: str) -> PollSummary:
        async with slots:
            if stop is not None and stop.is_set():
                return PollSummary()
            try:
                return await poll_feed(source, feed_url, deps, stop=stop)
            except Exception as exc:  # e.g. Redis unreachable: report it, keep the other feeds going
                FETCH_ERRORS.labels(source=source.id, reason="internal").inc()
                log.exception("feed poll failed", source=source.id, url=feed_url, error=repr(exc))
                return PollSummary(feeds=1, errors=1)

    results = await asyncio.gather(*(guarded(s, f.url) for s in sources for f in s.feeds))
    summary = sum(results, PollSummary())
    log.info("poll finished", feeds=summary.feeds, published=summary.published, skipped=summary.skipped,
             errors=summary.errors, duration_s=round(time.monotonic() - started, 3))
    return summary


async def poll_forever(sources: Sequence[Source], deps: PollDeps, *, interval_s: float, stop: asyncio.Event) -> None:
    """Poll now, then `interval_s` after each poll ends, until `stop` is set."""
    while not stop.is_set():
        try:
            await poll_once(sources, deps, stop=stop)
        except Exception:  # a poll must never end the loop; the next one may well succeed
            log.exception("poll failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
    log.info("polling stopped")


async def poll_feed(source: Source, feed_url: str, deps: PollDeps, *, stop: asyncio.Event | None = None) -> PollSummary:
    summary = PollSummary(feeds=1)
    try:
        fetched = await fetch(deps.client, feed_url, kind=Kind.FEED, max_bytes=deps.max_body_bytes,
                              deadline_s=deps.request_timeout_s)
        feed = parse_feed(fetched.body, url=fetched.final_url, content_type=fetched.content_type)
    except (FetchError, FeedProblem) as exc:
        _count_failure(source, feed_url, exc, kind=Kind.FEED)
        summary.errors += 1
        return summary
    if feed.warning:
        FETCH_ERRORS.labels(source=source.id, reason="malformed_feed_recovered").inc()
        log.warning("feed is broken; using the items recovered", source=source.id, url=feed_url, detail=feed.warning)
    for item in feed.items:
        if stop is not None and stop.is_set():
            break
        outcome = await take_item(source, feed_url, item, deps)
        ITEMS.labels(source=source.id, outcome=outcome).inc()
        if outcome == "published":
            summary.published += 1
        elif outcome == "failed":
            summary.errors += 1
        else:
            summary.skipped += 1
    return summary


async def take_item(source: Source, feed_url: str, item: FeedItem, deps: PollDeps) -> str:
    """Publish one feed item's page unless it was seen; the outcome is a metric label."""
    if not item.link:
        log.warning("feed item without a link skipped", source=source.id, url=feed_url, title=item.title,
                    guid=item.guid)
        return "no_link"
    try:
        canonical = canonical_url(item.link)
    except ValueError as exc:
        log.warning("feed item with an unusable link skipped", source=source.id, url=feed_url, link=item.link,
                    error=str(exc))
        return "bad_link"
    if not await deps.seen.claim(canonical):
        return "already_seen"
    published = False
    try:
        published = await _fetch_and_publish(source, feed_url, item, canonical, deps)
    finally:
        # Also on cancellation: an unpublished claim must not hide the URL from later polls.
        if not published:
            await _release(deps.seen, canonical, source)
    if not published:
        return "failed"
    # If this write fails the claim merely expires and the page is published again later: at least once.
    await deps.seen.mark_published(canonical)
    return "published"


async def _fetch_and_publish(source: Source, feed_url: str, item: FeedItem, canonical: str, deps: PollDeps) -> bool:
    assert item.link is not None
    try:
        page = await fetch(deps.client, item.link, kind=Kind.PAGE, max_bytes=deps.max_body_bytes,
                           deadline_s=deps.request_timeout_s)
        article = build_article(source, item, feed_url=feed_url, canonical=canonical, page=page)
    except FetchError as exc:
        _count_failure(source, item.link, exc, kind=Kind.PAGE)
        return False
    except ValidationError as exc:
        FETCH_ERRORS.labels(source=source.id, reason="invalid_article").inc()
        log.error("page cannot be sent as an article", source=source.id, url=item.link, error=str(exc))
        return False
    correlation_id = str(uuid.uuid4())
    try:
        await deps.publish(article, correlation_id)
    except Exception as exc:  # counted, and retried on a later poll because the claim is released
        FETCH_ERRORS.labels(source=source.id, reason="publish_failed").inc()
        log.exception("publishing the article failed", source=source.id, url=item.link, error=repr(exc))
        return False
    log.info("article published", source=source.id, url=item.link, canonical_url=canonical,
             message_id=article.message_id, correlation_id=correlation_id, status=page.status,
             bytes=len(page.body))
    return True


def build_article(source: Source, item: FeedItem, *, feed_url: str, canonical: str, page: Fetched) -> ArticleFetched:
    html = page.text()
    return ArticleFetched(
        source=source.ref,
        url=item.link,
        canonical_url=canonical,
        feed=FeedEntry(feed_url=feed_url, guid=item.guid, title=item.title, summary=item.summary,
                       authors=item.authors, published_at=item.published_at),
        http=HttpMeta(status=page.status, final_url=page.final_url, content_type=page.content_type,
                      etag=page.headers.get("etag"), last_modified=page.headers.get("last-modified"),
                      fetched_at=page.fetched_at, elapsed_ms=page.elapsed_ms),
        html=html,
        content_hash=content_hash(html),
    )


async def _release(seen: SeenSet, canonical: str, source: Source) -> None:
    try:
        await seen.release(canonical)
    except RedisError as exc:  # the claim's TTL releases it anyway; don't mask the first error
        log.warning("could not release claim; it will expire", source=source.id, canonical_url=canonical,
                    error=repr(exc))


def _count_failure(source: Source, url: str, exc: FetchError | FeedProblem, *, kind: Kind) -> None:
    FETCH_ERRORS.labels(source=source.id, reason=exc.reason).inc()
    log.warning(f"{kind} failed", source=source.id, url=url, kind=str(kind), reason=exc.reason, detail=exc.detail,
                status=getattr(exc, "status", None))
