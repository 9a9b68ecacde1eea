"""Per-host manners: a minimum gap between requests, a few in flight at most, and backing off a failing host.

A host that fails (5xx, 429, 403, timeouts, refused connections) is left alone for an exponentially
growing, jittered time; `Retry-After` sets that time directly. A request for a host whose pause is
longer than the caller will wait is refused at once (`HostBackedOff`), so a dead host costs nothing
and every other host keeps its pace. A global semaphore bounds all requests in flight. With a SharedPace
(pace.py), the minimum delay also holds across replicas; backoff and concurrency stay per process.
"""

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from fetcher.metrics import HOST_BACKOFFS
from fetcher.pace import SharedPace


class HostBackedOff(Exception):
    def __init__(self, host: str, wait_s: float) -> None:
        super().__init__(f"{host} is backed off for {wait_s:.1f}s more")
        self.host = host
        self.wait_s = wait_s


@dataclass
class _Host:
    slots: asyncio.Semaphore
    next_start: float = 0.0  # monotonic time the next request may start (min delay)
    paused_until: float = 0.0  # monotonic time the host's backoff or Retry-After ends
    failures: int = 0  # consecutive
    last_used: float = field(default_factory=time.monotonic)


class HostGates:
    """Admission to hosts; one per process, shared by every feed and page fetch."""

    def __init__(self, *, min_delay_s: float, host_concurrency: int, max_concurrent: int, backoff_base_s: float,
                 backoff_max_s: float, clock: Callable[[], float] = time.monotonic,
                 rand: Callable[[], float] = random.random, shared: SharedPace | None = None) -> None:
        self._min_delay_s = min_delay_s
        self._host_concurrency = host_concurrency
        self._global = asyncio.Semaphore(max_concurrent)
        self._backoff_base_s = backoff_base_s
        self._backoff_max_s = backoff_max_s
        self._clock = clock
        self._rand = rand
        self._hosts: dict[str, _Host] = {}
        self._shared = shared

    def _host(self, host: str) -> _Host:
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _Host(asyncio.Semaphore(self._host_concurrency))
        state.last_used = self._clock()
        return state

    def pause_left(self, host: str) -> float:
        state = self._hosts.get(host)
        return max(0.0, state.paused_until - self._clock()) if state else 0.0

    @contextlib.asynccontextmanager
    async def slot(self, host: str, *, delay_s: float = 0.0, max_wait_s: float) -> AsyncIterator[None]:
        """Wait for the host's turn (its min delay or `delay_s`, e.g. Crawl-delay, whichever is longer).

        Raises HostBackedOff at once if the host is paused for longer than `max_wait_s`.
        """
        state = self._host(host)
        self._refuse_if_paused(host, state, max_wait_s)
        async with state.slots:
            self._refuse_if_paused(host, state, max_wait_s)
            now = self._clock()
            start = max(now, state.next_start, state.paused_until)
            gap = max(self._min_delay_s, delay_s)
            # Reserve the start time before sleeping, so concurrent waiters queue behind each other.
            state.next_start = start + gap
            if start > now:
                await asyncio.sleep(start - now)
            if self._shared is not None and gap > 0:  # no delay, nothing to share: no round trip
                wait = await self._shared.reserve(host, gap)
                if wait > 0:
                    await asyncio.sleep(wait)
            async with self._global:
                yield

    def _refuse_if_paused(self, host: str, state: _Host, max_wait_s: float) -> None:
        wait = state.paused_until - self._clock()
        if wait > max_wait_s:
            raise HostBackedOff(host, wait)

    def succeeded(self, host: str) -> None:
        state = self._host(host)
        state.failures = 0

    def failed(self, host: str, *, retry_after_s: float | None = None, reason: str) -> float:
        """Record a failure; returns the pause now imposed on the host."""
        state = self._host(host)
        state.failures += 1
        if retry_after_s is not None:
            pause = min(max(retry_after_s, 0.0), self._backoff_max_s)
        else:
            exponential = min(self._backoff_base_s * 2 ** (state.failures - 1), self._backoff_max_s)
            pause = exponential * (0.5 + self._rand())  # jitter: hosts failing together don't retry together
        state.paused_until = max(state.paused_until, self._clock() + pause)
        HOST_BACKOFFS.labels(reason=reason).inc()
        return pause

    def forget_idle(self, idle_s: float) -> None:
        """Drop state of hosts unused for `idle_s` with no pause pending, so memory stays flat."""
        now = self._clock()
        for host in [h for h, s in self._hosts.items()
                     if now - s.last_used > idle_s and s.paused_until < now and not s.slots.locked()]:
            del self._hosts[host]


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds: either delta-seconds or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
