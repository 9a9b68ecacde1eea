"""A transaction's writes that return nothing, run by a worker thread while this thread computes.

The writer is CPU-bound in Python while PostgreSQL works on another core: a batch's index rows,
fingerprints and term counts (~0.35 ms an article of the server's time) are written while the stories
they touched are recounted and re-summarised, instead of before. The session belongs to the worker
until the block ends: the block's code must not touch it. SQLite connections stay in the thread that
made them, and its writes are cheap: there the writes run first, in this thread.
"""

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlmodel import Session

# The worker needs the GIL back each time a statement returns; with the default 5 ms switch interval it
# waited up to that long behind this thread's Python after every statement. Set once for the process.
SWITCH_INTERVAL_S = 0.0005


def tune_switch_interval() -> None:
    sys.setswitchinterval(SWITCH_INTERVAL_S)


@contextmanager
def writing_alongside(session: Session, write: Callable[[], None]) -> Iterator[None]:
    """Run `write` (statements on `session`) in a worker thread for the duration of the block; its error,
    if any, is raised when the block ends (after the block's own, which wins)."""
    if session.get_bind().dialect.name != "postgresql":
        write()
        yield
        return
    failed: list[BaseException] = []

    def run() -> None:
        try:
            write()
        except BaseException as exc:  # noqa: BLE001 - handed to the transaction's thread below
            failed.append(exc)

    worker = threading.Thread(target=run, name="store-writes", daemon=True)
    worker.start()
    try:
        yield
    finally:
        worker.join()  # the session is the worker's until it is done, even when the block failed
    if failed:
        raise failed[0]
