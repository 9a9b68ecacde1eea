"""Group commit: the publishes of items finishing at the same time share one MULTI/EXEC round trip.

Each caller records its commands (XADD of the message, SETs of its seen keys) into a pipeline of its
own that is never executed, then hands them over and waits. One flush runs at a time and takes every
command list queued meanwhile (up to `max_batch`) into a single transaction, so a lone caller is
sent at once (no added latency) and callers arriving during a flush ride the next one. Each caller's
commands stay all-or-nothing as before (the whole batch is one MULTI/EXEC), and a command error is
reported only to the caller whose commands it belongs to.
"""

import asyncio
from collections import deque
from typing import Any

from redis.asyncio import Redis

Commands = list[tuple[tuple[Any, ...], dict[str, Any]]]  # redis-py's command stack entries: (args, options)


class GroupCommit:
    def __init__(self, redis: Redis, *, max_batch: int = 64) -> None:
        self._redis = redis
        self._max_batch = max_batch
        self._queue: deque[tuple[Commands, asyncio.Future[list[Any]]]] = deque()
        self._flushing: asyncio.Task[None] | None = None

    async def commit(self, commands: Commands) -> list[Any]:
        """Run `commands` in a transaction (shared with other callers'); their replies, or the first error."""
        if not commands:
            return []
        done: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._queue.append((commands, done))
        if self._flushing is None:
            # A task of its own: a caller cancelled mid-flush must not cancel the other callers' commit.
            self._flushing = asyncio.create_task(self._flush())
        return await done

    async def _flush(self) -> None:
        try:
            while self._queue:
                batch = [self._queue.popleft() for _ in range(min(self._max_batch, len(self._queue)))]
                await self._run(batch)
        finally:
            self._flushing = None
            while self._queue:  # only when the flush itself was cancelled (shutdown): nobody may wait forever
                _, done = self._queue.popleft()
                if not done.done():
                    done.set_exception(ConnectionError("publishing stopped before this commit was sent"))

    async def _run(self, batch: list[tuple[Commands, asyncio.Future[list[Any]]]]) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            for commands, _ in batch:
                pipe.command_stack.extend(commands)
            try:
                replies = await pipe.execute(raise_on_error=False)
            except BaseException as exc:  # connection lost, EXECABORT: nothing of the batch was applied
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc if isinstance(exc, Exception) else ConnectionError(repr(exc)))
                if not isinstance(exc, Exception):
                    raise
                return
        start = 0
        for commands, done in batch:
            mine = replies[start:start + len(commands)]
            start += len(commands)
            if done.done():  # its caller was cancelled; the commit happened all the same
                continue
            error = next((reply for reply in mine if isinstance(reply, Exception)), None)
            if error is not None:
                done.set_exception(error)
            else:
                done.set_result(mine)
