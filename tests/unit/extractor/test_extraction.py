"""extraction.extract on the fixture pages: every field, and a clear outcome for bad input."""

import json
from datetime import UTC, datetime

import pytest

from extractor import page
from extractor.classification import NotArticle
from extractor.extraction import ExtractionError, extract
from newsflow_shared.contracts.raw_articles import MAX_HTML_CHARS, article_id
from tests.unit.extractor.pages import FETCHED_AT, fetched_page, fixture_html, huge_article_html

NOW = datetime(2024, 6, 20, 9, 5, tzinfo=UTC)


def run(fetched, *, min_article_words: int = 30):
    return extract(fetched, now=NOW, min_article_words=min_article_words)


def test_article_with_json_ld_yields_every_field_from_the_page() -> None:
    """A news article with JSON-LD and a byline gives text, title, both authors, date, language and links."""
    fetched = fetched_page(fixture_html("article_jsonld.html"), feed_title="Feed's own title")
    extraction = run(fetched)
    article = extraction.article

    assert extraction.not_article is None
    assert article.is_article is True
    assert article.title == "Harbour bridge reopens after two-year repair"
    assert article.authors == ["Maren Holt", "Tobias Reyes"]
    assert article.published_at == datetime(2024, 3, 5, 13, 30, tzinfo=UTC)
    assert article.published_at.utcoffset().total_seconds() == 0
    assert article.language == "en"
    assert article.description.startswith("The Eastgate harbour bridge carries traffic again")
    assert article.site_name == "Northwind Herald"
    assert article.image == "https://northwind-herald.example/media/bridge-1200.jpg"
    assert article.canonical_url == "https://northwind-herald.example/news/2024/03/harbour-bridge-reopens"
    assert article.article_id == article_id(article.canonical_url)
    assert article.url == fetched.url
    assert article.feed_url == fetched.feed.feed_url
    assert article.source == fetched.source
    assert article.content_hash == fetched.content_hash
    assert article.fetched_at == FETCHED_AT
    assert article.extracted_at == NOW


def test_article_text_keeps_paragraphs_and_drops_boilerplate() -> None:
    """The main text is its five paragraphs, one a line, without title, byline, menus, banners or footer."""
    article = run(fetched_page(fixture_html("article_jsonld.html"))).article
    paragraphs = article.text.split("\n")

    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("The Eastgate harbour bridge reopened to traffic on Tuesday morning")
    assert paragraphs[-1].endswith("presented to the regional council in June.")
    for boilerplate in ("cookies", "Related stories", "All rights reserved", "Subscribe", "Privacy policy"):
        assert boilerplate not in article.text
    assert article.word_count == len(article.text.split())
    assert article.word_count > 200


def test_page_with_only_meta_tags_yields_open_graph_fields() -> None:
    """Without JSON-LD, title, author, date, site name, image and canonical come from meta and og: tags."""
    url = "https://riverside-gazette.example/local/night-bus-network?ref=feed"
    fetched = fetched_page(fixture_html("article_meta_only.html"), url=url, canonical_url=url)
    article = run(fetched).article

    assert article.is_article is True
    assert article.title == "Council votes to expand night bus network"
    assert article.authors == ["Priya Natarajan"]
    assert article.published_at == datetime(2024, 6, 12, 8, 15, tzinfo=UTC)
    assert article.site_name == "Riverside Gazette"
    assert article.description.startswith("Three new night routes")
    assert article.image == "https://riverside-gazette.example/images/night-bus.jpg"
    assert article.canonical_url == "https://riverside-gazette.example/local/night-bus-network"
    assert article.language == "en"
    assert article.text.startswith("The city council voted on Wednesday evening")
    assert "Most read" not in article.text and "Log in" not in article.text
    assert len(article.text.split("\n")) == 4


def test_broken_markup_still_yields_the_text() -> None:
    """Unclosed and mismatched tags do not lose any paragraph."""
    article = run(fetched_page(fixture_html("broken_markup.html"))).article

    assert article.is_article is True
    assert article.title == "Storm brings down power lines across the valley"
    assert article.text.startswith("High winds brought down power lines")
    assert "Forecasters expect the wind to ease" in article.text
    assert article.text.endswith("rather than approaching them.")


