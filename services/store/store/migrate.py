"""`python -m store.migrate`: bring DATABASE_URL's schema to the newest revision (compose's prestart step).

The Alembic scripts ship inside the package and the configuration is built here, so this works
from an installed wheel with no alembic.ini around.
"""

import sys
from pathlib import Path

import structlog
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from newsflow_shared.logs import configure_logging
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import OperationalError

from store.settings import StoreSettings

MIGRATIONS = Path(__file__).parent / "migrations"

log = structlog.get_logger("store.migrate")


class SchemaMissing(RuntimeError):
    """The database has never been migrated; the store cannot write to it."""


class DatabaseUnreachable(RuntimeError):
    """The database did not take a connection (down, wrong address, refused credentials)."""


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # An attribute, not the "sqlalchemy.url" option: ConfigParser would read a '%' in a password.
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Raises DatabaseUnreachable, with the reason in one line, when the database takes no connection."""
    engine = create_engine(database_url)
    try:
        reachable(engine)
    finally:
        engine.dispose()
    command.upgrade(alembic_config(database_url), revision)


def reachable(engine: Engine) -> None:
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        reason = (str(exc.orig).strip().splitlines() or ["no reason given"])[0]
        raise DatabaseUnreachable(f"cannot reach the database at {engine.url!r}: {reason}") from exc  # password hidden


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def require_schema(engine: Engine) -> None:
    """Fail fast on a database never migrated; only warn on another revision, so rolling upgrades work."""
    current, head = current_revision(engine), head_revision()
    if current is None:
        raise SchemaMissing(f"{engine.url!r} has no store schema: run `python -m store.migrate` "
                            "(or `newsflow db upgrade`) first")
    if current != head:
        log.warning("database schema is not at this release's head", current=current, head=head)


def usable_for_command(engine: Engine, prog: str) -> bool:
    """For an operator's command, before it starts: False, after one clear line on stderr, for a database it
    cannot use (unreachable, never migrated), rather than a driver's traceback from its first query."""
    try:
        reachable(engine)
        require_schema(engine)
    except (DatabaseUnreachable, SchemaMissing) as exc:
        sys.stderr.write(f"{prog}: error: {exc}\n")
        return False
    return True


def main() -> int:
    settings = StoreSettings()
    configure_logging("store-migrate", level=settings.log_level, fmt=settings.log_format)
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    log.info("migrating", revision="head", database=database)
    try:
        upgrade(settings.database_url)
    except DatabaseUnreachable as exc:
        log.error("migration not started", error=str(exc))
        return 1
    log.info("database schema at head", head=head_revision())
    return 0


if __name__ == "__main__":
    sys.exit(main())
