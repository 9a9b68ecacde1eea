"""Fixtures every tier shares: real Redis and PostgreSQL, a clean namespace per test, tiers by folder."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.support.backing_services import claim_redis_db, fresh_database, provide_postgres, provide_redis

# A database of its own, flushed per test, so a developer's data on db 0 is safe. Each test session claims
# one no other running session uses (13, else 11, 10, …), so two suites on one Redis do not empty each other's
# streams; NEWSFLOW_TEST_REDIS_DB pins it instead.
PINNED_REDIS_DB = os.environ.get("NEWSFLOW_TEST_REDIS_DB")

TIERS = ("unit", "integration", "e2e", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = Path(item.fspath).parts
        for tier in TIERS:
            if tier in parts:
                item.add_marker(getattr(pytest.mark, tier))


@pytest.fixture(scope="session")
def redis_server_url() -> Iterator[str]:
    try:
        with provide_redis() as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def redis_db(redis_server_url: str) -> Iterator[int]:
    """The Redis database number this test session flushes."""
    if PINNED_REDIS_DB is not None:
        yield int(PINNED_REDIS_DB)
        return
    try:
        with claim_redis_db(redis_server_url) as db:
            yield db
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def redis_url(redis_server_url: str, redis_db: int) -> str:
    """A Redis URL on an emptied database: each test starts with no streams, groups or keys."""
    base = redis_server_url.rsplit("/", 1)[0]
    url = f"{base}/{redis_db}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    try:
        with provide_postgres() as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A SQLAlchemy URL to a new, empty PostgreSQL database for this test alone."""
    with fresh_database(postgres_server_url, f"newsflow_test_{uuid.uuid4().hex[:12]}") as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'newsflow.db'}"
