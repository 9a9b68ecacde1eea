"""The read-only HTTP API over a SQLite database filled the way the writer fills it."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from store.api import MAX_PAGE_SIZE, build_api
from store.ingest import ingest_article
from store.settings import ApiSettings
from store.testing import extracted, migrated_engine, source_ref

NOW = datetime(2026, 11, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    """Two stories: Kursk (two outlets, older) and floods (one outlet, updated last)."""
    engine = migrated_engine(sqlite_url)
    ingest_article(engine, extracted(), now=NOW)
    ingest_article(engine, extracted(
        "https://harbor.example/kursk", source=source_ref("harbor-times", bias="lean_right"),
        title="Pyongyang to dispatch 6,000 troops to help clear mines in Kursk",
        published_at=NOW - timedelta(hours=5),  # before the founding article (08:00)
    ), now=NOW + timedelta(minutes=1))
    ingest_article(engine, extracted(
        "https://northwind.example/news/floods", title="Flash floods kill dozens in eastern Spain",
        text="Torrential rain caused flash floods in Valencia.", published_at=NOW,
    ), now=NOW + timedelta(minutes=2))
    engine.dispose()
    with TestClient(build_api(ApiSettings(DATABASE_URL=sqlite_url))) as client:
        yield client


def test_health_reports_a_reachable_database(client: TestClient) -> None:
    """GET /health answers 200 when the database does."""
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_reports_an_unreachable_database(tmp_path: Path) -> None:
    """GET /health answers 503 when the database cannot be opened."""
    settings = ApiSettings(DATABASE_URL=f"sqlite:///{tmp_path / 'missing-dir' / 'db.sqlite'}")
    with TestClient(build_api(settings)) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_stories_are_listed_newest_first_with_their_counts(client: TestClient) -> None:
    """Each story shows its article and source counts; the last updated comes first."""
    page = client.get("/stories").json()
    assert page["total"] == 2
    assert [s["title"] for s in page["items"]] == [
        "Flash floods kill dozens in eastern Spain",
        "North Korea sends 6,000 military engineers and deminers to Russia's Kursk region",
    ]
    floods, kursk = page["items"]
    assert (kursk["article_count"], kursk["source_count"], kursk["version"]) == (2, 2, 2)
    assert kursk["bias_counts"] == {"center": 1, "lean_right": 1}
    assert (floods["article_count"], floods["source_count"]) == (1, 1)


def test_stories_are_paged_with_limit_and_offset(client: TestClient) -> None:
    """limit and offset slice the newest-first list."""
    page = client.get("/stories", params={"limit": 1, "offset": 1}).json()
    assert (page["limit"], page["offset"], page["total"]) == (1, 1, 2)
    assert [s["article_count"] for s in page["items"]] == [2]


@pytest.mark.parametrize("path", ["/stories", "/articles"])
def test_a_limit_above_the_cap_is_refused(client: TestClient, path: str) -> None:
    """Lists never return more than the cap; asking for more is a 422."""
    assert client.get(path, params={"limit": MAX_PAGE_SIZE}).status_code == 200
    assert client.get(path, params={"limit": MAX_PAGE_SIZE + 1}).status_code == 422
    assert client.get(path, params={"offset": -1}).status_code == 422


def test_a_story_is_shown_with_its_articles_and_their_outlets(client: TestClient) -> None:
    """GET /stories/{id} gives the story and its articles, newest first, each with its source."""
    kursk = client.get("/stories").json()["items"][1]
    detail = client.get(f"/stories/{kursk['id']}").json()
    assert detail["id"] == kursk["id"]
    assert [a["source"]["id"] for a in detail["articles"]] == ["northwind-herald", "harbor-times"]
    assert detail["articles"][1]["source"]["bias"] == "lean_right"
    assert detail["articles"][0]["story_id"] == kursk["id"]


def test_an_unknown_story_is_not_found(client: TestClient) -> None:
    """GET /stories/{id} for no such story is a 404."""
    assert client.get("/stories/nope").status_code == 404


def test_articles_are_listed_newest_first(client: TestClient) -> None:
    """GET /articles lists every article by publication time, newest first."""
    page = client.get("/articles").json()
    assert page["total"] == 3
    assert [a["canonical_url"] for a in page["items"]] == [
        "https://northwind.example/news/floods",
        "https://northwind.example/news/kursk-engineers",
        "https://harbor.example/kursk",
    ]
    assert page["items"][0]["published_at"].startswith("2026-11-04T12:00:00")
