"""Feed parsing never crashes: any bytes give items or a FeedProblem, nothing else."""

from fetcher.feeds import FeedProblem, parse_feed
from hypothesis import given
from hypothesis import strategies as st

RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
       b"<item><title>A</title><link>http://example.com/a</link><pubDate>Mon, 02 Mar 2026 10:00:00 GMT</pubDate>"
       b"</item><item><title>B</title><link>/b</link></item></channel></rss>")
ATOM = (b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>'
        b'<entry><title>A</title><link href="http://example.com/a"/><updated>2026-03-02T10:00:00Z</updated>'
        b"</entry></feed>")
JSON = b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "url": "http://example.com/a"}]}'


def parse(body: bytes) -> None:
    try:
        parsed = parse_feed(body, url="http://example.com/feed.xml")
    except FeedProblem:
        return
    for item in parsed.items:
        assert item.link is None or isinstance(item.link, str)


@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash_the_parser(body: bytes) -> None:
    """Random bytes are a FeedProblem or an (empty) feed, never an exception from inside the parser."""
    parse(body)


@given(st.sampled_from([RSS, ATOM, JSON]), st.integers(0, 400), st.binary(max_size=40), st.integers(0, 40))
def test_mutated_feeds_never_crash_the_parser(feed: bytes, at: int, insert: bytes, cut: int) -> None:
    """Real feeds with bytes cut out or spliced in (broken XML, bad encodings, truncated JSON) never crash."""
    at = min(at, len(feed))
    parse(feed[:at] + insert + feed[at + cut:])


@given(st.text(max_size=300))
def test_arbitrary_text_in_an_item_never_crashes(text: str) -> None:
    """Whatever text a title or link holds, escaped into a well-formed feed, parses or is refused cleanly."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").encode("utf-8", "surrogatepass")
    parse(b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>' + escaped + b"</title><link>"
          + escaped + b"</link></item></channel></rss>")
