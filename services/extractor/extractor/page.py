"""What trafilatura reads from one HTML page, in the extractor's own terms.

Everything trafilatura-specific stays here, so a second reader (a readability fallback) can be
added behind the same `PageReading` without touching the rest.
"""

import re
from dataclasses import dataclass

from lxml.html import HtmlElement, fromstring
from readability import Document
from trafilatura import bare_extraction
from trafilatura.metadata import extract_metadata
from trafilatura.utils import load_html

from extractor.modified import latest_date, modified_date

# extensive_search=False: htmldate's opportunistic text search turns any year in the prose or
# in a link ("the storms of 2019", "/2024/03/") into a publication date; the feed's own date is
# the better fallback. The output format keeps the time and offset when the page gives them.
DATE_PARAMS = {"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


# A numeric reference to a C0 control character (&#1;, &#x1f;) makes trafilatura's XML conversion
# fail and drop the whole text; browsers ignore them, so they are blanked before parsing.
_CONTROL_REFERENCE = re.compile(r"&#(?:[xX]0*([0-9a-fA-F]{1,2})|0*([0-9]{1,2}));")


def _blank_control_reference(match: re.Match[str]) -> str:
    code = int(match[1], 16) if match[1] else int(match[2])
    return " " if code < 0x20 and code not in (0x09, 0x0A, 0x0D) else match[0]


# Below this many characters from trafilatura (characters, not words: CJK text has no spaces),
# readability-lxml is tried; its text is kept when longer.
FALLBACK_BELOW_CHARS = 300
MIN_FALLBACK_PARAGRAPH_WORDS = 8
LISTING_TYPES = {"website", "collectionpage", "searchresultspage", "profilepage", "itemlist"}


class UnreadablePage(Exception):
    """The page could not be parsed as HTML at all (binary data, another format)."""


@dataclass(frozen=True)
class PageReading:
    """The page's main text and what its markup declares about itself; any field may be missing."""

    text: str
    title: str | None
    authors: list[str]
    date: str | None
    description: str | None
    site_name: str | None
    image: str | None
    url: str | None
    page_type: str | None
    declared_language: str | None
    modified: str | None = None
    reader: str = "trafilatura"  # or "readability", when trafilatura found (almost) nothing


def read_page(html: str, url: str) -> PageReading:
    """Read one page; `url` is where it was fetched from, for relative links and as default URL."""
    tree = load_html(_CONTROL_REFERENCE.sub(_blank_control_reference, html))
    if tree is None:
        raise UnreadablePage("not parseable as HTML")
    # favor_precision: measured on the test fixtures it keeps the same text on articles and
    # rejects link-list pages (section fronts) that the balanced mode returns as teaser text.
    # bare_extraction works on its own (deep) copy of a tree it is given, so `tree` stays intact
    # for the metadata pass.
    body = bare_extraction(
        tree,
        url=url,
        favor_precision=True,
        fast=True,
        include_comments=False,
        with_metadata=False,
    )
    meta = extract_metadata(tree, default_url=url, date_config=dict(DATE_PARAMS), extensive=False)
    text, reader = (body.text or "") if body is not None else "", "trafilatura"
    if len(text) < FALLBACK_BELOW_CHARS and (meta.pagetype or "").lower() not in LISTING_TYPES:
        fallback = readability_text(html)
        if len(fallback) > max(len(text), FALLBACK_BELOW_CHARS):
            text, reader = fallback, "readability"
    modified = modified_date(tree) or (latest_date(tree) if meta.date else None)
    return PageReading(
        text=text,
        reader=reader,
        modified=modified,
        title=meta.title,
        authors=split_authors(meta.author),
        date=meta.date,
        description=meta.description,
        site_name=meta.sitename,
        image=meta.image,
        url=meta.url,
        page_type=meta.pagetype,
        declared_language=declared_language(tree),
    )


def readability_text(html: str) -> str:
    """readability-lxml's main content as paragraphs; only prose paragraphs, since it keeps link lists."""
    try:
        summary = Document(html).summary(html_partial=True)
        root = fromstring(summary)
    except Exception:  # readability raises bare Unparseable/ValueError/ParserError on odd markup
        return ""
    paragraphs = []
    for element in root.iter("p", "li", "blockquote", "h2", "h3"):
        line = " ".join(element.text_content().split())
        links = sum(len(a.text_content()) for a in element.iter("a"))
        if len(line.split()) >= MIN_FALLBACK_PARAGRAPH_WORDS and links < len(line) / 2:
            paragraphs.append(line)
    return "\n".join(paragraphs)


def split_authors(author: str | None) -> list[str]:
    """trafilatura joins several authors with '; '."""
    if not author:
        return []
    return [name.strip() for name in author.split(";") if name.strip()]


def declared_language(tree: HtmlElement) -> str | None:
    """The language the markup claims (<html lang>, Content-Language, og:locale), often a template default."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for meta in tree.iterfind(".//meta[@content]"):
        key = (meta.get("http-equiv") or meta.get("property") or meta.get("name") or "").lower()
        if key in {"content-language", "og:locale", "language"}:
            candidates.append(meta.get("content"))
    return next((c.strip() for c in candidates if c and c.strip()), None)