def test_missing_page_metadata_falls_back_to_the_feed() -> None:
    """A page without author or date takes the feed's; a year in the prose is not taken for a date."""
    feed_date = datetime(2024, 2, 1, 7, 45, tzinfo=UTC)
    fetched = fetched_page(
        fixture_html("broken_markup.html"), feed_authors=("Ola Lind",), feed_published_at=feed_date
    )
    article = run(fetched).article

    assert article.authors == ["Ola Lind"]
    assert article.published_at == feed_date
    assert article.site_name == "Northwind Herald (source)"


def test_feed_title_is_used_when_the_page_has_none() -> None:
    """A page with text but no title takes the feed item's title."""
    paragraphs = "".join(
        f"<p>{'Paragraph text with enough words to count as an article. ' * 4}</p>" for _ in range(3)
    )
    html = f"<html><head></head><body><article>{paragraphs}</article></body></html>"
    article = run(fetched_page(html, feed_title="Title from the feed")).article

    assert article.title == "Title from the feed"
    assert article.is_article is True


def test_page_giving_only_a_day_takes_the_feeds_time_on_that_day() -> None:
    """A date-only page date and a feed timestamp on the same day give the feed's precise timestamp."""
    html = fixture_html("article_meta_only.html").replace("2024-06-12T08:15:00Z", "2024-06-12")
    feed_date = datetime(2024, 6, 12, 10, 40, tzinfo=UTC)
    article = run(fetched_page(html, feed_published_at=feed_date)).article

    assert article.published_at == feed_date


def test_non_english_page_is_detected_from_its_text() -> None:
    """A German article is tagged "de" and keeps its umlauts and ß."""
    url = "https://nordstadt-kurier.example/lokales/linie-9"
    article = run(fetched_page(fixture_html("non_english.html"), url=url, canonical_url=url)).article

    assert article.language == "de"
    assert article.title == "Neue Straßenbahnlinie verbindet Altstadt und Hafen"
    assert article.authors == ["Jana Vogel"]
    assert article.published_at == datetime(2024, 4, 22, 4, 0, tzinfo=UTC)
    assert article.site_name == "Nordstadt Kurier"
    assert "zwölftausend Fahrgästen" in article.text
    assert article.is_article is True


def test_index_page_is_published_flagged_as_not_an_article() -> None:
    """A section front of teaser links is kept, with its title and canonical URL, but is_article=False."""
    fetched = fetched_page(
        fixture_html("index_page.html"),
        url="https://northwind-herald.example/news/",
        canonical_url="https://northwind-herald.example/news/",
    )
    extraction = run(fetched)

    assert extraction.article.is_article is False
    assert extraction.not_article in {NotArticle.NO_TEXT, NotArticle.LISTING}
    assert extraction.article.title == "Latest news"
    assert extraction.article.site_name == "Northwind Herald"
    assert extraction.article.word_count < 30


def test_front_page_with_teaser_summaries_is_a_listing() -> None:
    """A home page whose teasers carry summary sentences is flagged as a listing, not taken for an article."""
    url = "https://riverside-gazette.example/"
    extraction = run(fetched_page(fixture_html("front_page.html"), url=url, canonical_url=url))

    assert extraction.not_article is NotArticle.LISTING
    assert extraction.article.is_article is False
    assert extraction.article.site_name == "Riverside Gazette"


def test_short_news_brief_is_an_article() -> None:
    """Two short paragraphs declared og:type article are a real (short) article, not a listing."""
    extraction = run(fetched_page(fixture_html("news_brief.html")))

    assert extraction.not_article is None
    assert extraction.article.is_article is True
    assert extraction.article.title == "Mill fire closes Canal Street"
    assert extraction.article.text.startswith("Firefighters spent the night")
    assert extraction.article.published_at == datetime(2024, 5, 2, 6, 10, tzinfo=UTC)


