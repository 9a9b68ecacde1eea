"""HostGates and Retry-After: per-host pace, pauses that grow with failures, refusal of a paused host."""

import asyncio
from datetime import UTC, datetime

import pytest
from fetcher.politeness import HostBackedOff, HostGates, retry_after_seconds


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def gates(clock: Clock, **overrides: float) -> HostGates:
    values = {"min_delay_s": 0.0, "host_concurrency": 2, "max_concurrent": 10, "backoff_base_s": 2.0,
              "backoff_max_s": 100.0}
    values.update(overrides)
    return HostGates(clock=clock, rand=lambda: 0.5, **values)  # rand 0.5: jitter factor exactly 1


def test_backoff_doubles_per_consecutive_failure_up_to_the_maximum() -> None:
    """2, 4, 8 ... seconds, capped; a success resets the count."""
    clock = Clock()
    g = gates(clock)
    pauses = [g.failed("a.example", reason="failure") for _ in range(8)]
    assert pauses == [2, 4, 8, 16, 32, 64, 100, 100]
    g.succeeded("a.example")
    assert g.failed("a.example", reason="failure") == 2


def test_retry_after_sets_the_pause_and_is_capped() -> None:
    clock = Clock()
    g = gates(clock)
    assert g.failed("a.example", retry_after_s=30, reason="retry_after") == 30
    assert g.pause_left("a.example") == 30
    assert g.failed("b.example", retry_after_s=10_000, reason="retry_after") == 100


async def test_a_host_paused_longer_than_the_caller_waits_is_refused_at_once() -> None:
    """No request and no waiting: the caller learns the host is backed off."""
    clock = Clock()
    g = gates(clock)
    g.failed("a.example", retry_after_s=60, reason="retry_after")
    with pytest.raises(HostBackedOff):
        async with g.slot("a.example", max_wait_s=5):
            pass
    async with g.slot("b.example", max_wait_s=5):  # other hosts are unaffected
        pass


async def test_jitter_spreads_pauses() -> None:
    """With random jitter the same failure count gives different pauses (between 0.5x and 1.5x)."""
    draws = iter([0.0, 0.999])
    g = HostGates(min_delay_s=0, host_concurrency=1, max_concurrent=1, backoff_base_s=10, backoff_max_s=100,
                  clock=Clock(), rand=lambda: next(draws))
    assert g.failed("a", reason="failure") == 5.0
    assert 14.9 < g.failed("b", reason="failure") < 15.0


async def test_host_concurrency_is_enforced() -> None:
    """With host_concurrency 1 a second request to the host waits for the first to finish."""
    g = HostGates(min_delay_s=0, host_concurrency=1, max_concurrent=10, backoff_base_s=1, backoff_max_s=10)
    inside = 0
    peak = 0

    async def request() -> None:
        nonlocal inside, peak
        async with g.slot("a.example", max_wait_s=5):
            inside += 1
            peak = max(peak, inside)
            await asyncio.sleep(0)  # yield so the others may try to enter
            inside -= 1

    await asyncio.gather(*(request() for _ in range(5)))
    assert peak == 1


def test_idle_hosts_are_forgotten() -> None:
    clock = Clock()
    g = gates(clock)
    g.succeeded("a.example")
    clock.now += 7200
    g.forget_idle(3600)
    assert g._hosts == {}


@pytest.mark.parametrize(("value", "seconds"), [
    ("120", 120.0), ("  7 ", 7.0), ("Wed, 01 Jan 2025 00:01:00 GMT", 60.0), ("soon", None), (None, None), ("", None),
])
def test_retry_after_is_read_as_seconds_or_a_date(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, now=datetime(2025, 1, 1, tzinfo=UTC)) == seconds


class RecordingPace:
    """Stands in for the Redis-shared pace (pace.py): records reservations, answers a fixed wait."""

    def __init__(self, wait_s: float) -> None:
        self.wait_s = wait_s
        self.calls: list[tuple[str, float]] = []

    async def reserve(self, host: str, gap_s: float) -> float:
        self.calls.append((host, gap_s))
        return self.wait_s


async def test_shared_pace_is_asked_only_for_hosts_with_a_delay() -> None:
    """No delay means nothing to share, so no Redis round trip; a Crawl-delay above the minimum is what is shared."""
    pace = RecordingPace(0.0)
    g = HostGates(min_delay_s=0, host_concurrency=1, max_concurrent=1, backoff_base_s=1, backoff_max_s=10,
                  shared=pace)
    async with g.slot("fast.example", max_wait_s=5):
        pass
    assert pace.calls == []
    async with g.slot("slow.example", delay_s=2.5, max_wait_s=5):
        pass
    assert pace.calls == [("slow.example", 2.5)]


async def test_the_shared_wait_is_waited_out_before_the_request() -> None:
    """Another replica's reservation delays this request by the wait the shared pace answers."""
    loop = asyncio.get_running_loop()
    g = HostGates(min_delay_s=0.01, host_concurrency=1, max_concurrent=1, backoff_base_s=1, backoff_max_s=10,
                  shared=RecordingPace(0.2))
    started = loop.time()
    async with g.slot("shared.example", max_wait_s=5):
        entered = loop.time()
    assert entered - started >= 0.2
