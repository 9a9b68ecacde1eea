"""Group commit on real Redis: concurrent callers share one transaction, and each sees only its own outcome."""

import asyncio

from fetcher.commits import GroupCommit
from redis.asyncio import Redis


def recorded(redis: Redis, *commands: tuple) -> list:
    pipe = redis.pipeline(transaction=True)
    for command in commands:
        pipe.execute_command(*command)
    return pipe.command_stack


async def test_concurrent_commits_share_round_trips_and_all_apply(redis_url) -> None:
    """Fifty callers committing at once are all applied, in fewer transactions than callers."""
    redis = Redis.from_url(redis_url)
    commits = GroupCommit(redis)
    before = (await redis.info("stats"))["total_commands_processed"]
    try:
        replies = await asyncio.gather(*(commits.commit(recorded(redis, ("SET", f"k{i}", i), ("XADD", "s", "*", "i", i)))
                                         for i in range(50)))
        assert [reply[0] for reply in replies] == [True] * 50
        assert await redis.xlen("s") == 50
        assert await redis.get("k49") == b"49"
        after = (await redis.info("stats"))["total_commands_processed"]
        # One MULTI and one EXEC per transaction (+1 for INFO): far fewer than the 100 of one transaction each.
        assert after - before - 100 < 50
    finally:
        await redis.aclose()


async def test_a_failing_command_fails_only_its_own_caller(redis_url) -> None:
    """A command error (wrong type) is raised to the caller that sent it; the others' commits stand."""
    redis = Redis.from_url(redis_url)
    await redis.set("not-a-stream", "x")
    commits = GroupCommit(redis)
    try:
        good, bad = await asyncio.gather(
            commits.commit(recorded(redis, ("SET", "good", "1"))),
            commits.commit(recorded(redis, ("XADD", "not-a-stream", "*", "f", "v"))),
            return_exceptions=True,
        )
        assert good == [True]
        assert "WRONGTYPE" in str(bad)
        assert await redis.get("good") == b"1"
    finally:
        await redis.aclose()
