"""`newsflow dlq` on a real Redis: letters made by the real delivery policy are listed, shown and replayed."""

import json
from typing import ClassVar

import pytest
from click.testing import CliRunner
from faststream.redis import RedisBroker
from newsflow_shared import streams
from newsflow_shared.cli import main
from newsflow_shared.contracts.base import Contract, stable_id
from newsflow_shared.delivery import InvalidMessage, consume, ensure_group, publish
from newsflow_shared.runtime import build_broker
from newsflow_shared.settings import ServiceSettings
from redis import Redis

from tests.support.polling import eventually

STAGE = "dlqprobe"


class Letter(Contract):
    STREAM: ClassVar[str] = "newsflow:test:dlq"
    n: int

    @property
    def message_id(self) -> str:
        return stable_id("dlq", str(self.n))


@pytest.fixture
def redis(redis_url: str):
    client = Redis.from_url(redis_url)
    yield client
    client.close()


def cli(redis_url: str, *args: str):
    result = CliRunner().invoke(main, ["dlq", *args], env={"REDIS_URL": redis_url}, catch_exceptions=False)
    return result


async def run_consumer(redis_url: str, calls: list[int], *, refuse: set[int], until) -> None:
    settings = ServiceSettings(REDIS_URL=redis_url, max_attempts=2, claim_idle_ms=150, consumer_name="c1",
                               max_stream_lag=0)
    broker = build_broker(settings, consumes=[Letter])

    @consume(broker, stream=Letter.STREAM, group=STAGE, consumer="c1", read_batch=10, claim_idle_ms=150)
    async def handle(letter: Letter) -> None:
        calls.append(letter.n)
        if letter.n in refuse:
            raise InvalidMessage(f"letter {letter.n} refused")

    async with broker:
        await broker.start()
        await eventually(until, timeout=15, what="consumer outcome")


async def make_dead_letters(redis_url: str, redis: Redis, *numbers: int) -> list[int]:
    import redis.asyncio as aredis

    async with aredis.Redis.from_url(redis_url) as client:
        await ensure_group(client, Letter.STREAM, STAGE)
    async with RedisBroker(redis_url) as producer:
        for n in numbers:
            await publish(producer.publisher(stream=Letter.STREAM), Letter(n=n), correlation_id=f"c-{n}")
    calls: list[int] = []
    await run_consumer(redis_url, calls, refuse=set(numbers),
                       until=lambda: redis.xlen(streams.dead_letter_stream(STAGE)) == len(numbers))
    return calls


async def test_list_shows_each_letter_with_its_reason_and_error(redis_url: str, redis: Redis) -> None:
    """`dlq list` prints one line per dead letter with stage, reason and error; --json gives objects."""
    await make_dead_letters(redis_url, redis, 1, 2)
    result = cli(redis_url, "list")
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2 and all(STAGE in line and "invalid" in line for line in lines)
    assert "letter 1 refused" in lines[0] and "letter 2 refused" in lines[1]
    rows = [json.loads(line) for line in cli(redis_url, "list", "--json", "--stage", STAGE).stdout.splitlines()]
    assert [r["correlation_id"] for r in rows] == ["c-1", "c-2"]
    assert cli(redis_url, "list", "--stage", "nosuchstage").stdout == ""


async def test_show_decodes_the_original_headers_and_body(redis_url: str, redis: Redis) -> None:
    """`dlq show ID` prints the letter with the original message's headers and JSON body."""
    await make_dead_letters(redis_url, redis, 3)
    [(letter_id, _)] = redis.xrange(streams.dead_letter_stream(STAGE))
    shown = json.loads(cli(redis_url, "show", letter_id.decode()).stdout)
    assert shown["body"] == {"n": 3}
    assert shown["headers"]["schema_version"] == "1" and shown["headers"]["correlation_id"] == "c-3"
    assert shown["reason"] == "invalid" and shown["stream"] == Letter.STREAM
    missing = CliRunner().invoke(main, ["dlq", "show", "1-1"], env={"REDIS_URL": redis_url})
    assert missing.exit_code != 0 and "no dead letter 1-1" in missing.output


async def test_replay_puts_the_exact_fields_back_and_the_consumer_handles_them(redis_url: str, redis: Redis) -> None:
    """A replayed letter is byte-identical on its stream, leaves the dead-letter stream, and is consumed."""
    await make_dead_letters(redis_url, redis, 4, 5)
    originals = {fields[b"__data__"] for _, fields in redis.xrange(Letter.STREAM)}
    [(first_id, _), _] = redis.xrange(streams.dead_letter_stream(STAGE))
    result = cli(redis_url, "replay", first_id.decode())
    assert result.exit_code == 0 and Letter.STREAM in result.stdout
    assert redis.xlen(streams.dead_letter_stream(STAGE)) == 1
    entries = redis.xrange(Letter.STREAM)
    assert len(entries) == 3 and entries[-1][1][b"__data__"] in originals
    assert CliRunner().invoke(main, ["dlq", "replay", first_id.decode()], env={"REDIS_URL": redis_url}).exit_code != 0

    calls: list[int] = []
    await run_consumer(redis_url, calls, refuse=set(), until=lambda: 4 in calls)
    assert calls == [4], "only the replayed message is read again"


async def test_replay_all_of_a_stage_empties_it_and_is_safe_to_repeat(redis_url: str, redis: Redis) -> None:
    """`dlq replay --all --stage S` replays every letter once; a second run finds nothing to do."""
    await make_dead_letters(redis_url, redis, 6, 7, 8)
    assert "3 dead letter(s) replayed" in cli(redis_url, "replay", "--all", "--stage", STAGE).stderr
    assert redis.xlen(streams.dead_letter_stream(STAGE)) == 0
    assert redis.xlen(Letter.STREAM) == 6
    assert "0 dead letter(s) replayed" in cli(redis_url, "replay", "--all").stderr
    usage = CliRunner().invoke(main, ["dlq", "replay"], env={"REDIS_URL": redis_url})
    assert usage.exit_code == 2 and "either a LETTER_ID or --all" in usage.output
