"""The composition every worker service shares: broker, consumer groups, health and metrics, run loop."""

import asyncio
import logging
import signal
from collections.abc import Iterable, Mapping

import structlog
from faststream.asgi import AsgiFastStream
from faststream.redis import RedisBroker
from prometheus_client import make_asgi_app
from redis.asyncio import Redis

from newsflow_shared.backpressure import backpressure_middleware
from newsflow_shared.contracts.base import Contract
from newsflow_shared.delivery import delivery_middleware, ensure_group
from newsflow_shared.health import ReadinessCheck, health_routes
from newsflow_shared.observability import Observability
from newsflow_shared.redis_writes import writes_check
from newsflow_shared.settings import ServiceSettings
from newsflow_shared.stream_metrics import StreamStateSampler

log = structlog.get_logger(__name__)


def build_broker(settings: ServiceSettings, *, consumes: Iterable[type[Contract]] = ()) -> RedisBroker:
    """A broker whose stream subscribers follow the delivery policy for the contracts they consume."""
    supported = {c.STREAM: {c.SCHEMA_VERSION} for c in consumes}
    return RedisBroker(
        str(settings.redis_url),
        # First is outermost: the delivery policy wraps Observability, which times the handler alone.
        middlewares=[
            delivery_middleware(max_attempts=settings.max_attempts, supported_versions=supported,
                                max_message_bytes=settings.max_message_bytes),
            Observability,
            backpressure_middleware(redis_url=str(settings.redis_url), max_lag=settings.max_stream_lag,
                                    keep=settings.stream_keep),
        ],
        graceful_timeout=settings.graceful_timeout_s,
        logger=logging.getLogger("newsflow.broker"),
    )


def build_worker_app(
    broker: RedisBroker,
    settings: ServiceSettings,
    *,
    groups: Iterable[tuple[str, str]] = (),
    readiness: Mapping[str, ReadinessCheck] | None = None,
) -> AsgiFastStream:
    """Wrap the broker in an app that creates its consumer groups first and serves health and /metrics.

    `readiness` adds named checks to the Redis ones (it answers a ping; it takes writes: not full, not a
    replica) behind /health and /health/ready (e.g. the store's database): each raises, or returns False,
    when its dependency is unusable.
    """

    async def redis_answers() -> bool:
        return await broker.ping(settings.readiness_timeout_s)

    checks: dict[str, ReadinessCheck] = {"redis": redis_answers, "redis_writes": writes_check(str(settings.redis_url)),
                                         **(readiness or {})}
    sampler = StreamStateSampler(str(settings.redis_url), interval_s=settings.stream_metrics_interval_s)

    async def create_groups() -> None:
        async with Redis.from_url(str(settings.redis_url)) as redis:
            for stream, group in groups:
                await ensure_group(redis, stream, group)
                log.info("consumer group ready", stream=stream, group=group)

    return AsgiFastStream(
        broker,
        asgi_routes=[
            *health_routes(checks, timeout_s=settings.readiness_timeout_s),
            ("/metrics", make_asgi_app()),
        ],
        on_startup=[create_groups],
        after_startup=[sampler.start],
        on_shutdown=[sampler.stop],
        logger=logging.getLogger("newsflow.broker"),
    )


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def exit_zero_after_sigterm() -> None:
    """uvicorn re-raises the SIGTERM it caught once its shutdown is done, which would end a clean stop
    with status -15; from then on this handler makes it status 0, which is what compose expects."""
    signal.signal(signal.SIGTERM, _exit_cleanly)


def run_worker(app: AsgiFastStream, settings: ServiceSettings) -> None:
    """Serve until SIGTERM/SIGINT; uvicorn's shutdown stops the broker, letting handlers finish."""
    exit_zero_after_sigterm()
    asyncio.run(
        app.run(
            log_level=logging.getLevelName(settings.log_level.upper()),
            run_extra_options={
                "host": settings.http_host,
                "port": settings.http_port,
                "log_config": None,  # keep our structured handlers
                "timeout_graceful_shutdown": settings.graceful_timeout_s,
            },
        )
    )
