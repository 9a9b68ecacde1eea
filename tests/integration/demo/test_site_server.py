"""The demo site over real HTTP: placeholders filled in, content types right, every request recorded."""

import httpx

from demo import catalog
from demo.site_server import serve_site


def test_feed_is_served_with_its_links_pointing_at_the_running_site() -> None:
    """`{base_url}` in a feed becomes the server's own http://127.0.0.1:PORT."""
    with serve_site() as site:
        response = httpx.get(site.url("/northwind-herald/feed.xml"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/rss+xml")
    assert "{base_url}" not in response.text
    assert f"<link>{site.base_url}/northwind-herald/" in response.text
    assert site.base_url.startswith("http://127.0.0.1:")


def test_atom_feeds_and_pages_get_their_own_content_types() -> None:
    """Atom feeds are application/atom+xml and article pages text/html."""
    page = min(catalog.article_paths())
    with serve_site() as site, httpx.Client() as client:
        atom = client.get(site.url("/harbor-ledger/feed.atom"))
        html = client.get(site.url(page + "?utm_source=rss"))
    assert atom.headers["content-type"].startswith("application/atom+xml")
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert f'<link rel="canonical" href="{site.base_url}{page}">' in html.text


def test_each_request_is_recorded_with_its_path_and_headers() -> None:
    """Tests can see what a client asked for, query string and headers included."""
    with serve_site() as site:
        httpx.get(site.url("/capital-wire/feed.xml?x=1"), headers={"User-Agent": "newsflow-test/1"})
        httpx.get(site.url("/nowhere.html"))
    first, second = site.requests
    assert (first.method, first.path, first.headers["User-Agent"]) == ("GET", "/capital-wire/feed.xml?x=1",
                                                                       "newsflow-test/1")
    assert len(site.requests_for("/capital-wire/feed.xml")) == 1
    assert second.path == "/nowhere.html"


def test_missing_pages_and_paths_outside_the_site_are_not_found() -> None:
    """Unknown paths answer 404, and ../ cannot reach files beside the site folder."""
    with serve_site() as site:
        missing = httpx.get(site.url("/northwind-herald/missing.html"))
        escape = httpx.get(site.url("/..%2f..%2fsources.yaml"))
    assert missing.status_code == 404
    assert escape.status_code == 404


def test_a_repeated_fetch_with_the_etag_is_not_modified() -> None:
    """The site answers If-None-Match with 304, as real outlets do for conditional feed polls."""
    with serve_site() as site, httpx.Client() as client:
        first = client.get(site.url("/lakeside-times/feed.xml"))
        again = client.get(site.url("/lakeside-times/feed.xml"), headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_a_test_can_replace_or_add_a_page_while_the_site_runs() -> None:
    """put() serves new content (placeholders filled) or a chosen status at a path."""
    with serve_site() as site, httpx.Client() as client:
        site.put("/extra/feed.xml", "<rss><channel><link>{base_url}/extra/</link></channel></rss>")
        site.put("/northwind-herald/feed.xml", "down", status=503)
        added = client.get(site.url("/extra/feed.xml"))
        failing = client.get(site.url("/northwind-herald/feed.xml"))
    assert f"<link>{site.base_url}/extra/</link>" in added.text
    assert added.headers["content-type"].startswith("application/rss+xml")
    assert failing.status_code == 503


def test_a_given_base_url_is_what_the_pages_link_to() -> None:
    """Behind another name (the compose service demo-site) links use that name, not the bound address."""
    with serve_site(base_url="http://demo-site:8765") as site:
        body = httpx.get(f"http://127.0.0.1:{site.port}/frontier-daily/feed.atom").text
    assert 'href="http://demo-site:8765/frontier-daily/' in body
