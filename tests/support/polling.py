"""Wait for an asynchronous outcome by polling it against a deadline, never by sleeping a fixed time."""

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T] | T], *, timeout: float = 10.0, interval: float = 0.05,
                     what: str = "condition") -> T:
    """Return check()'s first truthy result (awaited if need be); fail once the deadline passes."""
    deadline = time.monotonic() + timeout
    result: T | None = None
    while time.monotonic() < deadline:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        await asyncio.sleep(interval)  # poll interval
    raise AssertionError(f"{what} not reached within {timeout}s; last result: {result!r}")


def eventually_sync(check: Callable[[], T], *, timeout: float = 10.0, interval: float = 0.05,
                    what: str = "condition") -> T:
    deadline = time.monotonic() + timeout
    result: T | None = None
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)  # poll interval
    raise AssertionError(f"{what} not reached within {timeout}s; last result: {result!r}")
