"""A fuzz run of the extractor over mutated fixture pages: whatever the HTML, extraction returns, never raises."""

import time
from datetime import UTC, datetime

from extractor.extraction import extract
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.extractor.pages import FIXTURES, fetched_page

PAGES = sorted(path.read_text(encoding="utf-8") for path in FIXTURES.glob("*.html"))
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SNIPPETS = ["<", ">", "</div>", "<p>", "<script>", "</html>", "<!--", "-->", "<![CDATA[", "&#0;", "&#x110000;",
            "\x00", "\ufeff", "<meta charset='utf-16'>", '<html lang="\x7f">', "<time datetime='9999-99-99'>",
            '<meta property="article:published_time" content="-1">', "<article>", "</article>" * 50,
            '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": [}</script>',
            "<div>" * 300, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\u202e", "<title></title>" * 3]


@st.composite
def mutated_pages(draw: st.DrawFn) -> str:
    page = draw(st.sampled_from(PAGES))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(page)))
        kind = draw(st.sampled_from(["insert", "delete", "duplicate", "truncate", "noise"]))
        if kind == "insert":
            page = page[:at] + draw(st.sampled_from(SNIPPETS)) + page[at:]
        elif kind == "delete":
            page = page[:at] + page[at + draw(st.integers(1, 400)):]
        elif kind == "duplicate":
            page = page[:at] + page[at:at + draw(st.integers(1, 400))] * 2 + page[at:]
        elif kind == "truncate":
            page = page[:at]
        else:
            page = page[:at] + draw(st.text(max_size=50)) + page[at:]
    return page


@settings(max_examples=40)
@given(mutated_pages())
def test_mutated_pages_never_crash_the_extractor(html: str) -> None:
    """Broken tags, cut documents, bogus dates and control characters: extract() returns an Extraction."""
    started = time.monotonic()
    result = extract(fetched_page(html), now=NOW, min_article_words=50)
    assert result.article.canonical_url
    assert time.monotonic() - started < 10, "one page must not take seconds"
