"""`newsflow status`: the pipeline at a glance: streams, groups' lag and pending, dead letters, throughput."""

import asyncio
import json
import time
from dataclasses import asdict
from datetime import UTC, datetime

import click
from redis.asyncio import Redis
from redis.exceptions import RedisError

from newsflow_shared import streams
from newsflow_shared.cli.options import redis_url_option, unreachable_redis
from newsflow_shared.stream_state import PipelineState, count_since, entry_time_ms, read_pipeline

# Which service writes each stream: its entries over a window are that service's throughput.
PRODUCERS = {
    streams.RAW_ARTICLES: "fetcher",
    streams.EXTRACTED_ARTICLES: "extractor",
    streams.STORY_UPDATES: "store",
}


async def gather(redis_url: str, window_s: int) -> tuple[PipelineState, dict[str, int]]:
    async with Redis.from_url(redis_url) as redis:
        state = await read_pipeline(redis)
        since_ms = int((time.time() - window_s) * 1000)
        throughput = {stream: await count_since(redis, stream, since_ms) for stream in PRODUCERS}
    return state, throughput


def _when(entry_id: str | None) -> str:
    if entry_id is None:
        return "-"
    return datetime.fromtimestamp(entry_time_ms(entry_id) / 1000, UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _age(seconds: float) -> str:
    if not seconds:
        return "-"
    return f"{seconds:.0f}s" if seconds < 120 else f"{seconds / 60:.0f}m" if seconds < 7200 else f"{seconds / 3600:.0f}h"


def render(state: PipelineState, throughput: dict[str, int], window_s: int) -> str:
    lines = [f"{'STREAM':<30} {'LENGTH':>8}  LAST ENTRY"]
    lines += [f"{s.stream:<30} {s.length:>8}  {_when(s.last_entry_id)}" for s in state.streams]
    lines += ["", f"{'GROUP':<16} {'STREAM':<30} {'CONSUMERS':>9} {'LAG':>7} {'PENDING':>7}  OLDEST PENDING"]
    lines += [f"{g.group:<16} {g.stream:<30} {g.consumers:>9} {g.lag:>7} {g.pending:>7}  {_age(g.oldest_pending_age_s)}"
              for g in state.groups] or ["(no consumer groups yet)"]
    lines += ["", f"{'DEAD LETTERS':<16} {'STREAM':<30} {'ENTRIES':>9}"]
    lines += [f"{stage:<16} {streams.dead_letter_stream(stage):<30} {count:>9}"
              for stage, count in state.dead_letters.items()]
    lines += ["", f"THROUGHPUT (last {window_s}s)"]
    for stream, count in throughput.items():
        rate = count / window_s * 60
        lines.append(f"{PRODUCERS[stream]:<16} {count:>6} published to {stream}  ({rate:.1f}/min)")
    return "\n".join(lines)


def as_json(state: PipelineState, throughput: dict[str, int], window_s: int) -> str:
    return json.dumps({
        "streams": [{k: v for k, v in asdict(s).items() if k != "groups"} for s in state.streams],
        "groups": [asdict(g) for g in state.groups],
        "dead_letters": state.dead_letters,
        "throughput": {"window_s": window_s, "published": {PRODUCERS[s]: n for s, n in throughput.items()}},
    }, indent=2)


@click.command()
@redis_url_option
@click.option("--window", "window_s", default=300, show_default=True, type=click.IntRange(min=1),
              help="Seconds of history counted for throughput.")
@click.option("--json", "json_output", is_flag=True, help="Machine-readable output.")
def status(redis_url: str, window_s: int, json_output: bool) -> None:
    """Streams, consumer groups (lag, pending), dead letters and per-service throughput."""
    try:
        state, throughput = asyncio.run(gather(redis_url, window_s))
    except (OSError, RedisError) as exc:
        raise unreachable_redis(redis_url, exc) from exc
    click.echo((as_json if json_output else render)(state, throughput, window_s))
