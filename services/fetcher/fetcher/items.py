"""One feed item → at most one raw-article message: a new article, or a revision of a published one.

The item's link is canonicalised and claimed in the seen-set before its page is fetched; after the
fetch the canonical URL is settled from where the page landed and its same-site `<link rel=canonical>`.
A published URL whose feed entry changed is re-fetched, and published again as revision n+1 only if
the page's content changed.
"""

import asyncio
import logging
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import structlog
from newsflow_shared.contracts.raw_articles import ArticleFetched, FeedEntry, HttpMeta, content_hash
from newsflow_shared.delivery import is_transient
from pydantic import ValidationError
from redis.asyncio.client import Pipeline
from redis.exceptions import RedisError

from fetcher.canonical import canonical_url, final_canonical
from fetcher.feeds import FeedItem
from fetcher.gone import GonePages, is_permanent_failure
from fetcher.http import Fetched, Fetcher, FetchError, Kind
from fetcher.metrics import FETCH_ERRORS, PAGES_GONE, counter
from fetcher.seen import Claim, SeenRecord, SeenSet
from fetcher.sources import Source

log = structlog.get_logger(__name__)

# (article, correlation_id, pipeline): adds the message to the pipeline, which the seen-set then executes.
PublishArticle = Callable[[ArticleFetched, str, Pipeline], Awaitable[object]]


class StopSignal(Protocol):
    """What tells a poll to start no new item (an asyncio.Event, or several: see polling.AnyOf)."""

    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class ItemDeps:
    fetcher: Fetcher
    seen: SeenSet
    publish: PublishArticle
    compress_html_above: int = 262_144
    revisit_changed_items: bool = True
    item_concurrency: int = 2
    gone: GonePages | None = None  # remembers pages that answered a permanent 4xx; None: retried every poll


CLAIM_BATCH = 32  # items claimed in one Redis round trip; small enough that claims never outlive their use


async def take_items(source: Source, feed_url: str, items: Sequence[FeedItem], deps: ItemDeps,
                     stop: StopSignal | None = None) -> AsyncIterator[str]:
    """Take the feed's items, yielding each outcome (a metric label); no new item is started once `stop` is set.

    Links are claimed in batches (one round trip per batch, not per item), and up to
    `deps.item_concurrency` items are fetched at once so Redis round trips overlap with fetches (the
    host gates still pace each host). Claims not used because of a stop are released, so the next
    poll takes those items.
    """
    for start in range(0, len(items), CLAIM_BATCH):
        if stop is not None and stop.is_set():
            return
        batch = items[start:start + CLAIM_BATCH]
        canonicals = [_canonical(item) for item in batch]
        claims = iter(await deps.seen.claim_or_lookup_many([c for c in canonicals if c]))
        pending = deque((item, canonical, next(claims) if canonical else None)
                        for item, canonical in zip(batch, canonicals, strict=True))
        running: set[asyncio.Task[str]] = set()
        try:
            while pending or running:
                while pending and len(running) < deps.item_concurrency and not (stop and stop.is_set()):
                    item, canonical, claim = pending.popleft()
                    running.add(asyncio.create_task(_take(source, feed_url, item, canonical, claim, deps)))
                if not running:
                    return  # stopped
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    yield task.result()
        finally:
            for task in running:  # cancelled or failed: their own cleanup releases their claims
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
            for _, canonical, claim in pending:  # never started: hand the claims back
                if canonical and claim and claim.claimed:
                    await _release(deps.seen.release, canonical, source)


def _canonical(item: FeedItem) -> str | None:
    if not item.link:
        return None
    try:
        return canonical_url(item.link)
    except ValueError:
        return None


