"""The writer's composition root: database, broker, article consumer and story-update publisher."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog
from faststream.asgi import AsgiFastStream
from faststream.redis.annotations import RedisStreamMessage
from newsflow_shared import streams
from newsflow_shared.contracts import extracted_articles, story_updates
from newsflow_shared.contracts.extracted_articles import ArticleExtracted
from newsflow_shared.delivery import consume, publish
from newsflow_shared.runtime import build_broker, build_worker_app

from store.db import check_connection, make_engine
from store.ingest import ingest_article
from store.metrics import ARTICLES, STORY_UPDATES
from store.migrate import require_schema
from store.settings import StoreSettings
from store.stories import Matching

log = structlog.get_logger("store")


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_app(settings: StoreSettings, *, clock: Callable[[], datetime] = utc_now) -> AsgiFastStream:
    engine = make_engine(settings.database_url, writer=True)
    matching = Matching(
        window=timedelta(hours=settings.story_window_h), min_similarity=settings.story_min_similarity,
        merge_similarity=settings.story_merge_similarity,
    )
    broker = build_broker(settings, consumes=[ArticleExtracted])
    to_story_updates = broker.publisher(
        stream=story_updates.STREAM,
        description="A story's full current coverage, after each change (version grows by one per change).",
        title=f"{story_updates.STREAM}:publish",
        schema=story_updates.StoryUpdated,
    )

    @consume(broker, stream=extracted_articles.STREAM, group=streams.STORE_GROUP,
             consumer=settings.consumer_name, read_batch=settings.read_batch,
             claim_idle_ms=settings.claim_idle_ms)
    async def store_article(article: ArticleExtracted, msg: RedisStreamMessage) -> None:
        """Store each extracted article, place it in a story, and publish the story's update."""
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
