"""What an operator command's transaction changed, announced as the writer announces it: each story's
StoryUpdated, published on the story-update stream once the transaction has committed (store.recluster,
store.ratings)."""

import asyncio

from faststream.redis import RedisBroker
from newsflow_shared.contracts import story_updates
from newsflow_shared.contracts.story_updates import StoryUpdated
from newsflow_shared.runtime import build_broker
from sqlmodel import Session

from store.ingest import Batch
from store.metrics import STORY_UPDATES
from store.settings import StoreSettings


def announced(session: Session, batch: Batch) -> list[StoryUpdated]:
    """The updates of every story the transaction changed, in story id order."""
    stories = [batch.stories[story_id] for story_id in sorted(batch.stories)]
    batch.prepare_updates(session, stories)
    return [batch.announced[story.id] for story in stories]


class UpdatePublisher:
    """Publishes StoryUpdated messages as the writer does (its broker's middlewares, the same headers),
    from a synchronous command; connects to Redis on first use."""

    def __init__(self, settings: StoreSettings) -> None:
        self.settings = settings
        self.loop: asyncio.AbstractEventLoop | None = None
        self.broker: RedisBroker | None = None

    def __call__(self, updates: list[StoryUpdated]) -> None:
        if self.loop is None:
            self.loop = asyncio.new_event_loop()
            self.broker = build_broker(self.settings)
            self.loop.run_until_complete(self.broker.connect())
        self.loop.run_until_complete(self.send(updates))

    async def send(self, updates: list[StoryUpdated]) -> None:
        for message in updates:
            await self.broker.publish(message, stream=story_updates.STREAM, headers=message.headers())
            STORY_UPDATES.labels(change=message.change).inc()

    def close(self) -> None:
        if self.loop is not None:
            self.loop.run_until_complete(self.broker.stop())
            self.loop.close()
