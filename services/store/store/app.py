"""The writer's composition root: database, broker, article consumer and story-update publisher."""

import asyncio
import gc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog
from faststream.asgi import AsgiFastStream
from faststream.redis import StreamSub
from faststream.redis.annotations import Redis, RedisBatchStreamMessage, RedisStreamMessage
from newsflow_shared import streams
from newsflow_shared.contracts import extracted_articles, story_updates
from newsflow_shared.contracts.extracted_articles import ArticleExtracted
from newsflow_shared.delivery import OUTAGE, InvalidMessage, dead_letter_entry, is_transient, publish
from newsflow_shared.metrics import MESSAGES
from newsflow_shared.runtime import build_broker, build_worker_app

from store.batches import BatchLogContext, Entry, Rejected, accept, entries_of, no_body, parse_batch
from store.db import check_connection, make_engine
from store.ingest import ingest_article, ingest_articles
from store.metrics import ARTICLES, STORY_UPDATES
from store.migrate import require_schema
from store.settings import StoreSettings
from store.story_cache import cache_for
from store.stories import Matching

log = structlog.get_logger("store")

# A batch allocates tens of thousands of short-lived containers (rows, JSON, feature vectors) while the
# story cache keeps thousands of long-lived ones: with CPython's default thresholds (700, 10, 10) the
# collector took ~0.35 ms of CPU per article in bench/store/bench_store.py, about a fifth of the total.
GC_THRESHOLDS = (50_000, 20, 100)


