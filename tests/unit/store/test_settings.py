"""The store's configuration comes from the environment, with DATABASE_URL shared by every process."""

import pytest
from pydantic import ValidationError
from store.settings import DEFAULT_DATABASE_URL, ApiSettings, StoreSettings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "STORE_LOG_LEVEL", "STORE_API_PORT", "STORE_API_HOST"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_a_local_sqlite_file_and_a_loopback_api() -> None:
    """With nothing set, both processes use ./newsflow.db and the API listens on 127.0.0.1:8000."""
    assert StoreSettings().database_url == DEFAULT_DATABASE_URL
    api = ApiSettings()
    assert (api.database_url, api.host, api.port) == (DEFAULT_DATABASE_URL, "127.0.0.1", 8000)


def test_database_url_is_unprefixed_and_other_fields_are_prefixed(monkeypatch: pytest.MonkeyPatch) -> None:
    """DATABASE_URL is read as is; STORE_ and STORE_API_ prefix everything else."""
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@db:5432/newsflow")
    monkeypatch.setenv("STORE_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("STORE_API_PORT", "9000")
    assert StoreSettings().database_url == "postgresql+psycopg://u:p@db:5432/newsflow"
    assert StoreSettings().log_level == "DEBUG"
    assert ApiSettings().database_url == "postgresql+psycopg://u:p@db:5432/newsflow"
    assert ApiSettings().port == 9000


@pytest.mark.parametrize("given", ["postgresql://u@db/newsflow", "postgres://u@db/newsflow"])
def test_bare_postgresql_urls_use_psycopg3(given: str) -> None:
    """A libpq-style URL is pointed at the psycopg 3 driver the package ships."""
    assert StoreSettings(DATABASE_URL=given).database_url == "postgresql+psycopg://u@db/newsflow"


def test_an_unsupported_database_is_refused() -> None:
    """Only SQLite and PostgreSQL are supported; anything else fails at start, not on first write."""
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        StoreSettings(DATABASE_URL="mysql://u@db/newsflow")
