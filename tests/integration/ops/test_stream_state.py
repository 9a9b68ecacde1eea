"""Stream and group state read from a real Redis: what `newsflow status` and the lag gauges report."""

from newsflow_shared import streams
from newsflow_shared.delivery import ensure_group
from newsflow_shared.stream_state import count_since, read_pipeline, read_stream
from redis.asyncio import Redis


async def test_missing_streams_read_as_empty_with_the_known_stages_dead_letters(redis_url: str) -> None:
    """Before anything ran: every pipeline stream is empty, no groups, zero dead letters for each stage."""
    async with Redis.from_url(redis_url) as redis:
        state = await read_pipeline(redis)
    assert [(s.stream, s.length, s.groups) for s in state.streams] == [
        (streams.RAW_ARTICLES, 0, ()), (streams.EXTRACTED_ARTICLES, 0, ()), (streams.STORY_UPDATES, 0, ())]
    assert state.dead_letters == {"extractor": 0, "store": 0}


async def test_lag_and_pending_per_group_and_dead_letters_of_every_group_found(redis_url: str) -> None:
    """Lag counts unread entries, pending counts unacknowledged ones; a downstream group's dead letters count too."""
    async with Redis.from_url(redis_url) as redis:
        await ensure_group(redis, streams.STORY_UPDATES, "alerts")
        ids = [await redis.xadd(streams.STORY_UPDATES, {"n": str(n)}) for n in range(6)]
        await redis.xreadgroup("alerts", "a", {streams.STORY_UPDATES: ">"}, count=4)
        await redis.xack(streams.STORY_UPDATES, "alerts", ids[0])
        await redis.xadd(streams.dead_letter_stream("alerts"), {"json": "{}"})
        state = await read_pipeline(redis)
    (group,) = state.groups
    assert (group.group, group.lag, group.pending, group.consumers, group.entries_read) == ("alerts", 2, 3, 1, 4)
    assert group.last_delivered_id == ids[3].decode()
    assert group.oldest_pending_age_s >= 0
    assert state.dead_letters == {"extractor": 0, "store": 0, "alerts": 1}


async def test_lag_is_counted_when_redis_cannot_tell_it(redis_url: str) -> None:
    """After an entry is deleted Redis reports lag as unknown; the reader counts the unread entries itself."""
    async with Redis.from_url(redis_url) as redis:
        await ensure_group(redis, streams.RAW_ARTICLES, "extractor")
        ids = [await redis.xadd(streams.RAW_ARTICLES, {"n": str(n)}) for n in range(5)]
        await redis.xreadgroup("extractor", "x", {streams.RAW_ARTICLES: ">"}, count=1)
        await redis.xdel(streams.RAW_ARTICLES, ids[2])
        assert (await redis.xinfo_groups(streams.RAW_ARTICLES))[0]["lag"] is None
        state = await read_stream(redis, streams.RAW_ARTICLES)
    assert state.groups[0].lag == 3


async def test_count_since_counts_entries_by_their_timestamp_ids(redis_url: str) -> None:
    """Entries newer than a time are counted server-side, in pages, up to a cap."""
    async with Redis.from_url(redis_url) as redis:
        for ms in (1_000, 2_000, 3_000):
            await redis.xadd(streams.STORY_UPDATES, {"n": "x"}, id=f"{ms}-0")
        for n in range(450):
            await redis.xadd(streams.STORY_UPDATES, {"n": "x"}, id=f"5000-{n}")
        assert await count_since(redis, streams.STORY_UPDATES, 2_000) == 452
        assert await count_since(redis, streams.STORY_UPDATES, 4_000) == 450
        assert await count_since(redis, streams.STORY_UPDATES, 4_000, cap=200) == 200