async def _take(source: Source, feed_url: str, item: FeedItem, canonical: str | None,
                claim: Claim | None, deps: ItemDeps) -> str:
    if not item.link:
        log.warning("feed item without a link skipped", source=source.id, url=feed_url, title=item.title,
                    guid=item.guid)
        return "no_link"
    if canonical is None or claim is None:
        log.warning("feed item with an unusable link skipped", source=source.id, url=feed_url, link=item.link)
        return "bad_link"
    claimed, record, gone = claim
    if gone:
        return "gone"  # it answered a permanent 4xx lately: not requested until its pause ends (gone.py)
    if claimed:
        return await _take_new(source, feed_url, item, canonical, deps)
    if record is None:
        # claimed and not yet published, by another replica or by a publish an outage cut short: the
        # poll must not count the feed as fully taken, or a 304 would hide this item from later polls
        return "in_progress"
    if deps.revisit_changed_items and record.fingerprint and record.fingerprint != item.fingerprint:
        return await _take_revision(source, feed_url, item, canonical, record, deps)
    return "already_seen"


async def _take_new(source: Source, feed_url: str, item: FeedItem, canonical: str, deps: ItemDeps) -> str:
    """The URL is claimed by this process; publish it, or release the claim."""
    outcome = "failed"
    claims = [canonical]
    try:
        page = await _fetch_page(source, item, canonical, deps)
        if page is None:
            return outcome
        landed = final_canonical(canonical, page.final_url, page.body, link=item.link)
        html = page.text()
        record = SeenRecord(content_hash(html), 1, item.fingerprint)
        if landed != canonical:
            if not (await deps.seen.claim_or_lookup(landed)).claimed:
                # Another link (or replica) already brought this article in: remember the alias, publish nothing.
                await deps.seen.mark_published(canonical, record)
                outcome = "duplicate"
                return outcome
            claims.append(landed)
        marks = [(url, record) for url in dict.fromkeys((canonical, landed))]
        if await _publish(source, feed_url, item, landed, page, deps, revision=1, html=html,
                          html_hash=record.content_hash, marks=marks):
            outcome = "published"
        return outcome
    finally:
        # Also on cancellation: an unpublished claim must not hide the URL from later polls.
        if outcome == "failed":
            for claimed in claims:
                await _release(deps.seen.release, claimed, source)


async def _take_revision(source: Source, feed_url: str, item: FeedItem, canonical: str, record: SeenRecord,
                         deps: ItemDeps) -> str:
    if not await deps.seen.claim_revision(canonical):
        return "already_seen"
    outcome = "failed"
    try:
        page = await _fetch_page(source, item, canonical, deps)
        if page is None:
            return outcome
        landed = final_canonical(canonical, page.final_url, page.body, link=item.link)
        html = page.text()
        new_hash = content_hash(html)
        if new_hash == record.content_hash:
            await deps.seen.mark_published(canonical, SeenRecord(new_hash, record.revision, item.fingerprint),
                                           revised=True)
            outcome = "unchanged"
            return outcome
        revised = SeenRecord(new_hash, record.revision + 1, item.fingerprint)
        marks = [(url, revised) for url in dict.fromkeys((canonical, landed))]
        if await _publish(source, feed_url, item, landed, page, deps, revision=revised.revision, html=html,
                          html_hash=new_hash, marks=marks):
            log.info("article revised", source=source.id, url=item.link, canonical_url=landed,
                     revision=revised.revision)
            outcome = "revised"
        return outcome
    finally:
        if outcome == "failed":
            await _release(deps.seen.release_revision, canonical, source)


async def _fetch_page(source: Source, item: FeedItem, canonical: str, deps: ItemDeps) -> Fetched | None:
    assert item.link is not None
    try:
        return await deps.fetcher.get(item.link, kind=Kind.PAGE)
    except FetchError as exc:
        count_failure(source, item.link, exc, kind=Kind.PAGE)
        if deps.gone is not None and exc.reason == "http_status" and is_permanent_failure(exc.status):
            await _remember_gone(source, item.link, canonical, exc.status or 0, deps.gone)
        return None


async def _remember_gone(source: Source, link: str, canonical: str, status: int, gone: GonePages) -> None:
    try:
        failures, pause_s = await gone.remember(canonical, status)
    except RedisError as exc:  # the page is simply retried at the next poll
        log.warning("could not remember a missing page; it will be retried", source=source.id, url=link,
                    error=repr(exc))
        return
    counter(PAGES_GONE, source.id, str(status)).inc()
    log.warning("page set aside after a permanent error", source=source.id, url=link, canonical_url=canonical,
                status=status, failures=failures, retry_in_s=pause_s)


