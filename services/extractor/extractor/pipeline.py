"""The handler's one step: extract off the event loop, then log and count what happened.

trafilatura is CPU-bound (about a second on a 5 MB page), so it runs in a worker thread and the
event loop keeps answering health checks and acknowledging other messages meanwhile.
"""

import logging
import time
from collections.abc import Callable
from datetime import datetime

import anyio.to_thread
import structlog

from extractor.analysis import Analyser
from extractor.classification import NotArticle
from extractor.extraction import Extraction, ExtractionError, extract
from extractor.metrics import EXTRACTION_FAILURES, EXTRACTION_SECONDS
from newsflow_shared.contracts.extracted_articles import ArticleExtracted
from newsflow_shared.contracts.raw_articles import ArticleFetched
from newsflow_shared.delivery import InvalidMessage

log = structlog.get_logger(__name__)
BAD_INPUT = {NotArticle.EMPTY, NotArticle.UNPARSEABLE}


async def extract_off_loop(
    fetched: ArticleFetched,
    *,
    min_article_words: int,
    clock: Callable[[], datetime],
    analyser: Analyser | None = None,
) -> ArticleExtracted:
    """Extract in a thread; an extractor failure becomes InvalidMessage, so it is dead-lettered at once."""
    started = time.perf_counter()
    try:
        extraction = await anyio.to_thread.run_sync(
            lambda: extract(fetched, now=clock(), min_article_words=min_article_words, analyser=analyser)
        )
    except ExtractionError as exc:
        EXTRACTION_FAILURES.labels(reason="error").inc()
        log.error("extraction failed", url=fetched.url, source=fetched.source.id, error=str(exc))
        raise InvalidMessage(f"extraction failed: {exc}") from exc
    finally:
        EXTRACTION_SECONDS.observe(time.perf_counter() - started)
    report(extraction, fetched, seconds=time.perf_counter() - started)
    return extraction.article


def report(extraction: Extraction, fetched: ArticleFetched, *, seconds: float) -> None:
    """One structured line per page, and the failure counter for every page that gave no article."""
    article = extraction.article
    fields = dict(
        url=fetched.url,
        source=fetched.source.id,
        article_id=article.article_id,
        words=article.word_count,
        language=article.language,
        ms=round(seconds * 1000, 1),
    )
    if extraction.analysis_error is not None:
        EXTRACTION_FAILURES.labels(reason="analysis_error").inc()
        log.error("text analysis failed; article published without it", error=extraction.analysis_error, **fields)
        return
    if extraction.not_article is None:
        log.info("article extracted", entities=len(article.entities), events=len(article.events), **fields)
        return
    reason = extraction.not_article
    EXTRACTION_FAILURES.labels(reason=reason.value).inc()
    # An empty or non-HTML body is bad input from upstream; an index page is just not an article.
    level = logging.WARNING if reason in BAD_INPUT else logging.INFO
    log.log(
        level,
        "page has no article text; published flagged is_article=false",
        reason=reason.value,
        html_chars=len(fetched.html),
        **fields,
    )
