"""GET /search: stories and articles matching words (substring on SQLite)."""

from fastapi.testclient import TestClient

from tests.unit.api.newsroom import RATES


def test_search_finds_stories_and_articles_by_their_words(client: TestClient) -> None:
    """'reserve board' finds the rate story and each article that names it, case-insensitively."""
    found = client.get("/search", params={"q": "RESERVE BOARD"}).json()
    assert [s["source_count"] for s in found["stories"]] == [3]
    assert {a["source"]["id"] for a in found["articles"]} == {r.outlet for r in RATES.reports}


def test_search_treats_like_wildcards_literally(client: TestClient) -> None:
    """A % or _ in the query matches only itself."""
    assert client.get("/search", params={"q": "_"}).json() == {"query": "_", "stories": [], "articles": []}
    percent = client.get("/search", params={"q": "%"}).json()
    assert {a["source"]["id"] for a in percent["articles"]} == {r.outlet for r in RATES.reports}


def test_search_limits_its_query(client: TestClient) -> None:
    """Empty, blank and over-long queries are refused with a problem that says why."""
    assert client.get("/search", params={"q": ""}).status_code == 422
    assert client.get("/search", params={"q": "   "}).status_code == 422
    response = client.get("/search", params={"q": "x" * 201})
    assert response.status_code == 422
    assert response.json()["errors"][0]["in"] == "query.q"
