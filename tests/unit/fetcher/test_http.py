"""decode_html: page bytes to text whatever charset the server or page declares."""

from fetcher.http import decode_html


def test_header_charset_wins() -> None:
    """The Content-Type charset decides how the bytes are read."""
    assert decode_html("café".encode("latin-1"), "text/html; charset=ISO-8859-1") == "café"


def test_meta_charset_is_used_when_the_header_has_none() -> None:
    """A <meta charset> in the page is honoured when the header is silent."""
    body = b'<html><head><meta charset="windows-1252"></head><body>\x93quoted\x94</body></html>'
    assert "\u201cquoted\u201d" in decode_html(body, "text/html")


def test_unknown_charset_and_bad_bytes_fall_back_to_utf8_with_replacement() -> None:
    """A bogus charset name or invalid bytes never raise: the text keeps what can be read."""
    assert decode_html(b"ok \xff", "text/html; charset=no-such-codec") == "ok \ufffd"


def test_utf8_bom_is_dropped() -> None:
    """A byte-order mark is not part of the page's text."""
    assert decode_html(b"\xef\xbb\xbf<html>", None) == "<html>"
