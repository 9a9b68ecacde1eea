"""GET /sources and /sources/{id}: outlets with their ratings and what the store holds from each."""

from fastapi.testclient import TestClient

from tests.unit.api.newsroom import DEMO_STORIES, OUTLETS


def expected_counts(outlet: str) -> tuple[int, int]:
    reports = [(s.key, r) for s in DEMO_STORIES for r in s.reports if r.outlet == outlet]
    return len(reports), len({key for key, _ in reports})


def test_sources_have_ratings_and_counts(client: TestClient) -> None:
    """Each outlet once, by id, with its bias and factuality and its article and story counts."""
    page = client.get("/sources").json()
    assert [s["id"] for s in page["items"]] == sorted(OUTLETS)
    for source in page["items"]:
        ref = OUTLETS[source["id"]]
        assert source["bias"] == (ref.bias.value if ref.bias else None)
        assert source["factuality"] == (ref.factuality.value if ref.factuality else None)
        assert (source["article_count"], source["story_count"]) == expected_counts(source["id"])


def test_sources_page_by_cursor(client: TestClient) -> None:
    first = client.get("/sources", params={"limit": 4}).json()
    second = client.get("/sources", params={"limit": 4, "cursor": first["next_cursor"]}).json()
    assert [s["id"] for s in first["items"] + second["items"]] == sorted(OUTLETS)
    assert second["next_cursor"] is None


def test_one_source(client: TestClient) -> None:
    """GET /sources/{id}; an unknown id is a 404 problem."""
    source = client.get("/sources/capital-wire").json()
    assert (source["name"], source["article_count"]) == ("Capital Wire", 2)
    assert client.get("/sources/nobody").status_code == 404
