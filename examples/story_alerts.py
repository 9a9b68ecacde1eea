"""Example downstream consumer: alert when a story passes N sources or becomes a blindspot.

It reads `newsflow:stories:updates` with a consumer group of its own (created at id 0, so it also
reads the history published before it first ran), exactly as any downstream program should: the
store's messages are never consumed away from other readers, and each group keeps its own position.

    REDIS_URL=redis://127.0.0.1:6379/0 STORY_ALERTS_MIN_SOURCES=5 \\
    STORY_ALERTS_WEBHOOK_URL=https://hooks.example/newsflow python -m examples.story_alerts

Without a webhook URL each alert is a JSON line on stdout. Alerts are POSTed as JSON
({"kind": "sources"|"blindspot", "story_id", "title", "version", "source_count", "blindspot", "text"}).
Every update carries the story's full state and a version, so the consumer only remembers, per story,
the newest version it handled and what it already alerted (a Redis hash): replays, redeliveries and
out-of-order updates never alert twice. It reuses Newsflow's delivery policy (retry, then dead-letter
to newsflow:dead:<group>) and serves /health and /metrics like the pipeline's own workers.
"""

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass

import httpx
import structlog
from faststream.asgi import AsgiFastStream
from newsflow_shared import streams
from newsflow_shared.contracts.story_updates import StoryUpdated
from newsflow_shared.delivery import consume
from newsflow_shared.logs import configure_logging
from newsflow_shared.runtime import build_broker, build_worker_app, run_worker
from newsflow_shared.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict
from redis.asyncio import Redis

log = structlog.get_logger("story_alerts")


class AlertSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="STORY_ALERTS_", extra="ignore", frozen=True)

    group: str = Field(default="story-alerts", description="This consumer's own group on the story stream.")
    min_sources: int = Field(default=5, ge=1, description="Alert once a story is reported by this many sources.")
    webhook_url: str | None = Field(default=None, description="POST each alert here (JSON); else print it.")


@dataclass(frozen=True)
class Alert:
    kind: str  # "sources" or "blindspot"
    story_id: str
    title: str
    version: int
    source_count: int
    blindspot: str | None
    text: str


@dataclass(frozen=True)
class Seen:
    """What this consumer already handled for one story."""

    version: int = 0
    sources_alerted: bool = False
    blindspot: str | None = None


def alerts_for(update: StoryUpdated, seen: Seen, *, min_sources: int) -> tuple[list[Alert], Seen]:
    """The alerts one update raises, given what was seen of its story before, and the new memory."""
    if update.version <= seen.version:
        return [], seen  # a replay, a redelivery or an older update overtaken by a newer one
    alerts = []
    common = {"story_id": update.story_id, "title": update.title, "version": update.version,
              "source_count": update.source_count, "blindspot": update.coverage.blindspot}
    crossed = update.source_count >= min_sources and not seen.sources_alerted
    if crossed:
        alerts.append(Alert(kind="sources", text=f"{update.source_count} sources now report "
                            f"“{update.title}”", **common))
    blindspot = update.coverage.blindspot
    if blindspot and blindspot != seen.blindspot:
        alerts.append(Alert(kind="blindspot", text=f"“{update.title}” is a blindspot for the {blindspot}: "
                            f"that side barely covers it", **common))
    return alerts, Seen(version=update.version, sources_alerted=seen.sources_alerted or crossed,
                        blindspot=blindspot)


class Memory:
    """Per-story `Seen`, in one Redis hash per consumer group, so restarts and replicas agree."""

    def __init__(self, redis: Redis, group: str) -> None:
        self._redis = redis
        self._key = f"newsflow:example:story-alerts:{group}"

    async def get(self, story_id: str) -> Seen:
        raw = await self._redis.hget(self._key, story_id)
        return Seen(**json.loads(raw)) if raw else Seen()

    async def put(self, story_id: str, seen: Seen) -> None:
        await self._redis.hset(self._key, story_id, json.dumps(asdict(seen)))


Notify = Callable[[Alert], Awaitable[None]]


def webhook(client: httpx.AsyncClient, url: str) -> Notify:
    async def post(alert: Alert) -> None:
        response = await client.post(url, json=asdict(alert))
        response.raise_for_status()  # raising leaves the update pending: it is retried, then dead-lettered

    return post


async def print_alert(alert: Alert) -> None:
    print(json.dumps(asdict(alert), ensure_ascii=False), flush=True)


def build_app(settings: AlertSettings, *, notify: Notify | None = None) -> AsgiFastStream:
    broker = build_broker(settings, consumes=[StoryUpdated])
    redis = Redis.from_url(str(settings.redis_url))
    memory = Memory(redis, settings.group)
    client = httpx.AsyncClient(timeout=10.0)
    send = notify or (webhook(client, settings.webhook_url) if settings.webhook_url else print_alert)

    @consume(broker, stream=streams.STORY_UPDATES, group=settings.group, consumer=settings.consumer_name,
             read_batch=settings.read_batch, claim_idle_ms=settings.claim_idle_ms)
    async def alert_on_story(update: StoryUpdated) -> None:
        """Alert when a story passes the source threshold or becomes a blindspot."""
        alerts, seen = alerts_for(update, await memory.get(update.story_id), min_sources=settings.min_sources)
        for alert in alerts:
            await send(alert)
            log.info("story alert", kind=alert.kind, story_id=alert.story_id, version=alert.version)
        # Remembered only once every alert went out: a failed webhook call is retried, not lost.
        await memory.put(update.story_id, seen)

    app = build_worker_app(broker, settings, groups=[(streams.STORY_UPDATES, settings.group)])

    @app.after_shutdown
    async def close() -> None:
        await client.aclose()
        await redis.aclose()

    return app


def main() -> None:
    settings = AlertSettings()
    configure_logging("story-alerts", level=settings.log_level, fmt=settings.log_format)
    run_worker(build_app(settings), settings)


if __name__ == "__main__":
    main()
