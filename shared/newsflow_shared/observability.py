"""What each stream message did, measured where every service sees it: a FastStream broker middleware.

It sits inside the delivery policy (newsflow_shared.delivery), next to the handler, so its timings
are the handler's own and it sees each handler error before the policy decides retry or dead letter.
It also binds the message's correlation id and stream to the log context as soon as the message
arrives, so FastStream's own "Received" line carries them too, not only the handler's lines.
"""

import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from faststream import BaseMiddleware
from faststream.exceptions import HandlerException

from newsflow_shared.envelope import unframed
from newsflow_shared.metrics import HANDLER_ERRORS, HANDLING_SECONDS, MESSAGES_PUBLISHED, MESSAGES_RECEIVED


def stream_of(raw: Any) -> str | None:
    """The stream a raw FastStream Redis message came from; None for pub/sub, lists and batches."""
    if isinstance(raw, dict) and raw.get("type") == "stream":
        channel = raw.get("channel")
        return channel.decode() if isinstance(channel, bytes) else channel
    return None


def correlation_id_of(raw: dict[str, Any]) -> str | None:
    """The correlation id in a raw entry's FastStream envelope (binary, or the legacy JSON one)."""
    data = raw.get("data")
    framed = unframed(data) if isinstance(data, dict) else None
    return None if framed is None else framed[1].get("correlation_id")


class Observability(BaseMiddleware):
    _log_tokens: dict[str, Any] | None = None

    async def on_receive(self) -> None:
        stream = stream_of(self.msg)
        if stream is None:
            return
        MESSAGES_RECEIVED.labels(stream=stream).inc()
        self._log_tokens = structlog.contextvars.bind_contextvars(
            stream=stream, correlation_id=correlation_id_of(self.msg)
        )

    async def after_processed(self, exc_type: Any = None, exc_val: Any = None, exc_tb: Any = None) -> bool:
        # Messages are handled one after another in the subscriber's task: unbind before the next.
        if self._log_tokens is not None:
            structlog.contextvars.reset_contextvars(**self._log_tokens)
            self._log_tokens = None
        return False

    async def consume_scope(self, call_next: Callable[[Any], Awaitable[Any]], msg: Any) -> Any:
        stream = stream_of(msg.raw_message)
        if stream is None:
            return await call_next(msg)
        started = time.perf_counter()
        try:
            result = await call_next(msg)
        except HandlerException:
            raise  # FastStream's own ack/nack control flow, not a failure
        except Exception as exc:
            HANDLER_ERRORS.labels(stream=stream, error=type(exc).__name__).inc()
            HANDLING_SECONDS.labels(stream=stream, outcome="error").observe(time.perf_counter() - started)
            raise
        HANDLING_SECONDS.labels(stream=stream, outcome="ok").observe(time.perf_counter() - started)
        return result

    async def publish_scope(self, call_next: Callable[[Any], Awaitable[Any]], cmd: Any) -> Any:
        result = await call_next(cmd)
        MESSAGES_PUBLISHED.labels(stream=cmd.destination).inc()
        return result
