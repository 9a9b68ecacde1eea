"""Archived pages made into raw-article messages: where each page's URL comes from, how it travels."""

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from newsflow_shared.backfill import (
    COMPRESS_ABOVE_CHARS,
    NoRecords,
    Page,
    PageSkipped,
    canonical_link,
    html_files,
    page_from_file,
    page_url,
    to_article,
    warc_pages,
)
from newsflow_shared.contracts.raw_articles import MAX_HTML_CHARS, article_id, content_hash
from newsflow_shared.contracts.source import SourceRef

SOURCE = SourceRef(id="herald", name="Herald")


def page(html: str, url: str = "https://herald.example/a") -> Page:
    return Page(url=url, html=html, fetched_at=datetime(2026, 1, 1, tzinfo=UTC), origin="file:a.html")


def test_the_canonical_link_is_found_whatever_the_attribute_order() -> None:
    assert canonical_link('<link href="https://x.example/a" rel="canonical">') == "https://x.example/a"
    assert canonical_link("<LINK REL=canonical HREF='https://x.example/b'>") == "https://x.example/b"
    assert canonical_link('<link rel="stylesheet" href="/s.css">') is None


def test_a_page_url_is_its_absolute_canonical_link_else_base_url_plus_path() -> None:
    assert page_url('<link rel="canonical" href="https://x.example/c">', "d/p.html", "https://y.example/") == \
        "https://x.example/c"
    assert page_url('<link rel="canonical" href="/relative">', "d/p.html", "https://y.example/arch") == \
        "https://y.example/arch/d/p.html"
    with pytest.raises(PageSkipped, match="d/p.html: no absolute canonical link"):
        page_url("<html></html>", "d/p.html", None)


def test_html_files_are_found_recursively_in_a_stable_order(tmp_path: Path) -> None:
    for name in ("b/2.htm", "a/1.html", "c.txt", "Z.HTML"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [p.relative_to(tmp_path).as_posix() for p in html_files(tmp_path)] == ["Z.HTML", "a/1.html", "b/2.htm"]


def test_a_page_becomes_the_message_the_fetcher_would_publish() -> None:
    article = to_article(page("<html>hello</html>"), SOURCE)
    assert (article.url, article.canonical_url, article.html) == ("https://herald.example/a",) * 2 + (
        "<html>hello</html>",)
    assert article.article_id == article_id("https://herald.example/a")
    assert article.content_hash == content_hash("<html>hello</html>")
    assert article.http.status == 200 and article.feed.feed_url == "file:a.html"


def test_large_pages_travel_compressed_and_oversized_ones_are_skipped() -> None:
    big = "<p>word</p>" * (COMPRESS_ABOVE_CHARS // 10)
    article = to_article(page(big), SOURCE)
    assert article.html == "" and article.page_html() == big
    with pytest.raises(PageSkipped, match="over the"):
        to_article(page("x" * (MAX_HTML_CHARS + 1)), SOURCE)


def test_a_file_gone_since_the_directory_was_listed_is_skipped_not_fatal(tmp_path: Path) -> None:
    """Only that page is passed over (named, with the reason); an OSError here had ended the whole import as
    if Redis had failed."""
    with pytest.raises(PageSkipped, match=r"^news/gone\.html: cannot read it: No such file or directory$"):
        page_from_file(tmp_path / "news" / "gone.html", tmp_path, None)


def test_a_file_with_no_warc_record_is_refused_not_read_as_an_empty_archive() -> None:
    with pytest.raises(NoRecords, match="^crawl.warc: no WARC records in it$"):
        list(warc_pages(io.BytesIO(b""), "crawl.warc"))


def test_a_record_whose_capture_date_is_unreadable_is_taken_as_captured_now() -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    archive = io.BytesIO()
    writer = WARCWriter(archive, gzip=False)
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    record = writer.create_warc_record("https://herald.example/a", "response", http_headers=http,
                                       payload=io.BytesIO(b"<html><title>A</title></html>"))
    record.rec_headers.replace_header("WARC-Date", "last tuesday")
    writer.write_record(record)
    before = datetime.now(UTC)
    [page] = warc_pages(io.BytesIO(archive.getvalue()), "crawl.warc")
    assert isinstance(page, Page) and page.url == "https://herald.example/a"
    assert before <= page.fetched_at <= datetime.now(UTC)
