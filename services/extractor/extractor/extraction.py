"""One fetched page in, one extracted article out: the extractor's whole job, as a plain function."""

from dataclasses import dataclass
from datetime import datetime

from extractor import dates, language, page, text, urls
from extractor.analysis import Analyser
from extractor.classification import NotArticle, classify
from newsflow_shared.contracts.extracted_articles import ArticleExtracted
from newsflow_shared.contracts.raw_articles import ArticleFetched, article_id


class ExtractionError(Exception):
    """The extractor itself failed on this page; retrying the same bytes would fail again."""


@dataclass(frozen=True)
class Extraction:
    """The article to publish, and why it is flagged is_article=False if it is."""

    article: ArticleExtracted
    not_article: NotArticle | None = None
    analysis_error: str | None = None  # the article is published without text analysis


def extract(
    fetched: ArticleFetched, *, now: datetime, min_article_words: int, analyser: Analyser | None = None
) -> Extraction:
    """Extract `fetched`; a page without article text is still returned, flagged, so nothing is lost.

    With an `analyser`, an article's text is also read for entities, quantities, quotations,
    dates, events, keywords, fingerprint and tone (pages flagged is_article=False are not).
    """
    html = fetched.page_html()  # large pages travel gzipped (html_gzip_b64)
    base_url = fetched.http.final_url or fetched.url
    if not html.strip():
        return Extraction(_from_feed_only(fetched, now), NotArticle.EMPTY)
    try:
        reading = page.read_page(html, base_url)
    except page.UnreadablePage:
        return Extraction(_from_feed_only(fetched, now), NotArticle.UNPARSEABLE)
    except Exception as exc:  # a bug or resource limit inside trafilatura/lxml/htmldate
        raise ExtractionError(f"{type(exc).__name__}: {exc}") from exc
    article = _article(fetched, reading, base_url=base_url, now=now)
    reason = classify(
        article.text, word_count=article.word_count, page_type=reading.page_type, min_words=min_article_words
    )
    if reason is not None:
        return Extraction(article.model_copy(update={"is_article": False}), reason)
    if analyser is None:
        return Extraction(article)
    try:
        fields = analyser.analyse(
            title=article.title, text=article.text, language=article.language, published=article.published_at
        )
    except Exception as exc:  # a bug in one reader must not lose the article: its text is still worth storing
        return Extraction(article, analysis_error=f"{type(exc).__name__}: {exc}")
    return Extraction(article.model_copy(update=fields))


def _article(
    fetched: ArticleFetched, reading: page.PageReading, *, base_url: str, now: datetime
) -> ArticleExtracted:
    title = text.clean_field(reading.title) or text.clean_field(fetched.feed.title)
    body = text.clean_text(reading.text, title=title)
    description = text.clean_field(reading.description)
    canonical = urls.canonical_url(reading.url, fetched.canonical_url, base_url)
    return ArticleExtracted(
        article_id=article_id(canonical),
        url=fetched.url,
        canonical_url=canonical,
        feed_url=fetched.feed.feed_url,
        source=fetched.source,
        content_hash=fetched.content_hash,
        title=title,
        text=body,
        authors=_authors(reading.authors) or _authors(fetched.feed.authors),
        published_at=(published := dates.publication_date(reading.date, fetched.feed.published_at)),
        modified_at=dates.modification_date(reading.modified, published),
        language=language.detect_language(
            body or " ".join(filter(None, [title, description])), declared=reading.declared_language
        ),
        description=description,
        site_name=_site_name(reading, fetched),
        image=urls.absolute_http_url(reading.image, canonical),
        fetched_at=fetched.http.fetched_at,
        extracted_at=now,
        word_count=text.word_count(body),
        is_article=True,
    )


def _from_feed_only(fetched: ArticleFetched, now: datetime) -> ArticleExtracted:
    """What is known without a readable page: the feed's title, authors and date."""
    return ArticleExtracted(
        article_id=fetched.article_id,
        url=fetched.url,
        canonical_url=fetched.canonical_url,
        feed_url=fetched.feed.feed_url,
        source=fetched.source,
        content_hash=fetched.content_hash,
        title=text.clean_field(fetched.feed.title),
        authors=_authors(fetched.feed.authors),
        published_at=dates.as_utc(fetched.feed.published_at),
        site_name=fetched.source.name,
        fetched_at=fetched.http.fetched_at,
        extracted_at=now,
        is_article=False,
    )


def _authors(names: list[str]) -> list[str]:
    cleaned = (text.clean_field(name) for name in names)
    return list(dict.fromkeys(name for name in cleaned if name))  # dedupe, keep the page's order


def _site_name(reading: page.PageReading, fetched: ArticleFetched) -> str:
    """The page's declared site name; trafilatura's guess from the hostname loses to the source's name."""
    declared = text.clean_field(reading.site_name)
    guessed_from_host = (
        declared is not None and reading.url is not None and (declared.lower() == urls.site_of(reading.url))
    )
    return fetched.source.name if declared is None or guessed_from_host else declared
