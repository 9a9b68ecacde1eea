"""canonical_url: one spelling per article URL."""

import pytest
from fetcher.canonical import canonical_url


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("HTTP://Example.COM/News/Story", "http://example.com/News/Story"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com./a", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a?utm_source=rss&utm_medium=feed&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?UTM_Campaign=x&fbclid=abc&gclid=def&msclkid=1", "https://example.com/a"),
        ("https://example.com/a?q=north%20korea&flag=", "https://example.com/a?flag=&q=north%20korea"),
        ("https://[2001:DB8::1]:443/a", "https://[2001:db8::1]/a"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("https://example.com/a b/\x0cc\u3000x", "https://example.com/a%20b/%0Cc%E3%80%80x"),
        ("https://example.com/a\x0c?utm_source=rss", "https://example.com/a%0C"),
        ("https://example.com/a?id= x", "https://example.com/a?id=%20x"),
        ("https://example.com/a\tb\n", "https://example.com/ab"),
    ],
)
def test_equivalent_spellings_canonicalise_alike(given: str, expected: str) -> None:
    """Case of scheme and host, default ports, fragments, tracking parameters and query order do not matter."""
    assert canonical_url(given) == expected


def test_path_case_and_meaningful_parameters_are_kept() -> None:
    """Path case and non-tracking parameters can name different pages, so they survive."""
    assert canonical_url("https://example.com/Story?page=2&ref_id=9") == "https://example.com/Story?page=2&ref_id=9"


def test_canonical_form_is_stable() -> None:
    """Canonicalising twice changes nothing."""
    once = canonical_url("HTTPS://Example.com:443/x?b=1&a=2&utm_term=z#top")
    assert canonical_url(once) == once


def test_inner_whitespace_and_control_characters_are_encoded_once() -> None:
    """Whitespace inside a link is percent-encoded, so a second pass finds nothing left to strip at its end."""
    once = canonical_url("https://example.com/a\x0c\x85?utm_source=rss")
    assert once == "https://example.com/a%0C%C2%85"
    assert canonical_url(once) == once


@pytest.mark.parametrize("bad", ["ftp://example.com/a", "mailto:desk@example.com", "/relative/path", "https://",
                                 "https://exa mple.com/a", "https://example\x0c.com/a"])
def test_non_http_urls_are_rejected(bad: str) -> None:
    """Only absolute http(s) URLs, with a host free of whitespace and control characters, have a canonical form."""
    with pytest.raises(ValueError):
        canonical_url(bad)
