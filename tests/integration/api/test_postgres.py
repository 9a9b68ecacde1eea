"""The API on PostgreSQL, as deployed: keyset paging, full-text search, source counts, pages."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from store.api import build_api
from store.settings import ApiSettings
from store.testing import migrated_engine

from tests.unit.api.newsroom import KURSK, RATES, ingest_demo


@pytest.fixture
def client(postgres_url: str) -> Iterator[TestClient]:
    engine = migrated_engine(postgres_url)
    ingest_demo(engine)
    engine.dispose()
    with TestClient(build_api(ApiSettings(DATABASE_URL=postgres_url))) as client:
        yield client


@pytest.mark.parametrize("sort", ["latest", "most_covered"])
def test_cursor_paging_matches_one_page(client: TestClient, sort: str) -> None:
    """Keyset paging on PostgreSQL's timestamptz gives the same order as one page."""
    whole = [s["id"] for s in client.get("/stories", params={"sort": sort}).json()["items"]]
    seen, cursor = [], None
    while True:
        page = client.get("/stories", params={"sort": sort, "limit": 1} | ({"cursor": cursor} if cursor else {}))
        seen += [s["id"] for s in page.json()["items"]]
        if not (cursor := page.json()["next_cursor"]):
            break
    assert seen == whole and len(whole) == 3
    articles = client.get("/articles", params={"limit": 2}).json()
    rest = client.get("/articles", params={"limit": 100, "cursor": articles["next_cursor"]}).json()
    assert len(articles["items"]) + len(rest["items"]) == articles["total"]


def test_search_is_full_text_with_stemming(client: TestClient) -> None:
    """'deminer' finds the articles that say 'deminers' (English stemming), across title, lead and text."""
    found = client.get("/search", params={"q": "deminer"}).json()
    assert {a["source"]["id"] for a in found["articles"]} == {r.outlet for r in KURSK.reports}
    assert [s["source_count"] for s in found["stories"]] == [5]
    rates = client.get("/search", params={"q": '"quarter point" -kursk'}).json()
    assert {a["source"]["id"] for a in rates["articles"]} <= {r.outlet for r in RATES.reports}
    assert rates["articles"]


def test_sources_count_articles_and_stories(client: TestClient) -> None:
    source = client.get("/sources/capital-wire").json()
    assert (source["article_count"], source["story_count"]) == (2, 2)


def test_the_story_page_renders(client: TestClient) -> None:
    story = client.get("/stories", params={"min_sources": 5}).json()["items"][0]
    page = client.get(f"/story/{story['id']}")
    assert page.status_code == 200
    assert "50%</strong> of the sources are Center" in page.text
