"""The extractor's composition root: broker, subscription, publisher and app, built from settings."""

from collections.abc import Callable
from datetime import UTC, datetime

import anyio.to_thread
from faststream.asgi import AsgiFastStream
from faststream.redis.annotations import RedisStreamMessage

from extractor import language
from extractor.analysis import Analyser, Budget
from extractor.pipeline import extract_off_loop
from extractor.settings import ExtractorSettings
from newsflow_shared import streams
from newsflow_shared.contracts import extracted_articles, raw_articles
from newsflow_shared.contracts.raw_articles import ArticleFetched
from newsflow_shared.delivery import consume, publish
from newsflow_shared.runtime import build_broker, build_worker_app


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_app(settings: ExtractorSettings, *, clock: Callable[[], datetime] = utc_now) -> AsgiFastStream:
    analyser = build_analyser(settings)
    broker = build_broker(settings, consumes=[ArticleFetched])
    to_extracted = broker.publisher(
        stream=extracted_articles.STREAM,
        title="extracted_articles",
        description="One ArticleExtracted per fetched page; is_article=false when it held no article.",
        schema=extracted_articles.ArticleExtracted,
    )

    @consume(
        broker,
        stream=raw_articles.STREAM,
        group=streams.EXTRACTOR_GROUP,
        consumer=settings.consumer_name,
        read_batch=settings.read_batch,
        claim_idle_ms=settings.claim_idle_ms,
    )
    async def extract_article(article: ArticleFetched, msg: RedisStreamMessage) -> None:
        """Extract each fetched page's article (text, metadata, language) and publish it."""
        extracted = await extract_off_loop(
            article, min_article_words=settings.min_article_words, clock=clock, analyser=analyser
        )
        await publish(to_extracted, extracted, correlation_id=msg.correlation_id)

    app = build_worker_app(broker, settings, groups=[(raw_articles.STREAM, streams.EXTRACTOR_GROUP)])

    @app.on_startup
    async def load_language_model() -> None:
        # model loading (language ~0.5 s, spaCy ~0.3 s, gazetteer ~1 s), done before the first message
        await anyio.to_thread.run_sync(language.identifier)
        if analyser is not None:
            await anyio.to_thread.run_sync(analyser.warm)

    return app


def build_analyser(settings: ExtractorSettings) -> Analyser | None:
    if not settings.analyse:
        return None
    budget = Budget(
        ner_max_words=settings.ner_max_words,
        lead_sentences=settings.lead_sentences,
        max_chars=settings.analysis_max_chars,
    )
    return Analyser(settings.models_by_language(), budget)
