"""The fetcher's main loop: each feed polled when it falls due, a bounded number at a time, sources reloaded live.

Due times start from the feed state in Redis (so a restart does not re-poll everything at once) and
come back from each poll (adaptive interval with jitter). Feeds removed from the sources file stop
being scheduled; new ones are polled at once.
"""

import asyncio
import contextlib
import time
from collections.abc import Callable

import structlog

from fetcher.metrics import FEEDS_SCHEDULED
from fetcher.polling import FeedTask, PollDeps, PollSummary, feed_tasks, poll_feed
from fetcher.sources_watch import SourcesWatch

log = structlog.get_logger(__name__)

FeedKey = tuple[str, str, str]  # (source id, url, kind)


def _key(task: FeedTask) -> FeedKey:
    return task.source.id, task.url, task.kind


class Scheduler:
    def __init__(self, watch: SourcesWatch, deps: PollDeps, *, check_sources_s: float,
                 housekeeping: Callable[[], None] | None = None) -> None:
        self._watch = watch
        self._deps = deps
        self._check_sources_s = check_sources_s
        self._housekeeping = housekeeping
        self._tasks: dict[FeedKey, FeedTask] = {}
        self._due: dict[FeedKey, float] = {}
        self._running: dict[FeedKey, asyncio.Task[PollSummary]] = {}
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Re-plan now (e.g. SIGHUP asked for a sources reload)."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        await self._plan(self._watch.sources)
        slots = asyncio.Semaphore(self._deps.policy.max_concurrent_feeds)
        while not stop.is_set():
            new_sources = self._watch.check()
            if new_sources is not None:
                await self._plan(new_sources)
            if self._housekeeping:
                self._housekeeping()
            now = time.time()
            for key, due in list(self._due.items()):
                if due <= now and key not in self._running:
                    self._running[key] = asyncio.create_task(self._poll(key, slots, stop), name=f"poll {key[1]}")
            await self._sleep(stop)
        if self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)
        log.info("polling stopped")

    async def _poll(self, key: FeedKey, slots: asyncio.Semaphore, stop: asyncio.Event) -> PollSummary:
        try:
            async with slots:
                task = self._tasks.get(key)
                if task is None or stop.is_set():
                    return PollSummary()
                summary = await poll_feed(task, self._deps, stop=stop)
                if key in self._due:
                    self._due[key] = summary.next_due or time.time() + self._deps.policy.initial_interval_s
                return summary
        finally:
            self._running.pop(key, None)
            self._wake.set()

    async def _plan(self, sources: list) -> None:
        tasks = {_key(t): t for t in feed_tasks(sources)}
        for key in set(self._due) - set(tasks):
            del self._due[key]
        for key in set(tasks) - set(self._due):
            try:
                self._due[key] = (await self._deps.states.load(key[1])).next_due
            except Exception as exc:  # noqa: BLE001 - Redis down: poll now; the poll reports the failure
                log.warning("feed state unreadable; polling now", url=key[1], error=repr(exc))
                self._due[key] = 0.0
        self._tasks = tasks
        FEEDS_SCHEDULED.set(len(tasks))
        log.info("feeds scheduled", feeds=len(tasks), sources=len(sources))

    async def _sleep(self, stop: asyncio.Event) -> None:
        waiting = [due for key, due in self._due.items() if key not in self._running]
        timeout = min([self._check_sources_s, *(max(0.0, due - time.time()) for due in waiting)])
        self._wake.clear()
        stop_wait = asyncio.ensure_future(stop.wait())
        wake_wait = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({stop_wait, wake_wait}, timeout=max(timeout, 0.01), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in (stop_wait, wake_wait):
                waiter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await waiter
