"""Liveness and readiness over HTTP, so an orchestrator restarts a stuck worker and routes around a cut-off one.

- /health/live: the process serves HTTP (nothing else is checked: restarting will not fix Redis).
- /health/ready: Redis answers a ping, and so does every extra check the service adds (the store's
  database); JSON with each check's result, 200 or 503.
- /health: the same readiness, as 204 or 503 without a body (what compose's healthchecks probe).
"""

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from faststream.asgi import AsgiResponse, get
from faststream.asgi.handlers import GetHandler
from faststream.asgi.response import JSONResponse

log = structlog.get_logger(__name__)

# Raises (or returns False) when the dependency is unusable; sync checks run in a thread.
ReadinessCheck = Callable[[], Awaitable[Any] | Any]

OK = "ok"


async def run_check(check: ReadinessCheck, *, timeout_s: float) -> str:
    """`ok`, or why not, within `timeout_s`."""
    try:
        if inspect.iscoroutinefunction(check):
            outcome = await asyncio.wait_for(check(), timeout_s)
        else:
            outcome = await asyncio.wait_for(asyncio.to_thread(check), timeout_s)
            if inspect.isawaitable(outcome):
                outcome = await asyncio.wait_for(outcome, timeout_s)
    except TimeoutError:
        return f"no answer within {timeout_s:g}s"
    except Exception as exc:  # noqa: BLE001 (any failure means "not ready": reported, not raised)
        return f"{type(exc).__name__}: {exc}"[:300]
    return "failed" if outcome is False else OK


async def readiness(checks: Mapping[str, ReadinessCheck], *, timeout_s: float) -> dict[str, str]:
    names = list(checks)
    results = await asyncio.gather(*(run_check(checks[n], timeout_s=timeout_s) for n in names))
    outcome = dict(zip(names, results, strict=True))
    failing = {n: r for n, r in outcome.items() if r != OK}
    if failing:
        log.warning("not ready", checks=failing)
    return outcome


def health_routes(checks: Mapping[str, ReadinessCheck], *, timeout_s: float) -> list[tuple[str, GetHandler]]:
    """The three endpoints, for AsgiFastStream(asgi_routes=...)."""

    @get(description="Liveness: the process is up and serving HTTP.")
    async def live(scope: Any) -> AsgiResponse:
        return JSONResponse({"status": "alive"})

    @get(description="Readiness: Redis and every other dependency answer; 200 or 503 with each check.")
    async def ready(scope: Any) -> AsgiResponse:
        outcome = await readiness(checks, timeout_s=timeout_s)
        is_ready = all(r == OK for r in outcome.values())
        return JSONResponse({"status": "ready" if is_ready else "unavailable", "checks": outcome},
                            200 if is_ready else 503)

    @get(description="Readiness without a body: 204 or 503 (probed by compose's healthchecks).")
    async def health(scope: Any) -> AsgiResponse:
        outcome = await readiness(checks, timeout_s=timeout_s)
        return AsgiResponse(b"", 204 if all(r == OK for r in outcome.values()) else 503)

    return [("/health", health), ("/health/live", live), ("/health/ready", ready)]
