"""The fetcher's additions to ArticleFetched: revision, and large pages gzipped in html_gzip_b64."""

from datetime import UTC, datetime

import pytest
from newsflow_shared.contracts.raw_articles import ArticleFetched, FeedEntry, HttpMeta, content_hash
from newsflow_shared.contracts.source import SourceRef
from pydantic import ValidationError

HTML = "<html><body>" + "<p>Café crème, déjà vu.</p>" * 1000 + "</body></html>"


def article(**fields: object) -> ArticleFetched:
    values: dict = {
        "source": SourceRef(id="s", name="S"), "url": "https://s.example/a", "canonical_url": "https://s.example/a",
        "feed": FeedEntry(feed_url="https://s.example/f"),
        "http": HttpMeta(status=200, final_url="https://s.example/a", fetched_at=datetime.now(UTC)),
        "content_hash": content_hash(HTML),
    }
    values.update(fields)
    return ArticleFetched(**values)


def test_page_html_reads_either_form() -> None:
    """Consumers call page_html() and get the same text whether the page came plain or gzipped."""
    assert article(html=HTML).page_html() == HTML
    compressed = article(html_gzip_b64=ArticleFetched.compress_html(HTML))
    assert compressed.html == "" and compressed.page_html() == HTML


def test_revision_defaults_to_one_and_old_messages_still_parse() -> None:
    """A message from before the field existed is revision 1."""
    legacy = article(html=HTML).model_dump(mode="json", exclude={"revision", "html_gzip_b64"})
    assert ArticleFetched.model_validate(legacy).revision == 1
    with pytest.raises(ValidationError):
        article(html=HTML, revision=0)


def test_both_bodies_at_once_are_refused() -> None:
    with pytest.raises(ValidationError, match="exclusive"):
        article(html=HTML, html_gzip_b64=ArticleFetched.compress_html(HTML))
