"""Poison messages on each consumed stream land in that stage's dead-letter stream while good ones flow."""

import asyncio
import json
from pathlib import Path

import pytest
import redis
from faststream.redis import RedisBroker
from newsflow_shared import streams

from tests.fault.pipeline import pipeline_over_site, report
from tests.support.polling import eventually_sync

LIMIT = 300_000
CONSUMED = {streams.RAW_ARTICLES: streams.EXTRACTOR_GROUP, streams.EXTRACTED_ARTICLES: streams.STORE_GROUP}


async def send_poison(redis_url: str, stream: str) -> int:
    """Five kinds of bad message; returns how many were sent."""
    async with RedisBroker(redis_url) as broker:
        await broker.publish(b"\x00\xffnot json", stream=stream, headers={"schema_version": "1"})
        await broker.publish({"unexpected": "shape"}, stream=stream, headers={"schema_version": "1"})
        await broker.publish({"n": 1}, stream=stream, headers={"schema_version": "99"})
        await broker.publish({"html": "x" * (LIMIT + 1)}, stream=stream, headers={"schema_version": "1"})
    with redis.Redis.from_url(redis_url) as client:
        client.xadd(stream, {"not": "faststream"})  # a producer that is not FastStream at all
    return 5


def letters(redis_url: str, stage: str) -> list[dict]:
    with redis.Redis.from_url(redis_url) as client:
        return [json.loads(f[b"json"]) for _, f in client.xrange(streams.dead_letter_stream(stage))]


def run_poison(tmp_path: Path, articles: int, redis_url: str, postgres_url: str, *, timeout: float) -> None:
    env = {"EXTRACTOR_MAX_MESSAGE_BYTES": str(LIMIT), "STORE_MAX_MESSAGE_BYTES": str(LIMIT)}
    with pipeline_over_site(tmp_path, articles, redis_url=redis_url, database_url=postgres_url,
                            env=env) as (pipeline, fig):
        fig.name = f"poison[{articles}]"
        pipeline.start_all()
        sent = {stream: asyncio.run(send_poison(redis_url, stream)) for stream in CONSUMED}
        pipeline.wait_until_stored(fig, timeout=timeout)
        for stream, stage in CONSUMED.items():
            eventually_sync(lambda stage=stage, stream=stream: len(letters(redis_url, stage)) >= sent[stream],
                            timeout=30, what=f"{stage} dead letters")
        found = {stage: letters(redis_url, stage) for stage in CONSUMED.values()}
        fig.notes.append("dead letters: " + ", ".join(
            f"{stage}={sorted(letter['reason'] for letter in found[stage])}" for stage in found))
        report(fig.line())
        assert fig.lost == 0 and fig.duplicated == 0, fig.line()
        assert fig.dead_lettered == sum(sent.values())
        for stream, stage in CONSUMED.items():
            reasons = sorted(letter["reason"] for letter in found[stage])
            assert reasons == ["invalid"] * 4 + ["oversized"], (stage, reasons)
            assert all(letter["stream"] == stream and letter["error"] for letter in found[stage])
        assert pipeline.settle() == {"extractor": 0, "store": 0}


def test_poison_short(tmp_path: Path, redis_url: str, postgres_url: str) -> None:
    """Malformed, mis-versioned, foreign and oversized messages on both consumed streams are dead-lettered
    with a reason; the 40 good articles are all stored once."""
    run_poison(tmp_path, 40, redis_url, postgres_url, timeout=90)


@pytest.mark.fault_long
def test_poison_long(tmp_path: Path, redis_url: str, postgres_url: str) -> None:
    """The same poison in the middle of 1,000 good articles."""
    run_poison(tmp_path, 1000, redis_url, postgres_url, timeout=900)
