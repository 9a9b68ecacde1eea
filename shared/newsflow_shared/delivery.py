"""At-least-once delivery on Redis Streams with FastStream, made explicit.

FastStream's Redis defaults lose or strand messages (see ../README.md "Delivery"): the consumer
group is created at `$` (backlog never read), `nack` does nothing, and a pending message is never
read again (ag2ai/faststream#2197). So each consuming stage here:

- creates its group at id 0 itself before subscribing (`ensure_group`);
- acks only when the handler returned, i.e. after its output was published or committed;
- leaves a failed message pending, and pairs its reader with a reclaimer subscriber that takes
  over entries idle for `claim_idle_ms` (XAUTOCLAIM), from a crashed peer or a failed attempt;
- dead-letters a message that cannot be decoded or validated at once, one larger than
  `max_message_bytes`, and one that failed `max_attempts` deliveries, to `newsflow:dead:<stage>` with
  the reason and the original fields;
- refuses to publish a message larger than `max_message_bytes` (`OutputOversized`), so no producer
  puts one on a stream: inside a handler that dead-letters the input as `output-oversized`;
- never dead-letters for an outage: a handler failing because Redis or the database is unreachable
  (`is_transient`) leaves its message pending however often it was tried, and the consumer backs off
  before its next message, so a backlog waits out the outage instead of being burnt through.
"""

import asyncio
import base64
import json
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from fast_depends.pydantic import PydanticSerializer
from faststream import BaseMiddleware
from faststream.exceptions import HandlerException
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.message import DATA_KEY
from faststream.redis.response import DestinationType
from prometheus_client import Counter
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ClusterDownError, OutOfMemoryError, ReadOnlyError, ResponseError, TryAgainError
from redis.exceptions import TimeoutError as RedisTimeoutError

from newsflow_shared import streams
from newsflow_shared.contracts.base import SCHEMA_VERSION_HEADER, Contract
from newsflow_shared.contracts.dead_letters import DeadLettered
from newsflow_shared.metrics import MESSAGES

log = structlog.get_logger(__name__)


PUBLISH_REFUSED = Counter(
    "newsflow_publish_refused_total",
    "Messages this process did not publish because they were larger than its max_message_bytes, by stream.",
    ["stream"],
)


class InvalidMessage(Exception):
    """Raised by a handler for input that no retry can fix; the message is dead-lettered at once."""

    reason = "invalid"  # the dead letter's reason


class OutputOversized(InvalidMessage):
    """A message this process was about to publish is larger than its `max_message_bytes`; nothing was sent.

    Raised from the publish call. In a handler it dead-letters the input (`output-oversized`), since a
    retry would build the same output; replay it once the limit (of this service and its consumer) is raised.
    """

    reason = "output-oversized"

    def __init__(self, stream: str, size: int, limit: int) -> None:
        super().__init__(f"message for {stream} of {size} bytes exceeds the limit of {limit} bytes; not published")
        self.stream, self.size, self.limit = stream, size, limit


async def ensure_group(redis: Redis, stream: str, group: str) -> None:
    """Create `group` on `stream` at id 0, so messages published before any consumer ran are read."""
    try:
        await redis.xgroup_create(stream, group, id="0", mkstream=True)
    except ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def _is_invalid(exc: BaseException) -> bool:
    return isinstance(exc, ValidationError | InvalidMessage | UnicodeDecodeError | json.JSONDecodeError)


# Database drivers' "the server is not there" errors, by class name: shared/ does not depend on them.
_TRANSIENT_DB_ERRORS = {"OperationalError", "InterfaceError", "DisconnectionError"}
# SQLSTATE classes that drivers raise as an OperationalError although the message caused them: 54, a
# program limit exceeded (an index entry or a statement larger than the server takes) fails on every retry.
_MESSAGE_SQLSTATE_CLASSES = ("54",)
# ... and SQLSTATEs of the server ending a session that drivers raise as another class: 25P03, a transaction
# left idle past idle_in_transaction_session_timeout (psycopg: an InternalError), a paused process's.
_SESSION_ENDED_SQLSTATES = ("25P03",)
# Redis refusing writes for now although it answers: full (OOM under maxmemory-policy noeviction, as
# docs/operations.md recommends), a replica mid-failover (READONLY, MASTERDOWN, CLUSTERDOWN, TRYAGAIN), unable
# to persist (MISCONF), busy in a script (BUSY), short of replicas (NOREPLICAS). redis-py raises them as
# ResponseErrors, the class a bad command gets; MISCONF, BUSY and NOREPLICAS only by the error's first word.
_REDIS_REFUSALS = (OutOfMemoryError, ReadOnlyError, ClusterDownError, TryAgainError)
_REDIS_REFUSAL_CODES = ("MISCONF", "BUSY", "NOREPLICAS")


