"""Poison messages on each consumed stream land in that stage's dead-letter stream while good ones flow.

Also the other way round, the limit at publish time: a page too big to send is not published by the
fetcher (counted, logged, retried at the next poll), and a good raw article whose extracted form would
be larger than the limit is not published by the extractor; its input is dead-lettered as
output-oversized. And downstream: story
updates are read by the example consumer (examples/story_alerts.py, built the documented way), which
dead-letters the poison on that stream in its own group's dead-letter stream and alerts on the rest.
"""

import asyncio
import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from faststream.redis import RedisBroker
from newsflow_shared import streams
from newsflow_shared.contracts.raw_articles import ArticleFetched, FeedEntry, HttpMeta, content_hash
from newsflow_shared.contracts.source import SourceRef
from newsflow_shared.delivery import publish

from tests.fault.pipeline import pipeline_over_site, report
from tests.fault.synthetic_site import WORDS
from tests.support.polling import eventually_sync

LIMIT = 300_000
ALERTS_GROUP = "story-alerts"  # the example consumer's default group
CONSUMED = {streams.RAW_ARTICLES: streams.EXTRACTOR_GROUP, streams.EXTRACTED_ARTICLES: streams.STORE_GROUP,
            streams.STORY_UPDATES: ALERTS_GROUP}
EXPECTED = {  # dead-letter reasons per stage
    streams.EXTRACTOR_GROUP: ["invalid"] * 4 + ["output-oversized", "oversized"],
    streams.STORE_GROUP: ["invalid"] * 4 + ["oversized"],
    ALERTS_GROUP: ["invalid"] * 4 + ["oversized"],
}
ALERTS_ENV = {"STORY_ALERTS_MAX_MESSAGE_BYTES": str(LIMIT), "STORY_ALERTS_CLAIM_IDLE_MS": "3000",
              "STORY_ALERTS_MIN_SOURCES": "1", "STORY_ALERTS_LOG_FORMAT": "json"}


FETCHER_LIMIT = 50_000  # the generated pages' messages are ~4 KB; the huge page's ~110 KB (gzipped)


def long_report_html(seed: int) -> str:
    """~440 KB of article text (gzip makes it ~110 KB): fine as a page, too big for these limits once extracted."""
    rng = random.Random(seed)
    paragraphs = "".join(f"<p>{' '.join(rng.choice(WORDS) for _ in range(120))}.</p>" for _ in range(500))
    return f"<html><head><title>A very long report</title></head><body><article>{paragraphs}</article></body></html>"


def add_huge_page(root: Path) -> str:
    """Offer a page in the first feed whose message the fetcher may not publish; its path."""
    path = "/outlet-000/huge-report.html"
    (root / path.lstrip("/")).write_text(long_report_html(4), encoding="utf-8")
    feed = root / "outlet-000" / "feed-0.xml"
    item = ("<item><title>A very long report</title><link>{base_url}" + path + "</link><guid>huge</guid>"
            "<pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate></item>")
    feed.write_text(feed.read_text(encoding="utf-8").replace("</channel>", item + "</channel>"), encoding="utf-8")
    return path


def too_big_to_extract() -> ArticleFetched:
    """A valid raw article well under the limit (its page travels gzipped) whose text alone is over it."""
    html = long_report_html(3)
    url = "http://127.0.0.1:9/huge/report.html"
    return ArticleFetched(
        source=SourceRef(id="huge", name="Huge"), url=url, canonical_url=url,
        feed=FeedEntry(feed_url="http://127.0.0.1:9/huge/feed.xml", title="A very long report"),
        http=HttpMeta(status=200, final_url=url, content_type="text/html", fetched_at=datetime.now(UTC)),
        html_gzip_b64=ArticleFetched.compress_html(html), content_hash=content_hash(html),
    )


async def send_poison(redis_url: str, stream: str) -> int:
    """Five kinds of bad message (six on the raw stream); returns how many were sent."""
    async with RedisBroker(redis_url) as broker:
        if stream == streams.RAW_ARTICLES:
            await publish(broker.publisher(stream=stream), too_big_to_extract(), correlation_id="too-big")
        await broker.publish(b"\x00\xffnot json", stream=stream, headers={"schema_version": "1"})
        await broker.publish({"unexpected": "shape"}, stream=stream, headers={"schema_version": "1"})
        await broker.publish({"n": 1}, stream=stream, headers={"schema_version": "99"})
        await broker.publish({"html": "x" * (LIMIT + 1)}, stream=stream, headers={"schema_version": "1"})
    with redis.Redis.from_url(redis_url) as client:
        client.xadd(stream, {"not": "faststream"})  # a producer that is not FastStream at all
    return 6 if stream == streams.RAW_ARTICLES else 5


