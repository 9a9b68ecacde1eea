"""The writer's wiring, in memory: an extracted article in, a row written, a story update out."""

from faststream.redis import TestRedisBroker
from faststream.redis.annotations import RedisStreamMessage
from newsflow_shared.contracts import extracted_articles, story_updates
from newsflow_shared.contracts.story_updates import StoryUpdated
from sqlmodel import Session, select
from store.app import build_app
from store.models import Article
from store.settings import StoreSettings
from store.testing import extracted, migrated_engine


async def test_an_extracted_article_is_stored_and_its_story_update_published(sqlite_url: str) -> None:
    """The handler commits the article, then publishes the story's update with the incoming correlation id."""
    migrated_engine(sqlite_url).dispose()
    app = build_app(StoreSettings(DATABASE_URL=sqlite_url))
    broker = app.broker
    received: list[tuple[StoryUpdated, str, dict]] = []

    @broker.subscriber(stream=story_updates.STREAM)
    async def watch(update: StoryUpdated, msg: RedisStreamMessage) -> None:
        received.append((update, msg.correlation_id, msg.headers))

    message = extracted()
    async with TestRedisBroker(broker):
        await broker.publish(message, stream=extracted_articles.STREAM, headers=message.headers(),
                             correlation_id="corr-1")

    update, correlation_id, headers = received[0]
    assert (update.article_count, update.version, correlation_id) == (1, 1, "corr-1")
    assert headers["message_id"] == update.message_id
    engine = migrated_engine(sqlite_url)
    with Session(engine) as session:
        assert session.exec(select(Article.canonical_url)).all() == [message.canonical_url]
    engine.dispose()