def is_transient(exc: BaseException) -> bool:
    """True for failures of the infrastructure (Redis, the database, the network), not of the message.

    A message that failed only because a dependency was down must never use up its attempts.
    """
    chain = [error for error in (exc, exc.__cause__, exc.__context__) if error is not None]
    sqlstates = [str(getattr(error, "sqlstate", None) or "") for error in chain]
    if any(state.startswith(_MESSAGE_SQLSTATE_CLASSES) for state in sqlstates):
        return False
    if any(state in _SESSION_ENDED_SQLSTATES for state in sqlstates):
        return True
    for error in chain:
        # Not the builtin TimeoutError: a handler's own time limit on a pathological message is the
        # message's failure, and must end in the dead-letter stream rather than be retried forever.
        if isinstance(error, (ConnectionError, RedisConnectionError, RedisTimeoutError, *_REDIS_REFUSALS)):
            return True
        if isinstance(error, ResponseError) and _redis_error_code(error) in _REDIS_REFUSAL_CODES:
            return True
        if any(cls.__name__ in _TRANSIENT_DB_ERRORS for cls in type(error).__mro__):
            return True
    return False


def _redis_error_code(error: ResponseError) -> str:
    """The error's first word as the server sent it (redis-py 8 keeps it apart, as `status_code`)."""
    return getattr(error, "status_code", None) or str(error).split(" ", 1)[0]


def message_bytes(raw: dict[str, Any]) -> int:
    """A stream entry's size as stored in Redis: its field names and values."""
    return sum(len(key) + len(value) for key, value in raw["data"].items())


_SERIALIZER = PydanticSerializer(use_fastdepends_errors=False)  # FastStream's default (faststream/_internal/di/config.py)


async def refuse_oversized(cmd: Any, max_message_bytes: int) -> None:
    """Raise OutputOversized if a stream publish command would add an entry larger than the limit.

    Measured as the consumer measures it (`message_bytes`): FastStream's one field, holding the body
    encoded with its headers, by the serializer FastStream uses when a broker names none (ours do not).
    Encoding here costs one extra serialisation per publish, the price of never putting on a stream
    what its consumer would refuse.
    """
    if getattr(cmd, "destination_type", None) is not DestinationType.Stream:
        return
    for body in cmd.batch_bodies:
        encoded = await cmd.message_format.encode(message=body, reply_to=cmd.reply_to, headers=cmd.headers,
                                                  correlation_id=cmd.correlation_id or "", serializer=_SERIALIZER)
        size = len(DATA_KEY) + len(encoded)
        if size > max_message_bytes:
            PUBLISH_REFUSED.labels(stream=cmd.destination).inc()
            log.error("message larger than max_message_bytes; not published", stream=cmd.destination,
                      bytes=size, limit=max_message_bytes, correlation_id=cmd.correlation_id)
            raise OutputOversized(cmd.destination, size, max_message_bytes)


@dataclass(frozen=True)
class InFlight:
    """The stream entry a handler is working on, so code it calls can keep its claim on it."""

    redis: Redis
    stream: str
    group: str
    entry_id: str

    async def extend_lease(self) -> None:
        """Reset the entry's idle time (XCLAIM JUSTID to its owner), so peers do not reclaim it meanwhile.

        For a handler that is slow on purpose, e.g. waiting for room downstream (backpressure).
        """
        owners = await self.redis.xpending_range(
            self.stream, self.group, min=self.entry_id, max=self.entry_id, count=1
        )
        if owners:
            await self.redis.xclaim(self.stream, self.group, owners[0]["consumer"], min_idle_time=0,
                                    message_ids=[self.entry_id], justid=True)


IN_FLIGHT: ContextVar[InFlight | None] = ContextVar("newsflow_in_flight", default=None)


class Outage:
    """This process's view of its dependencies, from its handlers' outcomes: down since when, and why.

    A handler failing with a transient error marks an outage; the next handler success ends it.
    The delivery policy backs off while it lasts; `outage_check` offers it as a readiness check.
    """

    BASE_DELAY_S = 0.2
    MAX_DELAY_S = 5.0

    def __init__(self) -> None:
        self.since: float | None = None
        self.error: str | None = None
        self.failures = 0

    def failed(self, error: str) -> float:
        """Record a transient failure; return how long to back off before the next message."""
        if self.since is None:
            self.since = time.monotonic()
        self.error = error
        self.failures += 1
        return min(self.BASE_DELAY_S * 2 ** (self.failures - 1), self.MAX_DELAY_S)

    def recovered(self) -> None:
        if self.since is not None:
            log.info("dependencies back; outage over", down_s=round(time.monotonic() - self.since, 1))
        self.since, self.error, self.failures = None, None, 0

    def problem(self) -> str | None:
        """A sentence for the health endpoint while an outage lasts, else None."""
        if self.since is None:
            return None
        return f"handlers failing for {time.monotonic() - self.since:.0f}s: {self.error}"


OUTAGE = Outage()


def outage_check() -> bool:
    """A readiness check (see health.py): raises while this process's handlers meet an outage."""
    if (problem := OUTAGE.problem()) is not None:
        raise RuntimeError(problem)
    return True


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


