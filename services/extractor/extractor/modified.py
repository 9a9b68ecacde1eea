"""When the page says it was last modified: JSON-LD and meta first, then htmldate's latest date."""

import json
import re

from htmldate import find_date
from lxml.html import HtmlElement

_META_KEYS = {
    "article:modified_time", "og:updated_time", "last-modified", "dcterms.modified", "dc.date.modified",
    "datemodified", "modified", "lastmod", "revised",
}
_JSON_LD_MODIFIED = re.compile(r'"dateModified"\s*:\s*"([^"]+)"')
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


def modified_date(tree: HtmlElement) -> str | None:
    """An ISO date string as the page gives it, or None."""
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        found = _JSON_LD_MODIFIED.search(script.text or "")
        if found:
            return found[1]
    for meta in tree.iterfind(".//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv") or "").lower()
        if key in _META_KEYS and meta.get("content", "").strip():
            return meta.get("content").strip()
    for element in tree.iterfind(".//*[@itemprop='dateModified']"):
        value = element.get("datetime") or element.get("content") or (element.text or "").strip()
        if value:
            return value
    return None


def latest_date(tree: HtmlElement) -> str | None:
    """htmldate's most recent date in the markup (its "modified" guess), without searching the prose."""
    try:
        return find_date(tree, original_date=False, extensive_search=False, outputformat=DATE_FORMAT)
    except (ValueError, TypeError, json.JSONDecodeError):
        return None