def test_empty_page_is_published_flagged_with_the_feeds_metadata() -> None:
    """A page with an empty body has no text, so it is flagged and keeps the feed's title and date."""
    feed_date = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)
    extraction = run(
        fetched_page(fixture_html("empty.html"), feed_title="Feed title", feed_published_at=feed_date)
    )

    assert extraction.not_article is NotArticle.NO_TEXT
    assert extraction.article.is_article is False
    assert extraction.article.text == ""
    assert extraction.article.word_count == 0
    assert extraction.article.title == "Feed title"
    assert extraction.article.published_at == feed_date


@pytest.mark.parametrize("html", ["", "   \n\t  "])
def test_blank_document_is_flagged_empty(html: str) -> None:
    """No markup at all gives an 'empty' outcome, not an exception."""
    extraction = run(fetched_page(html))

    assert extraction.not_article is NotArticle.EMPTY
    assert extraction.article.is_article is False
    assert extraction.article.canonical_url == extraction.article.canonical_url.strip()


def test_binary_junk_is_flagged_unparseable() -> None:
    """Random bytes (a mislabelled image or PDF) give an 'unparseable' outcome, not an exception."""
    junk = bytes((i * 73 + 41) % 256 for i in range(50_000)).decode("latin-1")
    extraction = run(fetched_page("%PDF-1.7\n" + junk))

    assert extraction.not_article is NotArticle.UNPARSEABLE
    assert extraction.article.is_article is False


@pytest.mark.parametrize("junk", ["\x00", "\x01\x0b", "&#0;", "&#1;", "&#x1F;", "&#xD800;"])
def test_control_characters_never_reach_the_output_nor_lose_the_text(junk: str) -> None:
    """Raw or escaped control characters keep the text intact and stay out of it (PostgreSQL refuses NUL)."""
    html = fixture_html("article_jsonld.html").replace("Eastgate", f"East{junk}gate")
    article = run(fetched_page(html)).article

    assert article.is_article is True
    assert article.text.startswith("The East")
    assert not any(ord(ch) < 0x20 and ch != "\n" for ch in article.text)
    json.loads(article.model_dump_json())


def test_huge_page_at_the_contract_limit_is_extracted() -> None:
    """A page just under MAX_HTML_CHARS is extracted without error (in about a second)."""
    html = huge_article_html()
    assert len(html) <= MAX_HTML_CHARS
    article = run(fetched_page(html)).article

    assert article.is_article is True
    assert article.word_count > 100_000


def test_canonical_url_on_another_site_is_ignored() -> None:
    """A page naming another site's URL as canonical keeps the fetched one: it cannot take that article."""
    html = fixture_html("article_jsonld.html").replace(
        "https://northwind-herald.example/news/2024/03/harbour-bridge-reopens",
        "https://other-paper.example/stolen",
    )
    fetched = fetched_page(html)
    article = run(fetched).article

    assert article.canonical_url == fetched.canonical_url
    assert article.article_id == fetched.article_id


def test_short_text_is_flagged_too_short() -> None:
    """Text under min_article_words is kept but flagged, with reason too_short."""
    extraction = run(fetched_page(fixture_html("article_jsonld.html")), min_article_words=10_000)

    assert extraction.not_article is NotArticle.TOO_SHORT
    assert extraction.article.is_article is False
    assert extraction.article.text  # nothing lost


def test_a_crash_inside_the_html_reader_is_an_extraction_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected exception from the libraries becomes ExtractionError, which the handler dead-letters."""

    def explode(html: str, url: str) -> page.PageReading:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(page, "read_page", explode)
    with pytest.raises(ExtractionError, match="RecursionError"):
        run(fetched_page(fixture_html("article_jsonld.html")))


def test_a_page_sent_gzipped_is_extracted_like_a_plain_one() -> None:
    """Large pages travel as html_gzip_b64 with html empty; the extractor reads them all the same."""
    plain = fetched_page(fixture_html("article_jsonld.html"))
    gzipped = plain.model_copy(update={"html": "", "html_gzip_b64": type(plain).compress_html(plain.html)})
    assert run(gzipped).article.text == run(plain).article.text != ""