async def dead_letter_entry(
    redis: Redis, *, stream: str, group: str, entry_id: str, fields: dict[bytes, bytes], attempts: int,
    reason: str, error: str, message_id: str | None = None, correlation_id: str | None = None,
) -> DeadLettered:
    """Dead-letter one entry of a batch read and acknowledge that entry alone, in that order.

    For consumers reading with `batch=True`, where the middleware sees the batch, not its entries:
    the same letter `dead_letter` writes for a single message.
    """
    letter = DeadLettered(
        stage=group,
        stream=stream,
        group=group,
        entry_id=entry_id,
        original_message_id=message_id,
        correlation_id=correlation_id,
        attempts=attempts,
        reason=reason,
        error=error[:2000],
        failed_at=datetime.now(UTC),
        fields={k.decode(): base64.b64encode(v).decode() for k, v in fields.items()},
    )
    await redis.xadd(streams.dead_letter_stream(group), {"json": letter.model_dump_json()})
    await redis.xack(stream, group, entry_id)
    MESSAGES.labels(stream=stream, outcome="dead_lettered").inc()
    log.error("message dead-lettered", stream=stream, entry_id=entry_id, reason=reason, attempts=attempts,
              error=letter.error, correlation_id=correlation_id)
    return letter


def delivery_middleware(*, max_attempts: int, supported_versions: dict[str, set[int]],
                        max_message_bytes: int | None = None, outage: Outage = OUTAGE) -> type:
    """Build the broker middleware that applies the retry / dead-letter policy to every stream message.

    `supported_versions` maps a stream to the schema versions its consumer understands; a message
    with any other version is dead-lettered as invalid rather than half-understood. A message larger
    than `max_message_bytes` is dead-lettered as oversized before it is decoded, and one this process
    publishes larger than that is refused (OutputOversized) before anything is sent: every publish of
    the broker passes here, through `publish()` or a publisher's own `publish(..., pipeline=...)`.
    """

    class DeliveryPolicy(BaseMiddleware):
        async def publish_scope(self, call_next: Callable[..., Any], cmd: Any) -> Any:
            if max_message_bytes is not None:
                await refuse_oversized(cmd, max_message_bytes)
            return await call_next(cmd)

        async def consume_scope(self, call_next: Callable[..., Any], msg: Any) -> Any:
            raw = msg.raw_message
            if not isinstance(raw, dict) or raw.get("type") != "stream" or not msg.group:
                return await call_next(msg)
            stream = raw["channel"]
            size = message_bytes(raw)
            if max_message_bytes is not None and size > max_message_bytes:
                return await dead_letter(
                    msg, attempts=1, reason="oversized",
                    error=f"message of {size} bytes exceeds the limit of {max_message_bytes} bytes",
                )
            version = (msg.headers or {}).get(SCHEMA_VERSION_HEADER)
            accepted = supported_versions.get(stream)
            if accepted is not None and (version is None or not version.isdigit() or int(version) not in accepted):
                return await dead_letter(
                    msg, attempts=1, reason="invalid",
                    error=f"unsupported schema version {version!r} (accepted: {sorted(accepted)})",
                )
            in_flight = IN_FLIGHT.set(InFlight(msg.consumer, stream, msg.group, raw["message_ids"][0].decode()))
            try:
                with structlog.contextvars.bound_contextvars(correlation_id=msg.correlation_id):
                    result = await call_next(msg)
            except HandlerException:
                raise  # FastStream's own AckMessage/NackMessage control flow
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                if _is_invalid(exc):
                    attempts = await msg.get_delivery_count()
                    reason = exc.reason if isinstance(exc, InvalidMessage) else "invalid"
                    return await dead_letter(msg, attempts=attempts, reason=reason, error=error)
                if is_transient(exc):
                    await self._back_off(msg, stream, error)
                    raise
                attempts = await msg.get_delivery_count()
                if attempts >= max_attempts:
                    return await dead_letter(msg, attempts=attempts, reason="failed", error=error)
                MESSAGES.labels(stream=stream, outcome="retried").inc()
                log.warning(
                    "message failed; left pending for retry",
                    stream=stream, attempts=attempts, max_attempts=max_attempts, error=error,
                    correlation_id=msg.correlation_id, exc_info=True,
                )
                raise
            finally:
                IN_FLIGHT.reset(in_flight)
            outage.recovered()
            MESSAGES.labels(stream=stream, outcome="processed").inc()
            return result

        async def _back_off(self, msg: Any, stream: str, error: str) -> None:
            """The message stays pending whatever its attempt count; this consumer slows down meanwhile."""
            delay = outage.failed(error)
            MESSAGES.labels(stream=stream, outcome="retried").inc()
            log.warning("dependency unavailable; message left pending, backing off", stream=stream,
                        error=error, backoff_s=delay, correlation_id=msg.correlation_id)
            await asyncio.sleep(delay)  # backoff: this consumer's next read waits for it

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
    """Publish a contract message with its schema version and stable id as headers.

    On a broker from `runtime.build_broker`, raises OutputOversized (nothing sent) when the message is
    larger than the service's `max_message_bytes`.
    """
    return await publisher.publish(message, headers=message.headers(), correlation_id=correlation_id)
