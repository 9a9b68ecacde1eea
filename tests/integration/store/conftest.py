"""Fixtures the store's PostgreSQL tests share."""

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine
from store.testing import migrated_engine


@pytest.fixture
def engine(postgres_url: str) -> Iterator[Engine]:
    """A migrated engine on the test's own PostgreSQL database."""
    engine = migrated_engine(postgres_url)
    yield engine
    engine.dispose()
