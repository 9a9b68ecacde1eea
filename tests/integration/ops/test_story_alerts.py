"""The example story-alerts consumer on real Redis, posting to a real local webhook server."""

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from faststream.redis import RedisBroker
from newsflow_shared import streams
from newsflow_shared.contracts.story_updates import Coverage, StoryChange, StoryUpdated
from redis.asyncio import Redis

from examples.story_alerts import AlertSettings, build_app
from tests.support.polling import eventually


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict]]]:
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


def update(story_id: str, version: int, sources: int, blindspot: str | None = None) -> StoryUpdated:
    return StoryUpdated(story_id=story_id, version=version, change=StoryChange.ARTICLE_ADDED,
                        title=f"Story {story_id}", article_count=sources, source_count=sources,
                        updated_at=datetime(2026, 1, 1, tzinfo=UTC), coverage=Coverage(blindspot=blindspot))


async def test_alerts_once_per_threshold_and_blindspot_reading_history_from_its_own_group(
        redis_url: str, webhook: tuple[str, list[dict]]) -> None:
    """Updates published before the consumer first ran are read (group at 0); crossing 3 sources and becoming
    a blindspot each alert once, despite a repeated update and an older one arriving late."""
    url, received = webhook
    history = [update("a", 1, 1), update("a", 2, 3), update("a", 2, 3), update("a", 3, 4),
               update("b", 1, 2, blindspot="right"), update("b", 2, 2, blindspot="right"), update("a", 1, 1)]
    async with RedisBroker(redis_url) as producer:
        await producer.connect()
        for message in history:
            await producer.publish(message, stream=streams.STORY_UPDATES, headers=message.headers())
    app = build_app(AlertSettings(REDIS_URL=redis_url, min_sources=3, webhook_url=url, consumer_name="alerts-1"))
    await app.start()
    try:
        async with Redis.from_url(redis_url) as redis:
            async def all_acked() -> bool:
                (group,) = [g for g in await redis.xinfo_groups(streams.STORY_UPDATES)
                            if g["name"] == b"story-alerts"]
                return group["entries-read"] == len(history) and group["pending"] == 0

            await eventually(all_acked, timeout=20, what="every update handled")
    finally:
        await app.stop()
    assert [(a["kind"], a["story_id"], a["version"]) for a in received] == [
        ("sources", "a", 2), ("blindspot", "b", 1)]
    assert received[1]["text"] == "“Story b” is a blindspot for the right: that side barely covers it"
