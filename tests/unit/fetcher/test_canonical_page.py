"""Settling an article's canonical URL after the fetch: redirects, then a same-site <link rel=canonical>."""

from fetcher.canonical import declared_canonical, final_canonical, same_site


def test_rel_canonical_is_found_in_any_attribute_order_and_resolved() -> None:
    body = b'<html><head><LINK HREF="/story?utm_source=x" REL="canonical"></head><body></body></html>'
    assert declared_canonical(body, "https://n.example/amp/story") == "https://n.example/story"
    assert declared_canonical(b"<link rel='canonical' href='https://n.example/a#top'>", "https://n.example/") \
        == "https://n.example/a"


def test_rel_canonical_in_the_body_or_unusable_is_ignored() -> None:
    assert declared_canonical(b'<head></head><body><link rel="canonical" href="/x"></body>', "https://n.example/") \
        is None
    assert declared_canonical(b'<link rel="canonical" href="javascript:alert(1)">', "https://n.example/") is None
    assert declared_canonical(b'<link rel="canonical">', "https://n.example/") is None


def test_same_site_ignores_www_only() -> None:
    assert same_site("https://www.n.example/a", "http://n.example/b")
    assert not same_site("https://evil.example/a", "https://n.example/a")
    assert not same_site("https://sub.n.example/a", "https://n.example/a")


def test_final_canonical_prefers_same_site_declaration_over_the_landing_url() -> None:
    body = b'<head><link rel="canonical" href="https://n.example/story"></head>'
    assert final_canonical("https://n.example/r/1", "https://n.example/story?ref=rss", body) == "https://n.example/story"
    assert final_canonical("https://n.example/r/1", "https://n.example/landed", b"") == "https://n.example/landed"
    foreign = b'<head><link rel="canonical" href="https://other.example/story"></head>'
    assert final_canonical("https://n.example/a", "https://n.example/a", foreign) == "https://n.example/a"
