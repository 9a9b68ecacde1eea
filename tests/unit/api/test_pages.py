"""The server-rendered pages as HTML: escaping of hostile text, links, errors, navigation between pages."""


from datetime import timedelta

from fastapi.testclient import TestClient
from store.api import build_api
from store.ingest import ingest_article
from store.settings import ApiSettings
from store.testing import extracted, migrated_engine, source_ref

from tests.unit.api.newsroom import HOSTILE_TITLE, NOW


def test_the_front_page_escapes_hostile_titles(client: TestClient) -> None:
    page = client.get("/")
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;" in page.text
    assert "<script" not in page.text and "<b>" not in page.text


def test_the_front_page_links_older_stories_by_cursor(client: TestClient) -> None:
    """With more stories than fit, an 'Older stories' link carries the cursor; most_covered keeps its order."""
    assert "Older stories" not in client.get("/").text
    page = client.get("/", params={"sort": "most_covered"})
    assert page.text.index("5 sources") < page.text.index("3 sources") < page.text.index("1 source<")
    assert client.get("/", params={"cursor": "junk"}).status_code == 400


def test_a_story_page_never_links_a_javascript_url(sqlite_url: str) -> None:
    """An article whose URL is javascript: is listed without a link; its outlet's name is escaped too."""
    engine = migrated_engine(sqlite_url)
    ingest_article(engine, extracted(
        "https://evil.example/a", url="javascript:alert(1)", title=HOSTILE_TITLE,
        source=source_ref("evil-wire", name='<img src=x onerror="alert(1)">'),
    ), now=NOW)
    engine.dispose()
    with TestClient(build_api(ApiSettings(DATABASE_URL=sqlite_url))) as client:
        story_id = client.get("/stories").json()["items"][0]["id"]
        html = client.get(f"/story/{story_id}").text
    assert "javascript:" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    assert "<img" not in html and "<script" not in html


def test_a_story_reported_over_three_days_charts_articles_per_day(sqlite_url: str) -> None:
    """An hourly chart of a story running for days has bars too thin to read: the page switches to days."""
    engine = migrated_engine(sqlite_url)
    for n, hours_before in enumerate((60, 30, 0)):
        published = NOW.replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours_before)
        ingest_article(engine, extracted(f"https://outlet{n}.example/kursk", source=source_ref(f"outlet-{n}"),
                                         published_at=published, fetched_at=NOW, content_hash=f"hash-{n}"), now=NOW)
    engine.dispose()
    with TestClient(build_api(ApiSettings(DATABASE_URL=sqlite_url))) as client:
        stories = client.get("/stories").json()["items"]
        assert [s["article_count"] for s in stories] == [3]
        detail = client.get(f"/stories/{stories[0]['id']}").json()
        html = client.get(f"/story/{stories[0]['id']}").text
    assert [(p["period_start"][:10], p["articles"]) for p in detail["coverage"]["timeline_daily"]] == [
        ("2026-11-02", 1), ("2026-11-03", 1), ("2026-11-04", 1)]
    assert "<summary>Articles per day</summary>" in html and 'scope="col">Day<' in html
    assert "Articles per hour" not in html


def test_an_unknown_story_page_is_a_404_page(client: TestClient) -> None:
    page = client.get("/story/nope")
    assert (page.status_code, page.headers["content-type"]) == (404, "text/html; charset=utf-8")
    assert "There is no such story" in page.text


def test_the_stylesheet_is_served(client: TestClient) -> None:
    css = client.get("/static/newsflow.css")
    assert css.status_code == 200 and ":focus-visible" in css.text
