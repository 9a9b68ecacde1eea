"""Readiness checks: each reports ok or why not, in time, whatever it is (sync, async, raising, hanging)."""

import asyncio
import time

from newsflow_shared.health import readiness, run_check


async def test_sync_and_async_checks_that_pass_report_ok() -> None:
    async def answers() -> bool:
        return True

    assert await readiness({"a": answers, "b": lambda: None}, timeout_s=1) == {"a": "ok", "b": "ok"}


async def test_false_an_exception_or_no_answer_in_time_are_reported_not_raised() -> None:
    def down() -> None:
        raise ConnectionError("refused")

    async def hangs() -> None:
        await asyncio.sleep(10)

    started = time.monotonic()
    outcome = await readiness({"false": lambda: False, "down": down, "hangs": hangs}, timeout_s=0.2)
    assert outcome == {"false": "failed", "down": "ConnectionError: refused", "hangs": "no answer within 0.2s"}
    assert time.monotonic() - started < 2


async def test_a_blocking_sync_check_runs_off_the_event_loop() -> None:
    """A slow database ping must not stall the worker's loop (its handlers and other probes)."""
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    assert await run_check(lambda: time.sleep(0.2), timeout_s=1) == "ok"
    ticker.cancel()
    assert ticks >= 5
