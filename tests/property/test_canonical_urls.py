"""URL canonicalisation, for any input: idempotent, tracking-free, and failing only with ValueError."""

from urllib.parse import parse_qsl, urlsplit

from fetcher.canonical import canonical_url, is_tracking_param
from hypothesis import assume, example, given
from hypothesis import strategies as st

hosts = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z]{2,6}){1,2}", fullmatch=True)
# Any text a feed may carry, whitespace and control characters included (inside a link they are
# percent-encoded, at its ends stripped), weighted so whitespace and controls turn up often.
chars = st.one_of(st.characters(codec="utf-8"), st.characters(categories=("Cc", "Zs", "Zl", "Zp")),
                  st.sampled_from(" \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000"))
segments = st.text(alphabet=chars, max_size=12)
params = st.sampled_from(["id", "page", "q", "utm_source", "UTM_Medium", "fbclid", "gclid", "ref", "_ga", "x"])
values = st.text(alphabet=chars, max_size=8)
queries = st.lists(st.tuples(params, values), max_size=5)


@st.composite
def http_urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "HtTpS"]))
    host = draw(hosts)
    if draw(st.booleans()):
        host = host.upper()
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    path = "/".join(draw(st.lists(segments, max_size=4)))
    query = "&".join(f"{k}={v}" for k, v in draw(queries))
    fragment = draw(st.sampled_from(["", "#top", "#section-2"]))
    return f"{scheme}://{host}{port}/{path}" + (f"?{query}" if query else "") + fragment


@given(http_urls())
@example("https://example.com/a\x0c?utm_source=x")  # an inner control character left at the end by the first pass
@example("https://example.com/story?id= x")
@example("https://example.com/\u3000x\x85\u3000#top")
def test_canonicalising_twice_changes_nothing(url: str) -> None:
    """canonical_url(canonical_url(u)) == canonical_url(u) for every http(s) URL."""
    once = canonical_url(url)
    assert canonical_url(once) == once


@given(http_urls())
def test_no_tracking_parameter_and_no_fragment_survive(url: str) -> None:
    """utm_*, fbclid, gclid and the like are removed; the fragment is dropped; scheme and host are lowercase."""
    parts = urlsplit(canonical_url(url))
    assert not [name for name, _ in parse_qsl(parts.query, keep_blank_values=True) if is_tracking_param(name)]
    assert parts.fragment == ""
    assert parts.scheme in ("http", "https") and parts.netloc == parts.netloc.lower()


@given(http_urls(), st.sampled_from(["utm_source=rss", "fbclid=abc", "gclid=1&utm_campaign=x"]))
def test_adding_tracking_parameters_gives_the_same_canonical_url(url: str, tracking: str) -> None:
    """A link with tracking parameters names the same article as the link without them."""
    # Whitespace at a link's end is junk around it, stripped; once a query follows it is inside, percent-encoded.
    assume("#" not in url and url == url.strip())
    joined = url + ("&" if "?" in url else "?") + tracking
    assert canonical_url(joined) == canonical_url(url)


@given(st.text(max_size=200))
def test_arbitrary_strings_never_raise_anything_but_value_error(text: str) -> None:
    """Garbage from a feed is refused with ValueError, never another exception."""
    try:
        result = canonical_url(text)
    except ValueError:
        return
    assert canonical_url(result) == result