def letters(redis_url: str, stage: str) -> list[dict]:
    with redis.Redis.from_url(redis_url) as client:
        return [json.loads(f[b"json"]) for _, f in client.xrange(streams.dead_letter_stream(stage))]


def caught_up(redis_url: str, stream: str, group: str) -> bool:
    """The group has read every entry ever added to the stream and acknowledged all of them."""
    with redis.Redis.from_url(redis_url) as client:
        added = client.xinfo_stream(stream)["entries-added"]
        [info] = [g for g in client.xinfo_groups(stream) if g["name"].decode() == group]
        return info["entries-read"] == added and info["pending"] == 0


def run_poison(tmp_path: Path, articles: int, redis_url: str, postgres_url: str, *, timeout: float) -> None:
    env = {"EXTRACTOR_MAX_MESSAGE_BYTES": str(LIMIT), "STORE_MAX_MESSAGE_BYTES": str(LIMIT),
           "FETCHER_MAX_MESSAGE_BYTES": str(FETCHER_LIMIT)}
    with pipeline_over_site(tmp_path, articles, redis_url=redis_url, database_url=postgres_url,
                            env=env) as (pipeline, fig):
        fig.name = f"poison[{articles}]"
        fig.progress = None  # the poison sent to the streams would count as the stages' output
        huge = add_huge_page(pipeline.site.root)  # not in fig.sent: were it stored, lost would be -1
        pipeline.start_all()
        pipeline.services.start("story-alerts-0.0", "examples.story_alerts", ALERTS_ENV)
        sent = {stream: asyncio.run(send_poison(redis_url, stream)) for stream in CONSUMED}
        pipeline.wait_until_stored(fig, timeout=timeout)
        for stream, stage in CONSUMED.items():
            eventually_sync(lambda stage=stage, stream=stream: len(letters(redis_url, stage)) >= sent[stream],
                            timeout=30, what=f"{stage} dead letters")
        found = {stage: letters(redis_url, stage) for stage in CONSUMED.values()}
        fig.dead_lettered = pipeline.dead_letters()  # counted again: some letters land after the last article
        fig.notes.append("dead letters: " + ", ".join(
            f"{stage}={sorted(letter['reason'] for letter in found[stage])}" for stage in found))
        report(fig.line())
        assert fig.lost == 0 and fig.duplicated == 0, fig.line()
        assert fig.dead_lettered == sent[streams.RAW_ARTICLES] + sent[streams.EXTRACTED_ARTICLES]
        for stream, stage in CONSUMED.items():
            reasons = sorted(letter["reason"] for letter in found[stage])
            assert reasons == EXPECTED[stage], (stage, reasons)
            assert all(letter["stream"] == stream and letter["error"] for letter in found[stage])
        [refused] = [letter for letter in found[streams.EXTRACTOR_GROUP] if letter["reason"] == "output-oversized"]
        assert refused["correlation_id"] == "too-big" and "OutputOversized" in refused["error"]
        assert pipeline.settle() == {"extractor": 0, "store": 0}
        refusals = [line for line in pipeline.logs("fetcher").splitlines() if huge in line]
        assert refusals and all("OutputOversized" in line for line in refusals), "the fetcher said why, per poll"
        eventually_sync(lambda: caught_up(redis_url, streams.STORY_UPDATES, ALERTS_GROUP), timeout=30,
                        what="the example consumer handled every story update")
        assert '"kind": "sources"' in pipeline.logs("story-alerts"), "the good updates raised alerts"


def test_poison_short(tmp_path: Path, redis_url: str, postgres_url: str) -> None:
    """Malformed, mis-versioned, foreign and oversized messages on both consumed streams are dead-lettered
    with a reason, and so is a raw article whose extraction is too big to publish; a page too big to publish
    is refused by the fetcher; the 40 good articles are all stored once. Poison on the story updates stream is dead-lettered by the example downstream
    consumer, which handles every good update."""
    run_poison(tmp_path, 40, redis_url, postgres_url, timeout=90)


@pytest.mark.fault_long
def test_poison_long(tmp_path: Path, redis_url: str, postgres_url: str) -> None:
    """The same poison in the middle of 1,000 good articles."""
    run_poison(tmp_path, 1000, redis_url, postgres_url, timeout=900)
