"""The fetcher's composition root: sources, broker and publisher, and the polling loop's lifecycle."""

import asyncio
from collections.abc import Sequence

import structlog
from faststream.asgi import AsgiFastStream
from faststream.redis import RedisBroker
from faststream.redis.publisher.usecase import StreamPublisher
from newsflow_shared.contracts import raw_articles
from newsflow_shared.contracts.raw_articles import ArticleFetched
from newsflow_shared.delivery import publish
from newsflow_shared.runtime import build_broker, build_worker_app
from redis.asyncio import Redis

from fetcher.http import build_client
from fetcher.polling import PollDeps, poll_forever
from fetcher.seen import SeenSet
from fetcher.settings import FetcherSettings
from fetcher.sources import Source, load_sources

log = structlog.get_logger(__name__)

POLLING_TASK_NAME = "fetcher-polling"


def raw_articles_publisher(broker: RedisBroker) -> StreamPublisher:
    return broker.publisher(
        stream=raw_articles.STREAM,
        title=f"{raw_articles.STREAM}:publish",
        description="One ArticleFetched per new article found in an outlet's feed: the page's HTML, "
        "the feed's metadata about it and the HTTP metadata of the fetch.",
        schema=ArticleFetched,
    )


class Polling:
    """Runs the polling loop as a background task between broker start and broker stop."""

    def __init__(self, settings: FetcherSettings, sources: Sequence[Source], publisher: StreamPublisher) -> None:
        self._settings = settings
        self._sources = sources
        self._publisher = publisher
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closers: list = []

    async def start(self) -> None:
        s = self._settings
        client = build_client(user_agent=s.user_agent, timeout_s=s.request_timeout_s,
                              allowed_networks=s.allowed_private_networks)
        redis = Redis.from_url(str(s.redis_url))
        self._closers = [client.aclose, redis.aclose]
        deps = PollDeps(
            client=client,
            seen=SeenSet(redis, owner=s.consumer_name, ttl_s=s.seen_ttl_days * 86_400, claim_ttl_s=s.claim_ttl_s),
            publish=self._publish,
            max_body_bytes=s.max_body_bytes,
            request_timeout_s=s.request_timeout_s,
            max_concurrent_feeds=s.max_concurrent_feeds,
        )
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(
            poll_forever(self._sources, deps, interval_s=s.poll_interval_s, stop=self._stop), name=POLLING_TASK_NAME
        )
        log.info("polling started", sources=len(self._sources), feeds=sum(len(x.feeds) for x in self._sources),
                 interval_s=s.poll_interval_s)

    async def stop(self) -> None:
        """Let the article in flight be published (the broker is still up), then end the loop."""
        self._stop.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=self._settings.graceful_timeout_s)
            except TimeoutError:
                log.warning("polling did not stop in time; cancelled", timeout_s=self._settings.graceful_timeout_s)
            self._task = None
        for close in self._closers:
            await close()
        self._closers = []

    async def _publish(self, article: ArticleFetched, correlation_id: str) -> None:
        await publish(self._publisher, article, correlation_id=correlation_id)


def build_app(settings: FetcherSettings) -> AsgiFastStream:
    """Raises SourcesFileError before anything connects if the sources file is unusable."""
    sources = load_sources(settings.sources_file)
    broker = build_broker(settings)
    polling = Polling(settings, sources, raw_articles_publisher(broker))
    app = build_worker_app(broker, settings)  # no consumer groups: the fetcher only publishes
    app.after_startup(polling.start)
    app.on_shutdown(polling.stop)
    return app
