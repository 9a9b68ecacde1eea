"""pipeline: extraction off the event loop, with every outcome counted and failures made dead-letterable."""

from datetime import UTC, datetime

import anyio
import pytest
from prometheus_client import REGISTRY

from extractor import page
from extractor.pipeline import extract_off_loop
from newsflow_shared.delivery import InvalidMessage
from tests.unit.extractor.pages import fetched_page, fixture_html, huge_article_html


def failures(reason: str) -> float:
    return REGISTRY.get_sample_value("newsflow_extraction_failures_total", {"reason": reason}) or 0.0


def clock() -> datetime:
    return datetime(2024, 6, 20, tzinfo=UTC)


async def test_an_article_is_returned_without_counting_a_failure() -> None:
    """A normal page yields its ArticleExtracted and leaves the failure counter alone."""
    before = {r: failures(r) for r in ("no_text", "too_short", "empty", "unparseable", "error")}
    article = await extract_off_loop(
        fetched_page(fixture_html("article_jsonld.html")), min_article_words=30, clock=clock
    )

    assert article.is_article is True
    assert article.extracted_at == clock()
    assert {r: failures(r) for r in before} == before


async def test_a_page_without_article_is_returned_flagged_and_counted() -> None:
    """An empty page is still returned (to be published) and counted under its reason."""
    before = failures("no_text")
    article = await extract_off_loop(
        fetched_page(fixture_html("empty.html")), min_article_words=30, clock=clock
    )

    assert article.is_article is False
    assert failures("no_text") == before + 1


async def test_an_extractor_crash_becomes_invalid_message_and_is_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A library crash raises InvalidMessage (dead-lettered at once by the delivery middleware)."""

    def explode(html: str, url: str) -> page.PageReading:
        raise MemoryError("lxml ran out")

    monkeypatch.setattr(page, "read_page", explode)
    before = failures("error")
    with pytest.raises(InvalidMessage, match="MemoryError"):
        await extract_off_loop(
            fetched_page(fixture_html("article_jsonld.html")), min_article_words=30, clock=clock
        )
    assert failures("error") == before + 1


async def test_the_event_loop_keeps_running_while_a_huge_page_is_extracted() -> None:
    """Extraction runs in a thread: other tasks (health checks, acks) keep being scheduled meanwhile."""
    fetched = fetched_page(huge_article_html())
    ticks = 0
    done = anyio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await anyio.sleep(0.01)

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(ticker)
        await anyio.sleep(0)  # let the ticker take its first step
        ticks = 0
        article = await extract_off_loop(fetched, min_article_words=30, clock=clock)
        done.set()

    assert article.is_article is True
    assert ticks >= 5  # a blocked loop would have ticked 0 times during the ~1 s extraction
