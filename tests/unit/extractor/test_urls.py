"""urls: the canonical URL an article is known by, and absolute links."""

from extractor.urls import absolute_http_url, canonical_url, same_site

FETCHED = "https://news.example/2024/story"


def test_page_canonical_on_the_same_site_is_used() -> None:
    """A canonical link on the fetched site (or its www/AMP mirror) names the article, without fragment."""
    assert (
        canonical_url("https://www.news.example/story-clean#top", FETCHED, FETCHED)
        == "https://www.news.example/story-clean"
    )
    assert canonical_url("/story-clean", FETCHED, FETCHED) == "https://news.example/story-clean"


def test_missing_invalid_or_foreign_canonical_keeps_the_fetched_one() -> None:
    """No canonical, a non-http one, or one on another site leaves the fetcher's canonical URL."""
    assert canonical_url(None, FETCHED, FETCHED) == FETCHED
    assert canonical_url("javascript:alert(1)", FETCHED, FETCHED) == FETCHED
    assert canonical_url("https://elsewhere.example/story", FETCHED, FETCHED) == FETCHED


def test_canonical_equal_up_to_spelling_keeps_the_fetchers_spelling() -> None:
    """Scheme, host case or a trailing slash do not change the article's id."""
    assert canonical_url("http://NEWS.example/2024/story/", FETCHED, FETCHED) == FETCHED


def test_same_site_ignores_mirror_prefixes_and_accepts_subdomains() -> None:
    """www., m. and amp. mirrors and subdomains are one site; a look-alike domain is not."""
    assert same_site("https://m.news.example/a", "https://www.news.example/b")
    assert same_site("https://sport.news.example/a", "https://news.example/b")
    assert not same_site("https://evilnews.example/a", "https://news.example/b")


def test_absolute_http_url_resolves_relative_links_and_refuses_other_schemes() -> None:
    """Images and links become absolute http(s) URLs, or None."""
    assert absolute_http_url("/img/a.jpg", FETCHED) == "https://news.example/img/a.jpg"
    assert absolute_http_url("//cdn.example/a.jpg", FETCHED) == "https://cdn.example/a.jpg"
    assert absolute_http_url("data:image/png;base64,AAAA", FETCHED) is None
    assert absolute_http_url("  ", FETCHED) is None
