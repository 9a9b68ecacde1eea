"""The sources file: validated before any fetch, errors naming the entry and the field."""

from pathlib import Path

import pytest
from fetcher.sources import SourcesFileError, load_sources, parse_sources
from newsflow_shared.contracts.source import Bias, Factuality, SourceRef

GOOD = """
sources:
  - id: northwind-herald
    name: Northwind Herald
    homepage: https://northwind.example/
    bias: center
    factuality: high
    ownership: independent
    feeds:
      - url: https://northwind.example/feed.xml
  - id: harbour-post
    name: Harbour Post
    feeds:
      - url: https://harbour.example/rss
      - url: https://harbour.example/world/atom.xml
"""


def test_good_file_gives_sources_with_ratings_and_feeds() -> None:
    """Each entry becomes a source whose ratings travel downstream as a SourceRef."""
    first, second = parse_sources(GOOD)
    assert first.ref == SourceRef(id="northwind-herald", name="Northwind Herald", homepage="https://northwind.example/",
                                  bias=Bias.CENTER, factuality=Factuality.HIGH, ownership="independent")
    assert [f.url for f in first.feeds] == ["https://northwind.example/feed.xml"]
    assert second.bias is None and len(second.feeds) == 2


def _error(text: str) -> str:
    with pytest.raises(SourcesFileError) as caught:
        parse_sources(text, origin="sources.yaml")
    return str(caught.value)


def test_bad_rating_names_entry_and_field() -> None:
    """An unknown bias value is reported with the entry's index, id and the field."""
    message = _error(GOOD.replace("bias: center", "bias: centre"))
    assert message.startswith("sources.yaml: ")
    assert "sources[0] (id 'northwind-herald'): bias:" in message


def test_misspelt_key_is_refused_not_ignored() -> None:
    """A typo such as `factualty` would silently drop a rating, so it is an error."""
    message = _error(GOOD.replace("factuality: high", "factualty: high"))
    assert "sources[0] (id 'northwind-herald'): factualty:" in message


def test_feed_url_must_be_absolute_http() -> None:
    """A relative or non-http feed URL is reported with its position in the feeds list."""
    message = _error(GOOD.replace("https://harbour.example/rss", "ftp://harbour.example/rss"))
    assert "sources[1] (id 'harbour-post'): feeds[0].url: must be an absolute http:// or https:// URL" in message


def test_source_without_feeds_is_refused() -> None:
    """An outlet with no feeds cannot be followed."""
    message = _error("sources:\n  - id: lonely\n    name: Lonely\n    feeds: []\n")
    assert "sources[0] (id 'lonely'): feeds:" in message


def test_bad_id_and_missing_name_are_both_reported() -> None:
    """Every problem in the file is listed at once, not one per restart."""
    message = _error("sources:\n  - id: Not Valid\n    feeds:\n      - url: https://a.example/f\n")
    assert "id:" in message and "name: Field required" in message


def test_duplicate_ids_are_refused() -> None:
    """Two entries with one id would make their articles indistinguishable downstream."""
    message = _error(GOOD.replace("id: harbour-post", "id: northwind-herald"))
    assert "sources[1] (id 'northwind-herald'): id: duplicate" in message


@pytest.mark.parametrize("text", ["", "sources: []\n", "- just a list\n", "sources: {a: 1}\n"])
def test_empty_or_misshapen_documents_are_refused(text: str) -> None:
    """A file that lists no sources is a mistake, not a quiet no-op."""
    _error(text)


def test_yaml_syntax_error_names_the_file() -> None:
    """Broken YAML says so, with the file name."""
    assert _error("sources: [unclosed\n").startswith("sources.yaml: not valid YAML")


def test_missing_file_is_a_sources_error(tmp_path: Path) -> None:
    """A wrong FETCHER_SOURCES_FILE path fails with the path in the message."""
    missing = tmp_path / "nope.yaml"
    with pytest.raises(SourcesFileError, match="nope.yaml: cannot read"):
        load_sources(missing)


def test_errors_name_the_line() -> None:
    """Each problem carries the line of the offending value (or of its entry when a field is missing)."""
    message = _error(GOOD.replace("bias: center", "bias: centre"))
    assert "line 6: sources[0] (id 'northwind-herald'): bias:" in message
    missing = _error("sources:\n  - id: ok\n    name: Ok\n    feeds:\n      - url: https://a.example/f\n"
                     "  - id: nameless\n    feeds:\n      - url: https://b.example/f\n")
    assert "line 6: sources[1] (id 'nameless'): name: Field required" in missing


def test_feed_kind_and_sitemap_discovery() -> None:
    """A feed may be marked as a sitemap; a source may list no feeds if it discovers sitemaps from robots.txt."""
    (source,) = parse_sources("sources:\n  - id: mapped\n    name: Mapped\n    homepage: https://m.example/\n"
                              "    discover_sitemaps: true\n    feeds:\n      - url: https://m.example/news.xml\n"
                              "        kind: sitemap\n")
    assert source.discover_sitemaps and source.feeds[0].kind == "sitemap"
    assert "discover_sitemaps" not in source.ref.model_dump()
    message = _error("sources:\n  - id: empty\n    name: Empty\n")
    assert "sources[0] (id 'empty'): feeds: list at least one feed, or set discover_sitemaps: true" in message
    assert "kind:" in _error(GOOD.replace("      - url: https://harbour.example/rss",
                                          "      - url: https://harbour.example/rss\n        kind: podcast"))