def tune_garbage_collector() -> None:
    """For the writer process: collect less often, and never again traverse what startup loaded."""
    gc.set_threshold(*GC_THRESHOLDS)
    gc.freeze()


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_app(settings: StoreSettings, *, clock: Callable[[], datetime] = utc_now) -> AsgiFastStream:
    engine = make_engine(settings.database_url, writer=True, application_name=f"store:{settings.consumer_name}",
                         idle_in_transaction_s=settings.idle_in_transaction_timeout_s,
                         statement_timeout_s=settings.statement_timeout_s)
    cache_for(engine).resize(written=settings.story_cache_written, scored=settings.story_cache_candidates)
    matching = Matching(
        window=timedelta(hours=settings.story_window_h), min_similarity=settings.story_min_similarity,
        merge_similarity=settings.story_merge_similarity,
    )
    broker = build_broker(settings, consumes=[ArticleExtracted])
    broker.add_middleware(BatchLogContext)
    to_story_updates = broker.publisher(
        stream=story_updates.STREAM,
        description="A story's full current coverage, after each change (version grows by one per change).",
        title=f"{story_updates.STREAM}:publish",
        schema=story_updates.StoryUpdated,
    )

    stream, group = extracted_articles.STREAM, streams.STORE_GROUP

    async def reject(redis: Redis, entry: Entry, reason: str, error: str) -> None:
        await dead_letter_entry(redis, stream=stream, group=group, entry_id=entry.entry_id, fields=entry.fields,
                                attempts=1, reason=reason, error=error, message_id=entry.message_id,
                                correlation_id=entry.correlation_id)

    # New entries are read in batches and committed in one transaction per batch. A batch that fails
    # stays pending (FastStream acks only on success) and the reclaimer below takes its entries over one
    # by one, with the delivery policy's retry cap and dead-lettering; see /docs/stories.md.
    @broker.subscriber(
        stream=StreamSub(stream, group=group, consumer=settings.consumer_name, batch=True,
                         max_records=settings.batch_size),
        parser=parse_batch, decoder=no_body,  # each entry is decoded once, in entries_of and accept
        # Documented through the reclaimer below: same stream, group and contract, and its handler's
        # signature gives the document the ArticleExtracted payload (this one decodes entries itself).
        include_in_schema=False,
    )
    async def store_batch(msg: RedisBatchStreamMessage, redis: Redis) -> None:
        """Store a batch of extracted articles in one transaction and publish the stories' updates."""
        entries = entries_of(msg.raw_message)
        try:
            await store_entries(entries, redis)
        except Exception as exc:
            # An outage can meet any step: the database, or Redis refusing the updates or the dead letters (full,
            # failing over). The delivery middleware, which backs off for the reclaimer, does not see batches.
            error = f"{type(exc).__name__}: {exc}"
            if is_transient(exc):
                delay = OUTAGE.failed(error)
                MESSAGES.labels(stream=stream, outcome="retried").inc(len(entries))
                log.warning("dependency unavailable; message left pending, backing off", stream=stream,
                            entries=len(entries), error=error, backoff_s=delay)
                await asyncio.sleep(delay)  # backoff: this consumer's next read waits for it
            else:
                log.warning("batch failed; its entries stay pending for the per-message retry", stream=stream,
                            entries=len(entries), error=error, exc_info=True)
            raise
        OUTAGE.recovered()

    async def store_entries(entries: list[Entry], redis: Redis) -> None:
        """Dead-letter the entries no retry can store, store the rest in one transaction, publish the updates."""
        accepted: list[tuple[Entry, ArticleExtracted]] = []
        for entry in entries:
            try:
                accepted.append((entry, accept(entry, max_message_bytes=settings.max_message_bytes)))
            except Rejected as exc:
                await reject(redis, entry, exc.reason, str(exc))
        results = await asyncio.to_thread(ingest_articles, engine, [a for _, a in accepted], now=clock(),
                                          matching=matching) if accepted else []
        # One message per story version: the articles that joined a story in this batch changed it once.
        # It carries the correlation id of the article it names (the story's last in the batch), else (that
        # article is from an earlier batch, as a redelivery's is) of the first message that gave it. Each
        # article's log line names the story and version.
        published: dict[str, tuple[story_updates.StoryUpdated, str | None]] = {}
        correlation_ids: dict[str, str | None] = {}  # article id → its message's correlation id
        for (entry, article), result in zip(accepted, results, strict=True):
            if isinstance(result, InvalidMessage):
                await reject(redis, entry, "invalid", f"InvalidMessage: {result}")
                continue
            ARTICLES.labels(outcome=result.outcome).inc()
            log.info("article stored", outcome=result.outcome, article_id=article.article_id,
                     story_id=result.update and result.update.story_id,
                     story_version=result.update and result.update.version, correlation_id=entry.correlation_id)
            correlation_ids[article.article_id] = entry.correlation_id
            for update in result.updates:
                published.setdefault(update.message_id, (update, entry.correlation_id))
        async with redis.pipeline(transaction=False) as pipe:
            # Stories merged away before the rest, as for each message: a survivor never precedes its absorbed.
            for update, first in sorted(published.values(), key=lambda item: item[0].merged_into is None):
                correlation_id = correlation_ids.get(update.article_id) or first
                await to_story_updates.publish(update, headers=update.headers(), correlation_id=correlation_id,
                                               pipeline=pipe)
                STORY_UPDATES.labels(change=update.change).inc()
            await pipe.execute()
        MESSAGES.labels(stream=stream, outcome="processed").inc(len(accepted))

    # The reclaimer: entries left pending (a failed batch, a crashed peer), one at a time through the
    # delivery middleware, which retries, backs off on outages and dead-letters after max_attempts.
    @broker.subscriber(
        stream=StreamSub(stream, group=group, consumer=settings.consumer_name,
                         min_idle_time=settings.claim_idle_ms),
        description="Store each extracted article, place it in a story, and publish the story's update.",
    )
    async def store_article(article: ArticleExtracted, msg: RedisStreamMessage) -> None:
        """Store one reclaimed article in its own transaction and publish its story's update(s)."""
        # The ORM is synchronous: run the transaction in a thread so the loop keeps serving the broker.
        ingested = await asyncio.to_thread(ingest_article, engine, article, now=clock(), matching=matching)
        ARTICLES.labels(outcome=ingested.outcome).inc()
        log.info("article stored", outcome=ingested.outcome, article_id=article.article_id,
                 story_id=ingested.update and ingested.update.story_id,
                 story_version=ingested.update and ingested.update.version)
        # Stories a merge absorbed first, then the article's own story (the survivor).
        for update in ingested.updates:
            await publish(to_story_updates, update, correlation_id=msg.correlation_id)
            STORY_UPDATES.labels(change=update.change).inc()

    app = build_worker_app(broker, settings, groups=[(extracted_articles.STREAM, streams.STORE_GROUP)],
                           readiness={"database": lambda: check_connection(engine)})

    @app.on_startup
    async def check_schema() -> None:
        await asyncio.to_thread(require_schema, engine)

    @app.after_shutdown
    async def close_database() -> None:
        await asyncio.to_thread(engine.dispose)

    return app
