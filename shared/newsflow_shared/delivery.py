"""At-least-once delivery on Redis Streams with FastStream, made explicit.

FastStream's Redis defaults lose or strand messages (see ../README.md "Delivery"): the consumer
group is created at `$` (backlog never read), `nack` does nothing, and a pending message is never
read again (ag2ai/faststream#2197). So each consuming stage here:

- creates its group at id 0 itself before subscribing (`ensure_group`);
- acks only when the handler returned, i.e. after its output was published or committed;
- leaves a failed message pending, and pairs its reader with a reclaimer subscriber that takes
  over entries idle for `claim_idle_ms` (XAUTOCLAIM), from a crashed peer or a failed attempt;
- dead-letters a message that cannot be decoded or validated at once, and one that failed
  `max_attempts` deliveries, to `newsflow:dead:<stage>` with the reason and the original fields.
"""

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import structlog
from faststream import BaseMiddleware
from faststream.exceptions import HandlerException
from faststream.redis import RedisBroker, StreamSub
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from newsflow_shared import streams
from newsflow_shared.contracts.base import SCHEMA_VERSION_HEADER, Contract
from newsflow_shared.contracts.dead_letters import DeadLettered
from newsflow_shared.metrics import MESSAGES

log = structlog.get_logger(__name__)


class InvalidMessage(Exception):
    """Raised by a handler for input that no retry can fix; the message is dead-lettered at once."""


async def ensure_group(redis: Redis, stream: str, group: str) -> None:
    """Create `group` on `stream` at id 0, so messages published before any consumer ran are read."""
    try:
        await redis.xgroup_create(stream, group, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def _is_invalid(exc: BaseException) -> bool:
    return isinstance(exc, ValidationError | InvalidMessage | UnicodeDecodeError | json.JSONDecodeError)


async def dead_letter(msg: Any, *, attempts: int, reason: str, error: str) -> DeadLettered:
    """Publish `msg` to its stage's dead-letter stream and acknowledge it, in that order."""
    raw = msg.raw_message
    letter = DeadLettered(
        stage=msg.group,
        stream=raw["channel"],
        group=msg.group,
        entry_id=raw["message_ids"][0].decode(),
        original_message_id=(msg.headers or {}).get("message_id"),
        correlation_id=msg.correlation_id,
        attempts=attempts,
        reason=reason,
        error=error[:2000],
        failed_at=datetime.now(UTC),
        fields={k.decode(): base64.b64encode(v).decode() for k, v in raw["data"].items()},
    )
    redis: Redis = msg.consumer
    await redis.xadd(
        streams.dead_letter_stream(msg.group),
        {"json": letter.model_dump_json()},
    )
    await msg.ack()
    MESSAGES.labels(stream=raw["channel"], outcome="dead_lettered").inc()
    log.error(
        "message dead-lettered",
        stream=raw["channel"], entry_id=letter.entry_id, reason=reason, attempts=attempts,
        error=letter.error, correlation_id=msg.correlation_id,
    )
    return letter


def delivery_middleware(*, max_attempts: int, supported_versions: dict[str, set[int]]) -> type:
    """Build the broker middleware that applies the retry / dead-letter policy to every stream message.

    `supported_versions` maps a stream to the schema versions its consumer understands; a message
    with any other version is dead-lettered as invalid rather than half-understood.
    """

    class DeliveryPolicy(BaseMiddleware):
        async def consume_scope(self, call_next: Callable[..., Any], msg: Any) -> Any:
            raw = msg.raw_message
            if not isinstance(raw, dict) or raw.get("type") != "stream" or not msg.group:
                return await call_next(msg)
            stream = raw["channel"]
            version = (msg.headers or {}).get(SCHEMA_VERSION_HEADER)
            accepted = supported_versions.get(stream)
            if accepted is not None and (version is None or not version.isdigit() or int(version) not in accepted):
                return await dead_letter(
                    msg, attempts=1, reason="invalid",
                    error=f"unsupported schema version {version!r} (accepted: {sorted(accepted)})",
                )
            try:
                with structlog.contextvars.bound_contextvars(correlation_id=msg.correlation_id):
                    result = await call_next(msg)
            except HandlerException:
                raise  # FastStream's own AckMessage/NackMessage control flow
            except Exception as exc:
                attempts = await msg.get_delivery_count()
                error = f"{type(exc).__name__}: {exc}"
                if _is_invalid(exc):
                    return await dead_letter(msg, attempts=attempts, reason="invalid", error=error)
                if attempts >= max_attempts:
                    return await dead_letter(msg, attempts=attempts, reason="failed", error=error)
                MESSAGES.labels(stream=stream, outcome="retried").inc()
                log.warning(
                    "message failed; left pending for retry",
                    stream=stream, attempts=attempts, max_attempts=max_attempts, error=error,
                    correlation_id=msg.correlation_id, exc_info=True,
                )
                raise
            MESSAGES.labels(stream=stream, outcome="processed").inc()
            return result

    return DeliveryPolicy


def consume(broker: RedisBroker, *, stream: str, group: str, consumer: str,
            read_batch: int, claim_idle_ms: int, **kwargs: Any) -> Callable[[Callable], Callable]:
    """Subscribe a handler twice on one group: a reader for new entries and a reclaimer for stale ones.

    FastStream's reclaiming subscriber (min_idle_time → XAUTOCLAIM) never reads new entries and the
    reading one never re-reads pending ones, hence the pair.
    """
    reader = broker.subscriber(
        stream=StreamSub(stream, group=group, consumer=consumer, max_records=read_batch),
        **kwargs,
    )
    reclaimer = broker.subscriber(
        stream=StreamSub(stream, group=group, consumer=consumer, min_idle_time=claim_idle_ms),
        include_in_schema=False,
    )

    def register(handler: Callable) -> Callable:
        return reclaimer(reader(handler))

    return register


async def publish(publisher: Any, message: Contract, *, correlation_id: str | None = None) -> Any:
    """Publish a contract message with its schema version and stable id as headers."""
    return await publisher.publish(message, headers=message.headers(), correlation_id=correlation_id)
