"""The pure parts of the reliability policy: what counts as an outage, backoff, entry-id arithmetic."""

import asyncio

import pytest
import redis.exceptions
from newsflow_shared.backpressure import Throttle, _smaller, next_id
from newsflow_shared.delivery import InvalidMessage, Outage, is_transient
from pydantic import BaseModel, ValidationError


class OperationalError(Exception):
    """Named like the DB-API / SQLAlchemy error a lost database connection raises."""


class DisconnectionError(OperationalError):
    pass


@pytest.mark.parametrize("exc", [
    ConnectionRefusedError("refused"), ConnectionResetError(), redis.exceptions.ConnectionError("gone"),
    redis.exceptions.TimeoutError(), OperationalError("server closed the connection"), DisconnectionError(),
    # Redis answering but refusing writes for now: full, failing over, unable to persist.
    redis.exceptions.OutOfMemoryError("command not allowed when used memory > 'maxmemory'."),
    redis.exceptions.ReadOnlyError("You can't write against a read only replica."),
    redis.exceptions.ClusterDownError("The cluster is down"),
    redis.exceptions.ResponseError("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
                                   "persist to disk."),
])
def test_infrastructure_failures_are_transient(exc: Exception) -> None:
    """Redis, database and network failures never count against a message."""
    assert is_transient(exc)


def test_a_wrapped_infrastructure_failure_is_transient() -> None:
    """An error raised while handling a lost connection (its cause or context) is still an outage."""
    try:
        try:
            raise ConnectionResetError("reset")
        except ConnectionResetError as inner:
            raise RuntimeError("could not commit") from inner
    except RuntimeError as outer:
        assert is_transient(outer)


def test_a_database_limit_the_message_exceeded_is_not_transient() -> None:
    """Drivers raise SQLSTATE 54 (an index entry too large, say) as an OperationalError; retried as an outage it
    never ended, and never reached the dead-letter stream."""
    class ProgramLimitExceeded(OperationalError):
        sqlstate = "54000"

    wrapped = OperationalError("(psycopg.errors.ProgramLimitExceeded) index row size …")  # as SQLAlchemy raises it
    wrapped.__cause__ = ProgramLimitExceeded("index row size 2744 exceeds btree version 4 maximum 2704")
    assert not is_transient(wrapped)
    lost = OperationalError("server closed the connection unexpectedly")
    lost.sqlstate = "08006"
    assert is_transient(lost)


def test_a_session_the_server_ended_is_transient_whatever_class_the_driver_gives_it() -> None:
    """psycopg raises 25P03 (the server ended a transaction left idle too long: a paused writer's) as an
    InternalError, which names no lost connection."""
    class InternalError(Exception):
        pass

    class IdleInTransactionSessionTimeout(InternalError):
        sqlstate = "25P03"

    wrapped = InternalError("(psycopg.errors.IdleInTransactionSessionTimeout) terminating connection due to "
                            "idle-in-transaction timeout")
    wrapped.__cause__ = IdleInTransactionSessionTimeout("terminating connection due to idle-in-transaction timeout")
    assert is_transient(wrapped)
    assert not is_transient(InternalError("a bug the database reports"))


def test_message_failures_are_not_transient() -> None:
    """Bad input and bugs use up attempts and end in the dead-letter stream."""
    class M(BaseModel):
        n: int

    with pytest.raises(ValidationError) as invalid:
        M(n="x")
    # TimeoutError too: a handler's own time limit on a pathological page is that page's failure.
    for exc in (ValueError("bad"), KeyError("k"), InvalidMessage("no"), invalid.value, redis.exceptions.ResponseError(),
                redis.exceptions.ResponseError("ERR unknown command 'XFOO'"), TimeoutError()):
        assert not is_transient(exc), exc


def test_outage_backoff_doubles_up_to_a_cap_and_resets_on_recovery() -> None:
    """Each consecutive transient failure waits longer, up to MAX_DELAY_S; a success ends the outage."""
    outage = Outage()
    assert outage.problem() is None
    delays = [outage.failed("OperationalError: down") for _ in range(8)]
    assert delays[:3] == [0.2, 0.4, 0.8] and delays[-1] == Outage.MAX_DELAY_S
    assert "OperationalError: down" in outage.problem()
    outage.recovered()
    assert outage.problem() is None and outage.failed("x") == 0.2


def test_entry_ids_order_numerically_and_have_a_successor() -> None:
    """Trimming compares ids as (ms, seq) numbers, not strings."""
    assert next_id("1700-9") == "1700-10"
    assert _smaller("1700-10", "1700-9") == "1700-9"
    assert _smaller("999-5", "1000-0") == "999-5"


class FakeBacklog:
    """Stands in for Redis: a backlog that drains by `drain` entries per look."""

    def __init__(self, backlog: int, drain: int) -> None:
        self.backlog, self.drain, self.looks = backlog, drain, 0


async def test_throttle_waits_while_the_backlog_is_at_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """A publish waits (with growing sleeps) until the backlog is below max_lag, then spends headroom."""
    from newsflow_shared import backpressure
    from newsflow_shared.backpressure import Backlog

    state = FakeBacklog(backlog=12, drain=2)
    slept: list[float] = []

    async def fake_look(self, stream, room):
        state.looks += 1
        current = state.backlog
        state.backlog = max(0, state.backlog - state.drain)
        return Backlog(stream, current, current, 1, None)

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(backpressure.Throttle, "_look", fake_look)
    clock = iter(range(1000)).__next__
    throttle = Throttle(lambda: None, max_lag=10, keep=0, clock=lambda: clock() / 1000, sleep=fake_sleep)
    await throttle.wait_for_room("s")
    assert slept == [0.05, 0.1], "waited two looks for the backlog to fall below 10"
    looks = state.looks
    await throttle.wait_for_room("s")
    assert state.looks == looks, "the next publish spends the headroom without asking Redis"
    await asyncio.sleep(0)


def test_the_outage_readiness_check_raises_while_an_outage_lasts() -> None:
    """outage_check passes normally and raises with the last error during an outage."""
    from newsflow_shared.delivery import OUTAGE, outage_check

    OUTAGE.recovered()
    assert outage_check() is True
    OUTAGE.failed("OperationalError: connection refused")
    try:
        with pytest.raises(RuntimeError, match="connection refused"):
            outage_check()
    finally:
        OUTAGE.recovered()
