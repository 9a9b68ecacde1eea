"""Alembic owns the schema: `upgrade head` builds exactly the tables the models describe."""

import pytest
import sqlalchemy as sa
import store.models  # noqa: F401 - the tables the migration must match
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel
from store.db import make_engine
from store.migrate import SchemaMissing, head_revision, require_schema, upgrade


def schema_drift(database_url: str) -> list:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    finally:
        engine.dispose()


def test_upgrade_head_creates_the_schema_the_models_describe(sqlite_url: str) -> None:
    """After the migration, the tables, columns, indexes and constraints match the models exactly."""
    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    assert {"source", "story", "article", "story_key", "fingerprint", "term_stat", "story_merge", "alembic_version"} <= set(sa.inspect(engine).get_table_names())
    unique = sa.inspect(engine).get_unique_constraints("article")
    assert [c["column_names"] for c in unique] == [["canonical_url"]]
    engine.dispose()
    assert schema_drift(sqlite_url) == []


def test_upgrade_is_idempotent(sqlite_url: str) -> None:
    """Running the prestart step twice is harmless."""
    upgrade(sqlite_url)
    upgrade(sqlite_url)
    assert schema_drift(sqlite_url) == []


def test_the_writer_refuses_a_database_that_was_never_migrated(sqlite_url: str) -> None:
    """require_schema names the command to run instead of failing on every message."""
    engine = make_engine(sqlite_url)
    with pytest.raises(SchemaMissing, match="python -m store.migrate"):
        require_schema(engine)
    upgrade(sqlite_url)
    require_schema(engine)
    engine.dispose()


def test_there_is_exactly_one_head() -> None:
    """The packaged migrations form a single line of history."""
    assert head_revision() == "0005"
