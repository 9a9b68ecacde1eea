"""`python -m store.migrate`: bring DATABASE_URL's schema to the newest revision (compose's prestart step).

The Alembic scripts ship inside the package and the configuration is built here, so this works
from an installed wheel with no alembic.ini around.
"""

from pathlib import Path

import structlog
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from newsflow_shared.logs import configure_logging
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url

from store.settings import StoreSettings

MIGRATIONS = Path(__file__).parent / "migrations"

log = structlog.get_logger("store.migrate")


class SchemaMissing(RuntimeError):
    """The database has never been migrated; the store cannot write to it."""


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # An attribute, not the "sqlalchemy.url" option: ConfigParser would read a '%' in a password.
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def require_schema(engine: Engine) -> None:
    """Fail fast on a database never migrated; only warn on another revision, so rolling upgrades work."""
    current, head = current_revision(engine), head_revision()
    if current is None:
        raise SchemaMissing(f"{engine.url!r} has no store schema: run `python -m store.migrate` first")
    if current != head:
        log.warning("database schema is not at this release's head", current=current, head=head)


def main() -> None:
    settings = StoreSettings()
    configure_logging("store-migrate", level=settings.log_level, fmt=settings.log_format)
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    log.info("migrating", revision="head", database=database)
    upgrade(settings.database_url)
    log.info("database schema at head", head=head_revision())


if __name__ == "__main__":
    main()
