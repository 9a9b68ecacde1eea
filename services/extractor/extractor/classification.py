"""Whether a page is an article, and if not why: the rule behind is_article=False.

Pages without an article are still published (flagged), so nothing is lost; the reason is the
`reason` label of newsflow_extraction_failures_total and of the log line.
"""

from enum import StrEnum

# Page types (og:type, or schema.org @type as trafilatura lowercases it) that declare a page
# holding no single article: home and section fronts, search results, profiles.
NON_ARTICLE_TYPES = frozenset(
    {"website", "collectionpage", "searchresultspage", "profilepage", "aboutpage", "contactpage", "itemlist"}
)
# A page that declares itself one of those may still be an article on a site that mislabels every
# page; only above this many words do we believe the text over the label.
DECLARED_LISTING_MAX_WORDS = 150
LIST_ITEM_PREFIX = "- "  # how trafilatura renders <li> in text output


class NotArticle(StrEnum):
    EMPTY = "empty"  # no markup at all
    UNPARSEABLE = "unparseable"  # not HTML: binary data, another format
    NO_TEXT = "no_text"  # HTML, but no main text: boilerplate only, or a link list trafilatura rejects
    LISTING = "listing"  # an index or section front: teasers, mostly list items
    TOO_SHORT = "too_short"  # some prose, below the article threshold


def classify(text: str, *, word_count: int, page_type: str | None, min_words: int) -> NotArticle | None:
    """None for an article; otherwise the reason it is not one."""
    if not text:
        return NotArticle.NO_TEXT
    if is_listing(text, word_count=word_count, page_type=page_type):
        return NotArticle.LISTING
    if word_count < min_words:
        return NotArticle.TOO_SHORT
    return None


def is_listing(text: str, *, word_count: int, page_type: str | None) -> bool:
    """Mostly list items (teasers), or declared a non-article page and short."""
    paragraphs = text.split("\n")
    list_items = sum(p.startswith(LIST_ITEM_PREFIX) for p in paragraphs)
    if list_items * 2 > len(paragraphs):
        return True
    declared = (page_type or "").strip().lower()
    return declared in NON_ARTICLE_TYPES and word_count < DECLARED_LISTING_MAX_WORDS
