"""A worker built by the shared runtime on real Redis: its metrics, health endpoints and stream-state gauges."""

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from faststream.asgi import AsgiFastStream
from faststream.redis import RedisBroker
from newsflow_shared import streams
from newsflow_shared.delivery import consume, ensure_group
from newsflow_shared.runtime import build_broker, build_worker_app
from newsflow_shared.settings import ServiceSettings
from prometheus_client import REGISTRY
from redis.asyncio import Redis

from tests.support.polling import eventually
from tests.support.redis_memory import refuse_writes

STREAM = streams.STORY_UPDATES  # any pipeline stream: the sampler reads those
OUT = "newsflow:test:ops-out"


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def worker(redis_url: str, group: str, *, readiness: dict | None = None) -> AsgiFastStream:
    settings = ServiceSettings(REDIS_URL=redis_url, consumer_name=f"ops-{uuid.uuid4().hex[:6]}",
                               stream_metrics_interval_s=0.1, claim_idle_ms=60_000)
    broker = build_broker(settings)
    out = broker.publisher(stream=OUT)

    @consume(broker, stream=STREAM, group=group, consumer=settings.consumer_name,
             read_batch=10, claim_idle_ms=settings.claim_idle_ms)
    async def relay(body: dict) -> None:
        if body.get("fail"):
            raise RuntimeError("asked to fail")
        await out.publish(body)

    return build_worker_app(broker, settings, groups=[(STREAM, group)], readiness=readiness)


@pytest.fixture
async def client_for() -> AsyncIterator[Any]:
    started: list[AsgiFastStream] = []

    async def start(app: AsgiFastStream) -> httpx.AsyncClient:
        await app.start()
        started.append(app)
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://worker")

    yield start
    for app in started:
        await app.stop()


async def test_messages_in_out_failed_and_latency_are_counted_per_stream(redis_url: str, client_for: Any) -> None:
    """Received, published, handler errors and the handling-time histogram appear per stream on /metrics."""
    group = f"ops-{uuid.uuid4().hex[:6]}"
    before = {
        "received": metric("newsflow_messages_received_total", stream=STREAM),
        "published": metric("newsflow_messages_published_total", stream=OUT),
        "errors": metric("newsflow_handler_errors_total", stream=STREAM, error="RuntimeError"),
        "ok": metric("newsflow_message_handling_seconds_count", stream=STREAM, outcome="ok"),
    }
    async with RedisBroker(redis_url) as producer:
        await producer.connect()
        for n in range(3):
            await producer.publish({"n": n}, stream=STREAM)
        await producer.publish({"fail": True}, stream=STREAM)
    client = await client_for(worker(redis_url, group))
    async with client, Redis.from_url(redis_url) as redis:
        await eventually(lambda: redis.xlen(OUT), what="relayed messages")
        await eventually(lambda: metric("newsflow_handler_errors_total", stream=STREAM, error="RuntimeError")
                         > before["errors"], what="the failure counted")
        await eventually(lambda: metric("newsflow_messages_published_total", stream=OUT) - before["published"] == 3,
                         what="three publications counted")
        text = (await client.get("/metrics")).text
    assert metric("newsflow_messages_received_total", stream=STREAM) - before["received"] == 4
    assert metric("newsflow_message_handling_seconds_count", stream=STREAM, outcome="ok") - before["ok"] == 3
    assert f'newsflow_message_handling_seconds_bucket{{le="0.005",outcome="ok",stream="{STREAM}"}}' in text


async def test_lag_pending_and_dead_letters_are_sampled_into_gauges(redis_url: str, client_for: Any) -> None:
    """The worker's sampler exports every group's lag and pending count and each stage's dead letters."""
    async with Redis.from_url(redis_url) as redis:
        await ensure_group(redis, STREAM, "idle-downstream")  # a group nobody reads: its lag grows
        for n in range(5):
            await redis.xadd(STREAM, {"n": str(n)})
        await redis.xreadgroup("idle-downstream", "c1", {STREAM: ">"}, count=2)  # two read, never acked
        await redis.xadd(streams.dead_letter_stream("store"), {"json": "{}"})
    client = await client_for(worker(redis_url, f"ops-{uuid.uuid4().hex[:6]}"))
    async with client:
        await eventually(
            lambda: metric("newsflow_consumer_group_lag", stream=STREAM, group="idle-downstream") == 3,
            what="lag of the idle group")
        assert metric("newsflow_consumer_group_pending", stream=STREAM, group="idle-downstream") == 2
        assert metric("newsflow_consumer_group_oldest_pending_age_seconds",
                      stream=STREAM, group="idle-downstream") >= 0
        assert metric("newsflow_consumer_group_consumers", stream=STREAM, group="idle-downstream") == 1
        assert metric("newsflow_dead_letters", stage="store") == 1
        assert metric("newsflow_stream_length", stream=STREAM) >= 5
        assert "newsflow_consumer_group_lag{" in (await client.get("/metrics")).text


async def test_ready_live_and_health_reflect_redis_and_extra_checks(redis_url: str, client_for: Any) -> None:
    """/health/ready lists each check; a failing extra check makes it and /health 503 while /health/live stays 200."""
    database_up = True

    def database() -> bool:
        if not database_up:
            raise ConnectionError("database is down")
        return True

    client = await client_for(worker(redis_url, "ops-health", readiness={"database": database}))
    async with client:
        ready = await client.get("/health/ready")
        assert (ready.status_code, ready.json()) == (200, {"status": "ready",
                                                          "checks": {"redis": "ok", "redis_writes": "ok",
                                                                     "database": "ok"}})
        assert (await client.get("/health")).status_code == 204
        database_up = False
        ready = await client.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"redis": "ok", "redis_writes": "ok",
                                          "database": "ConnectionError: database is down"}
        assert (await client.get("/health")).status_code == 503
        assert (await client.get("/health/live")).status_code == 200


async def test_not_ready_when_redis_is_unreachable() -> None:
    """A worker whose Redis does not answer is alive but not ready."""
    app = worker("redis://127.0.0.1:1/0", "ops-down")  # nothing listens on port 1
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://worker") as client:
        ready = await client.get("/health/ready")
        live = await client.get("/health/live")
    assert ready.status_code == 503 and ready.json()["checks"]["redis"] != "ok"
    assert live.json() == {"status": "alive"}


async def test_not_ready_while_redis_is_full_and_ready_again_once_it_has_room(redis_url: str,
                                                                              client_for: Any) -> None:
    """A full Redis still answers PING, but refuses every write: readiness names that instead of saying ready."""
    client = await client_for(worker(redis_url, "ops-full"))
    async with client:
        restore = refuse_writes(redis_url)
        try:
            full = await client.get("/health/ready")
        finally:
            restore()
        again = await client.get("/health/ready")
    assert full.status_code == 503
    assert full.json()["checks"]["redis"] == "ok"
    assert full.json()["checks"]["redis_writes"].startswith("RuntimeError: Redis is full: ")
    assert "under noeviction, so it refuses writes" in full.json()["checks"]["redis_writes"]
    assert (again.status_code, again.json()["checks"]["redis_writes"]) == (200, "ok")
