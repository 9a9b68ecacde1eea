"""One spelling per article URL, so the same page reached by different links is fetched and stored once."""

import html
import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}

# Parameters that say how a reader arrived, never which page they asked for.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
    "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id",
    "vero_id", "rb_clickid", "s_cid", "wt_mc", "at_medium", "at_campaign",
})
TRACKING_PREFIXES = ("utm_",)


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


# Whitespace (as str.strip() and re's \s see it) and control characters. Stripped at a link's ends, they
# must not survive inside either, or canonicalising twice would strip what the first pass left at an end.
_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


def _escape_invisible(text: str) -> str:
    """Percent-encode whitespace and control characters (UTF-8), leaving everything else as written."""
    return _INVISIBLE.sub(lambda match: quote(match.group(0), safe=""), text)


def canonical_url(url: str) -> str:
    """Lowercase scheme and host, no default port, no fragment, no tracking parameters, sorted query, whitespace
    and control characters percent-encoded (path and user info; the query is re-encoded whole).

    Raises ValueError for anything that is not an absolute http(s) URL.
    """
    parts = urlsplit(url.strip())  # also drops tabs and newlines anywhere, as browsers do
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = (parts.hostname or "").rstrip(".")  # hostname is already lowercased by urlsplit
    if not host:
        raise ValueError(f"URL has no host: {url!r}")
    if _INVISIBLE.search(host):
        raise ValueError(f"whitespace or control character in host: {url!r}")
    port = parts.port  # raises ValueError for a non-numeric or out-of-range port
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{_escape_invisible(userinfo)}@{netloc}"
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(name)
    )
    path = _escape_invisible(parts.path) or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query, quote_via=quote), ""))


_LINK_TAG = re.compile(rb"<link\b[^>]*>", re.IGNORECASE)
_REL_CANONICAL = re.compile(rb"""\brel\s*=\s*["']?\s*canonical\b""", re.IGNORECASE)
_HREF = re.compile(rb"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
HEAD_BYTES = 65_536  # <link rel=canonical> belongs in <head>; a body-sized search would cost time for nothing


def declared_canonical(body: bytes, page_url: str) -> str | None:
    """The page's own `<link rel="canonical">`, resolved against its URL, if it names an http(s) URL."""
    head = body[:HEAD_BYTES]
    end = _HEAD_END.search(head)
    if end:
        head = head[: end.start()]
    for tag in _LINK_TAG.finditer(head):
        if not _REL_CANONICAL.search(tag.group(0)):
            continue
        match = _HREF.search(tag.group(0))
        if not match:
            return None
        raw = next(g for g in match.groups() if g is not None).decode("utf-8", "replace")
        href = html.unescape(raw).strip()
        if not href:
            return None
        try:
            return canonical_url(urljoin(page_url, href))
        except ValueError:
            return None
    return None


def same_site(a: str, b: str) -> bool:
    """Same host (a leading www. aside): a page may not claim another site's URL as its canonical."""
    def host(url: str) -> str:
        name = (urlsplit(url).hostname or "").rstrip(".")
        return name.removeprefix("www.")

    return bool(host(a)) and host(a) == host(b)


def final_canonical(link_canonical: str, final_url: str, body: bytes, *, link: str | None = None) -> str:
    """Where the article really lives: after redirects, then its same-site <link rel=canonical>."""
    if final_url == link:  # not redirected: the link's canonical form is the landing page's
        landed = link_canonical
    else:
        try:
            landed = canonical_url(final_url)
        except ValueError:
            landed = link_canonical
    declared = declared_canonical(body, final_url)
    if declared and same_site(declared, landed):
        return declared
    return landed
