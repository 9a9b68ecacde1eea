"""A store database holding the demo-like stories, and the API over it."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from store.api import build_api
from store.settings import ApiSettings
from store.testing import migrated_engine

from tests.unit.api.newsroom import ingest_demo


@pytest.fixture
def demo_url(sqlite_url: str) -> str:
    engine = migrated_engine(sqlite_url)
    ingest_demo(engine)
    engine.dispose()
    return sqlite_url


@pytest.fixture
def client(demo_url: str) -> Iterator[TestClient]:
    with TestClient(build_api(ApiSettings(DATABASE_URL=demo_url))) as client:
        yield client


@pytest.fixture
def stories_by_title(client: TestClient) -> dict[str, dict]:
    return {story["title"]: story for story in client.get("/stories").json()["items"]}
