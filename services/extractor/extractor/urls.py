"""Which URL names an article, and absolute links for what the page refers to."""

from urllib.parse import urljoin, urlsplit, urlunsplit

# Host prefixes that name the same site (mobile, AMP and www mirrors canonicalise to one another).
MIRROR_PREFIXES = ("www.", "m.", "amp.", "mobile.")


def absolute_http_url(link: str | None, base: str) -> str | None:
    """`link` resolved against `base`, if it is an http(s) URL; None otherwise (data:, javascript:...)."""
    if not link or not link.strip():
        return None
    resolved = urljoin(base, link.strip())
    parts = urlsplit(resolved)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    return resolved


def site_of(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    for prefix in MIRROR_PREFIXES:
        if host.startswith(prefix):
            return host[len(prefix) :]
    return host


def same_site(a: str, b: str) -> bool:
    site_a, site_b = site_of(a), site_of(b)
    return bool(site_a) and (
        site_a == site_b or site_a.endswith("." + site_b) or site_b.endswith("." + site_a)
    )


def _comparable(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("", (parts.hostname or "").lower(), parts.path.rstrip("/"), parts.query, ""))


def canonical_url(declared: str | None, fetched_canonical: str, base: str) -> str:
    """The page's own canonical URL, unless it is missing, invalid or on another site.

    A page may not claim another site's article (that would merge or overwrite its record), and
    when it names the fetched URL up to scheme, host case or a trailing slash the fetcher's spelling
    is kept so the article id stays the one the fetcher derived.
    """
    declared_url = absolute_http_url(declared, base)
    if declared_url is None or not same_site(declared_url, fetched_canonical):
        return fetched_canonical
    if _comparable(declared_url) == _comparable(fetched_canonical):
        return fetched_canonical
    return urlunsplit(urlsplit(declared_url)._replace(fragment=""))
