"""The fetcher's composition root: sources, broker and publisher, the poll dependencies and the scheduler's lifecycle."""

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from faststream.asgi import AsgiFastStream
from faststream.redis import RedisBroker
from faststream.redis.publisher.usecase import StreamPublisher
from newsflow_shared.contracts import raw_articles
from newsflow_shared.contracts.raw_articles import ArticleFetched
from newsflow_shared.runtime import build_broker, build_worker_app
from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from fetcher.feedstate import FeedStates
from fetcher.gone import GonePages
from fetcher.http import Fetcher, build_client
from fetcher.items import ItemDeps, PublishArticle
from fetcher.lease import FeedLeases
from fetcher.pace import SharedPace
from fetcher.politeness import HostGates
from fetcher.polling import PollDeps, PollPolicy
from fetcher.robots import RobotsCache
from fetcher.scheduler import Scheduler
from fetcher.seen import SeenSet
from fetcher.settings import FetcherSettings
from fetcher.sources import load_sources
from fetcher.sources_watch import SourcesWatch

log = structlog.get_logger(__name__)

POLLING_TASK_NAME = "fetcher-polling"
HOST_IDLE_FORGET_S = 3600.0


def raw_articles_publisher(broker: RedisBroker) -> StreamPublisher:
    return broker.publisher(
        stream=raw_articles.STREAM,
        title=f"{raw_articles.STREAM}:publish",
        description="One ArticleFetched per new article (revision 1) or changed article (revision n) found in an "
        "outlet's feed or sitemap: the page's HTML (gzipped in html_gzip_b64 when large), the feed's metadata "
        "and the HTTP metadata of the fetch.",
        schema=ArticleFetched,
    )


def article_publisher(publisher: StreamPublisher) -> PublishArticle:
    """Publishes an ArticleFetched with its contract headers into a Redis pipeline (see SeenSet.publish_and_mark).

    The same call as newsflow_shared.delivery.publish, plus `pipeline=`, which that helper does not take yet.
    """

    stream: list[str] = []  # the publisher's stream name (with any broker prefix), looked up once

    async def publish_article(article: ArticleFetched, correlation_id: str, pipeline: Pipeline) -> None:
        if not stream:
            # FastStream deep-copies its stream settings on every `publisher.stream` lookup (twice per publish
            # unless told the name); the name is the same every time, so it is passed in.
            stream.append(publisher.stream.name)
        await publisher.publish(article, stream=stream[0], headers=article.headers(), correlation_id=correlation_id,
                                pipeline=pipeline)

    return publish_article


@dataclass
class Wired:
    deps: PollDeps
    close: Callable[[], Awaitable[None]]

    def housekeeping(self) -> None:
        """Forget idle hosts and expired robots.txt so memory stays flat over weeks."""
        fetcher = self.deps.items.fetcher
        fetcher.gates.forget_idle(HOST_IDLE_FORGET_S)
        if fetcher.robots is not None:
            fetcher.robots.forget_expired()


def build_poll_deps(settings: FetcherSettings, publish_article: PublishArticle) -> Wired:
    """Everything a poll uses, wired from settings: the app, the tests and the benchmark share this."""
    s = settings
    client = build_client(user_agent=s.user_agent, timeout_s=s.request_timeout_s,
                          connect_timeout_s=s.connect_timeout_s, read_timeout_s=s.read_timeout_s,
                          allowed_networks=s.allowed_private_networks, http2=s.http2,
                          max_connections=s.max_concurrent_requests, extra_ca_file=s.extra_ca_file)
    redis = Redis.from_url(str(s.redis_url))
    gates = HostGates(min_delay_s=s.host_min_delay_s, host_concurrency=s.host_concurrency,
                      max_concurrent=s.max_concurrent_requests, backoff_base_s=s.backoff_base_s,
                      backoff_max_s=s.backoff_max_s, shared=SharedPace(redis) if s.shared_host_pace else None)
    fetcher = Fetcher(client, gates=gates, robots=None, max_bytes=s.max_body_bytes, deadline_s=s.request_timeout_s,
                      max_redirects=s.max_redirects, max_crawl_delay_s=s.max_crawl_delay_s)
    if s.obey_robots:
        fetcher.robots = RobotsCache(fetcher.robots_txt, user_agent=s.user_agent, ttl_s=s.robots_ttl_s)
    items = ItemDeps(
        fetcher=fetcher,
        seen=SeenSet(redis, owner=s.consumer_name, ttl_s=s.seen_ttl_days * 86_400, claim_ttl_s=s.claim_ttl_s),
        publish=publish_article,
        compress_html_above=s.compress_html_above_bytes,
        revisit_changed_items=s.revisit_changed_items,
        item_concurrency=s.item_concurrency,
        gone=GonePages(redis, base_s=s.gone_backoff_s, max_s=s.gone_backoff_max_s),
    )
    deps = PollDeps(items=items, states=FeedStates(redis, ttl_s=s.seen_ttl_days * 86_400),
                    leases=FeedLeases(redis, owner=s.consumer_name, ttl_s=s.lease_ttl_s),
                    policy=PollPolicy.from_settings(s))

    async def close() -> None:
        await client.aclose()
        await redis.aclose()

    return Wired(deps, close)


class Polling:
    """Runs the scheduler as a background task between broker start and broker stop."""

    def __init__(self, settings: FetcherSettings, watch: SourcesWatch, publisher: StreamPublisher) -> None:
        self._settings = settings
        self._watch = watch
        self._publisher = publisher
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._wired: Wired | None = None

    async def start(self) -> None:
        s = self._settings
        self._wired = build_poll_deps(s, article_publisher(self._publisher))
        scheduler = Scheduler(self._watch, self._wired.deps, check_sources_s=s.sources_check_s,
                              housekeeping=self._wired.housekeeping)
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(scheduler.run(self._stop), name=POLLING_TASK_NAME)
        self._install_sighup(scheduler)
        log.info("polling started", sources=len(self._watch.sources),
                 feeds=sum(len(x.feeds) for x in self._watch.sources), interval_s=s.poll_interval_s)

    def _install_sighup(self, scheduler: Scheduler) -> None:
        def reload() -> None:
            log.info("SIGHUP: reloading the sources file", path=str(self._watch.path))
            self._watch.request_reload()
            scheduler.wake()

        # Only the main thread's loop may own signals; elsewhere (embedded runs) mtime checks still reload.
        with contextlib.suppress(ValueError, RuntimeError, NotImplementedError, AttributeError):
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, reload)

    async def stop(self) -> None:
        """Let the article in flight be published (the broker is still up), then end the loop."""
        self._stop.set()
        with contextlib.suppress(ValueError, RuntimeError, NotImplementedError, AttributeError):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=self._settings.graceful_timeout_s)
            except TimeoutError:
                log.warning("polling did not stop in time; cancelled", timeout_s=self._settings.graceful_timeout_s)
            self._task = None
        if self._wired is not None:
            await self._wired.close()
            self._wired = None


def build_app(settings: FetcherSettings) -> AsgiFastStream:
    """Raises SourcesFileError before anything connects if the sources file is unusable."""
    watch = SourcesWatch(settings.sources_file, load_sources(settings.sources_file))
    broker = build_broker(settings)
    polling = Polling(settings, watch, raw_articles_publisher(broker))
    app = build_worker_app(broker, settings)  # no consumer groups: the fetcher only publishes
    app.after_startup(polling.start)
    app.on_shutdown(polling.stop)
    return app
