"""The extractor on a real Redis: raw page in, extracted article out, acked; bad input dead-lettered."""

import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import anyio
import httpx
import pytest
from faststream.redis import RedisBroker
from faststream.redis.parser.binary import BinaryMessageFormatV1
from redis.asyncio import Redis

from extractor.app import build_app
from extractor.settings import ExtractorSettings
from newsflow_shared import streams
from newsflow_shared.contracts import extracted_articles, raw_articles
from newsflow_shared.contracts.base import SCHEMA_VERSION_HEADER
from newsflow_shared.contracts.dead_letters import DeadLettered
from newsflow_shared.contracts.extracted_articles import ArticleExtracted
from newsflow_shared.contracts.raw_articles import ArticleFetched
from tests.unit.extractor.pages import fetched_page, fixture_html

DEADLINE_S = 20.0
T = TypeVar("T")


async def eventually(probe: Callable[[], Awaitable[T | None]], what: str) -> T:
    """Poll `probe` until it returns something, failing at the deadline."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        result = await probe()
        if result:
            return result
        await anyio.sleep(0.05)  # poll interval, not a synchronisation sleep
    pytest.fail(f"timed out after {DEADLINE_S}s waiting for {what}")


@pytest.fixture
def settings(redis_url: str) -> ExtractorSettings:
    return ExtractorSettings(REDIS_URL=redis_url, consumer_name=f"test-{uuid.uuid4().hex[:8]}", read_batch=5)


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
async def producer(redis_url: str) -> AsyncIterator[RedisBroker]:
    """A plain FastStream broker standing in for the fetcher."""
    broker = RedisBroker(redis_url)
    await broker.connect()
    yield broker
    await broker.stop()


@pytest.fixture
async def running_extractor(settings: ExtractorSettings) -> AsyncIterator[Any]:
    app = build_app(settings)
    await app.start()
    yield app
    await app.stop()


async def send(producer: RedisBroker, message: ArticleFetched, correlation_id: str) -> None:
    await producer.publish(
        message, stream=raw_articles.STREAM, headers=message.headers(), correlation_id=correlation_id
    )


async def extracted_with(redis: Redis, correlation_id: str) -> tuple[ArticleExtracted, dict[str, str]] | None:
    for _, fields in await redis.xrange(extracted_articles.STREAM):
        body, headers = BinaryMessageFormatV1.parse(fields[b"__data__"])
        if headers.get("correlation_id") == correlation_id:
            return ArticleExtracted.model_validate_json(body), headers
    return None


async def nothing_pending(redis: Redis) -> bool:
    summary = await redis.xpending(raw_articles.STREAM, streams.EXTRACTOR_GROUP)
    return summary["pending"] == 0


async def test_fetched_article_published_before_start_is_extracted_and_acked(
    settings: ExtractorSettings, producer: RedisBroker, redis: Redis
) -> None:
    """A page already waiting on the raw stream is extracted at start, keeps its correlation id, is acked."""
    fetched = fetched_page(fixture_html("article_jsonld.html"))
    await send(producer, fetched, correlation_id="corr-article-1")

    app = build_app(settings)
    await app.start()
    try:
        article, headers = await eventually(
            lambda: extracted_with(redis, "corr-article-1"), "the extracted article"
        )
        assert await eventually(lambda: nothing_pending(redis), "the raw message to be acked")
    finally:
        await app.stop()

    assert article.title == "Harbour bridge reopens after two-year repair"
    assert article.authors == ["Maren Holt", "Tobias Reyes"]
    assert article.is_article is True
    assert article.language == "en"
    assert article.content_hash == fetched.content_hash
    assert headers[SCHEMA_VERSION_HEADER] == str(ArticleExtracted.SCHEMA_VERSION)
    assert headers["message_id"] == article.message_id
    assert headers["contract"] == "ArticleExtracted"


async def test_page_without_article_is_still_published_flagged(
    running_extractor: Any, producer: RedisBroker, redis: Redis
) -> None:
    """An empty page is not dropped: it comes out with is_article=False and the feed's title."""
    await send(producer, fetched_page(fixture_html("empty.html"), feed_title="Feed headline"), "corr-empty")

    article, _ = await eventually(lambda: extracted_with(redis, "corr-empty"), "the flagged article")

    assert article.is_article is False
    assert article.title == "Feed headline"
    assert await eventually(lambda: nothing_pending(redis), "the raw message to be acked")


async def test_invalid_body_is_dead_lettered_and_the_next_message_still_extracted(
    running_extractor: Any, producer: RedisBroker, redis: Redis
) -> None:
    """A body that is no ArticleFetched is dead-lettered as 'invalid'; the message behind it is extracted."""
    good = fetched_page(fixture_html("non_english.html"))
    await producer.publish(
        {"url": "https://northwind-herald.example/x", "html": 42},
        stream=raw_articles.STREAM,
        headers=good.headers(),
        correlation_id="corr-bad",
    )
    await send(producer, good, correlation_id="corr-good")

    article, _ = await eventually(lambda: extracted_with(redis, "corr-good"), "the good article")
    letter = await eventually(lambda: dead_letter_for(redis, "corr-bad"), "the dead letter")

    assert article.language == "de"
    assert letter.reason == "invalid"
    assert letter.stream == raw_articles.STREAM
    assert "ValidationError" in letter.error
    assert await eventually(lambda: nothing_pending(redis), "both raw messages to be acked")
    assert await extracted_with(redis, "corr-bad") is None


async def dead_letter_for(redis: Redis, correlation_id: str) -> DeadLettered | None:
    for _, fields in await redis.xrange(streams.dead_letter_stream(streams.EXTRACTOR_GROUP)):
        letter = DeadLettered.model_validate(json.loads(fields[b"json"]))
        if letter.correlation_id == correlation_id:
            return letter
    return None


async def test_health_and_metrics_are_served_while_consuming(running_extractor: Any) -> None:
    """The worker app answers /health and exposes the extractor's metrics on /metrics."""
    transport = httpx.ASGITransport(app=running_extractor)
    async with httpx.AsyncClient(transport=transport, base_url="http://extractor") as client:
        health = await client.get("/health")
        metrics = await client.get("/metrics")

    assert health.status_code == 204  # FastStream's ping endpoint: broker reachable
    assert metrics.status_code == 200
    assert "newsflow_extraction_seconds" in metrics.text


async def test_the_service_publishes_entities_and_the_event_record(
    running_extractor: Any, producer: RedisBroker, redis: Redis
) -> None:
    """Through Redis, an article comes out with its entities, quantities and the Kursk event record."""
    url = "https://eastern-ledger.example/world/north-korea-kursk-workers"
    await send(producer, fetched_page(fixture_html("kursk_report.html"), url=url, canonical_url=url), "corr-kursk")

    article, _ = await eventually(lambda: extracted_with(redis, "corr-kursk"), "the analysed article")

    assert {"Sergei Shoigu", "Kursk region", "North Korea"} <= {e.name for e in article.entities}
    assert article.quantities[0].counted == "military construction personnel"
    event = article.events[0]
    assert (event.actor1.country_code, event.cameo_root, event.actor2.country_code) == ("PRK", "07", "RUS")
    assert event.place.name == "Kursk Oblast"
    assert article.simhash is not None and article.tone is not None