async def _publish(source: Source, feed_url: str, item: FeedItem, canonical: str, page: Fetched, deps: ItemDeps,
                   *, revision: int, html: str, html_hash: str, marks: list[tuple[str, SeenRecord]]) -> bool:
    try:
        article = build_article(source, item, feed_url=feed_url, canonical=canonical, page=page, revision=revision,
                                compress_above=deps.compress_html_above, html=html, html_hash=html_hash)
    except ValidationError as exc:
        FETCH_ERRORS.labels(source=source.id, reason="invalid_article").inc()
        log.error("page cannot be sent as an article", source=source.id, url=item.link, error=str(exc))
        return False
    correlation_id = str(uuid.uuid4())
    try:
        await deps.seen.publish_and_mark(lambda pipe: deps.publish(article, correlation_id, pipe), marks,
                                         revised=revision > 1)
    except Exception as exc:  # counted, and retried on a later poll because the claim is released
        FETCH_ERRORS.labels(source=source.id, reason="publish_failed").inc()
        if is_transient(exc):  # Redis down or refusing writes: one line an item, not a traceback each
            log.warning("publishing the article failed; Redis is unavailable, the page is retried at the next poll",
                        source=source.id, url=item.link, error=repr(exc))
        else:
            log.exception("publishing the article failed", source=source.id, url=item.link, error=repr(exc))
        return False
    # DEBUG: at hundreds of articles a minute, one INFO line per feed poll (polling.py) is what operators read.
    if _debug_enabled():
        log.debug("article published", source=source.id, url=item.link, canonical_url=canonical,
                  message_id=article.message_id, correlation_id=correlation_id, status=page.status,
                  http_version=page.http_version,
                  bytes=len(page.body), revision=revision, compressed=article.html_gzip_b64 is not None)
    return True


def _debug_enabled() -> bool:
    # The per-article line costs a stdlib round trip (and the message_id hash) even when DEBUG is off.
    return logging.getLogger(__name__).isEnabledFor(logging.DEBUG)


def build_article(source: Source, item: FeedItem, *, feed_url: str, canonical: str, page: Fetched,
                  revision: int = 1, compress_above: int | None = None, html: str | None = None,
                  html_hash: str | None = None) -> ArticleFetched:
    """The message for a fetched page; pages over `compress_above` bytes travel gzipped (html_gzip_b64).

    `html` and `html_hash` may be passed when the caller already decoded and hashed the page.
    """
    html = page.text() if html is None else html
    compress = compress_above is not None and len(page.body) > compress_above
    return ArticleFetched(
        source=source.ref,
        url=item.link,
        canonical_url=canonical,
        feed=FeedEntry(feed_url=feed_url, guid=item.guid, title=item.title, summary=item.summary,
                       authors=item.authors, published_at=item.published_at),
        http=HttpMeta(status=page.status, final_url=page.final_url, content_type=page.content_type,
                      etag=page.headers.get("etag"), last_modified=page.headers.get("last-modified"),
                      fetched_at=page.fetched_at, elapsed_ms=page.elapsed_ms),
        html="" if compress else html,
        html_gzip_b64=ArticleFetched.compress_html(html) if compress else None,
        content_hash=html_hash or content_hash(html),
        revision=revision,
    )


async def _release(release: Callable[[str], Awaitable[None]], canonical: str, source: Source) -> None:
    try:
        await release(canonical)
    except RedisError as exc:  # the claim's TTL releases it anyway; don't mask the first error
        log.warning("could not release claim; it will expire", source=source.id, canonical_url=canonical,
                    error=repr(exc))


def count_failure(source: Source, url: str, exc: Exception, *, kind: Kind) -> None:
    reason = getattr(exc, "reason", "internal")
    FETCH_ERRORS.labels(source=source.id, reason=reason).inc()
    log.warning(f"{kind} failed", source=source.id, url=url, kind=str(kind), reason=reason,
                detail=getattr(exc, "detail", str(exc)), status=getattr(exc, "status", None))
