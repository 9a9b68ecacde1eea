"""parse_feed: RSS, Atom and JSON Feed items, with links resolved and broken documents named."""

from datetime import UTC, datetime

import pytest
from fetcher.feeds import FeedProblem, parse_feed

FEED_URL = "https://northwind.example/world/feed.xml"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>Northwind Herald - World</title>
    <link>https://northwind.example/world/</link>
    <item>
      <title>Engineers sent to Kursk region</title>
      <link>https://northwind.example/world/kursk-engineers.html</link>
      <guid isPermaLink="false">nh-2025-0412</guid>
      <description>Thousands of military engineers and deminers are to be deployed.</description>
      <dc:creator>Mara Lind</dc:creator>
      <pubDate>Tue, 17 Jun 2025 09:30:00 +0200</pubDate>
    </item>
    <item>
      <title>Harbour strike enters second week</title>
      <link>/local/harbour-strike.html</link>
    </item>
    <item>
      <title>Editor's note without a page</title>
      <description>No link here.</description>
    </item>
  </channel>
</rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Harbour Post</title>
  <id>urn:harbour-post:feed</id>
  <updated>2025-06-17T08:00:00Z</updated>
  <entry>
    <title>Deminers head for Kursk</title>
    <id>urn:harbour-post:1</id>
    <link rel="alternate" href="stories/deminers-kursk"/>
    <updated>2025-06-17T08:00:00Z</updated>
    <published>2025-06-17T07:45:00Z</published>
    <author><name>Ivo Brandt</name></author>
    <author><name>Sun Park</name></author>
    <summary>A new deployment to the Kursk region.</summary>
  </entry>
  <entry>
    <title>Undated entry</title>
    <id>urn:harbour-post:2</id>
    <link href="https://harbour.example/stories/undated"/>
  </entry>
</feed>
"""


def test_rss_items_carry_link_guid_title_summary_author_and_date() -> None:
    """RSS fields map onto a feed item, dates normalised to UTC."""
    feed = parse_feed(RSS, url=FEED_URL, content_type="application/rss+xml")
    first = feed.items[0]
    assert first.link == "https://northwind.example/world/kursk-engineers.html"
    assert first.guid == "nh-2025-0412"
    assert first.title == "Engineers sent to Kursk region"
    assert first.summary == "Thousands of military engineers and deminers are to be deployed."
    assert first.authors == ["Mara Lind"]
    assert first.published_at == datetime(2025, 6, 17, 7, 30, tzinfo=UTC)
    assert feed.warning is None


def test_relative_links_resolve_against_the_feed_url() -> None:
    """A root-relative item link becomes absolute on the feed's host."""
    feed = parse_feed(RSS, url=FEED_URL)
    assert feed.items[1].link == "https://northwind.example/local/harbour-strike.html"


def test_items_without_link_or_date_are_kept_with_none() -> None:
    """Missing link or date is left as None for the poller to decide on, not an error."""
    feed = parse_feed(RSS, url=FEED_URL)
    assert feed.items[1].published_at is None
    assert feed.items[2].link is None and feed.items[2].title == "Editor's note without a page"


def test_atom_entries_resolve_relative_links_and_list_every_author() -> None:
    """Atom's alternate link is resolved against the feed URL's directory; all authors are kept."""
    feed = parse_feed(ATOM, url="https://harbour.example/feeds/atom.xml", content_type="application/atom+xml")
    first, second = feed.items
    assert first.link == "https://harbour.example/feeds/stories/deminers-kursk"
    assert first.guid == "urn:harbour-post:1"
    assert first.authors == ["Ivo Brandt", "Sun Park"]
    assert first.published_at == datetime(2025, 6, 17, 7, 45, tzinfo=UTC)
    assert second.link == "https://harbour.example/stories/undated"
    assert second.published_at is None


def test_json_feed_items_are_read() -> None:
    """JSON Feed 1.1 items give url, id, title, summary, authors and date."""
    body = b"""{"version": "https://jsonfeed.org/version/1.1", "title": "Eastgate Daily",
      "items": [
        {"id": "ed-1", "url": "/news/kursk.html", "title": "Pyongyang's engineers",
         "summary": "Deployment confirmed.", "date_published": "2025-06-17T10:00:00+02:00",
         "authors": [{"name": "Lena Ortiz"}]},
        {"id": 2, "content_text": "A note with no URL"}
      ]}"""
    first, second = parse_feed(body, url="https://eastgate.example/feed.json").items
    assert first.link == "https://eastgate.example/news/kursk.html"
    assert (first.guid, first.title, first.summary) == ("ed-1", "Pyongyang's engineers", "Deployment confirmed.")
    assert first.authors == ["Lena Ortiz"]
    assert first.published_at == datetime(2025, 6, 17, 8, 0, tzinfo=UTC)
    assert second.link is None and second.guid == "2"


def test_feed_with_no_items_is_empty_not_an_error() -> None:
    """A valid feed with nothing in it yet is normal."""
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    assert parse_feed(body, url=FEED_URL).items == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<!DOCTYPE html><html><head><title>Northwind</title></head><body>Home</body></html>", "not_a_feed"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><<<>>> & broken', "malformed_feed"),
        (b"just some text, certainly not a feed", "malformed_feed"),
        (b"", "malformed_feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "malformed_feed"),
        (b'{"name": "not a feed"}', "not_a_feed"),
    ],
)
def test_documents_that_are_not_usable_feeds_say_why(body: bytes, reason: str) -> None:
    """HTML pages, broken XML, plain text and foreign JSON are FeedProblems with a precise reason."""
    with pytest.raises(FeedProblem) as caught:
        parse_feed(body, url=FEED_URL, content_type="text/html")
    assert caught.value.reason == reason
    assert FEED_URL in caught.value.detail


def test_broken_feed_with_recoverable_items_gives_items_and_a_warning() -> None:
    """A feed broken after its first item still yields that item, flagged as recovered."""
    body = (b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>Kept</title>'
            b"<link>https://northwind.example/kept.html</link></item><item><title>Cut & off")
    feed = parse_feed(body, url=FEED_URL)
    assert feed.items[0].link == "https://northwind.example/kept.html"
    assert feed.warning and "not well-formed" in feed.warning
