"""The database's work and the writer's own, at the same time: statements sent from a helper thread on the
transaction's connection wait for PostgreSQL without holding the GIL, so the writer's Python runs on one
core while PostgreSQL works on the other, instead of one after the other.

The with-block must not use the session while the helper has it (one connection, one statement at a time).
"""

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlmodel import Session


@dataclass
class Overlap:
    waited: float = 0.0  # seconds the caller waited for `work` after its own block: > 0 when the database is slower


@contextmanager
def meanwhile(session: Session, work: Callable[[], None]) -> Iterator[Overlap]:
    """Run `work` (statements on `session`) in a helper thread while the with-block computes; its error, if
    any, is raised when the block ends. Elsewhere than on PostgreSQL `work` simply runs first: SQLite's
    connections belong to the thread that opened them, and a local file has no server to wait for.
    The Overlap yielded holds, once the block has ended, how long the caller waited for `work`."""
    overlap = Overlap()
    if session.get_bind().dialect.name != "postgresql":
        work()
        yield overlap
        return
    failed: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # re-raised in the caller's thread, where retries are decided
            failed.append(exc)

    helper = threading.Thread(target=run, name="store-statements", daemon=True)
    helper.start()
    try:
        yield overlap
    finally:
        started = time.perf_counter()
        helper.join()  # never leave the helper on the connection: the caller may roll back next
        overlap.waited = time.perf_counter() - started
    if failed:
        raise failed[0]
