"""`newsflow db upgrade`: bring the store's database schema to this release's head (store.migrate)."""

import click

from newsflow_shared.cli.options import database_url_option, require_module


@click.group()
def db() -> None:
    """The store's database."""


@db.command()
@database_url_option
@click.option("--revision", default="head", show_default=True, help="Alembic revision to upgrade to.")
def upgrade(database_url: str, revision: str) -> None:
    """Run the Alembic migrations (what compose's `migrate` step does)."""
    migrate = require_module("store.migrate", "newsflow-store")
    settings = require_module("store.settings", "newsflow-store")
    try:
        url = settings.sqlalchemy_url(database_url)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        migrate.upgrade(url, revision)
    except migrate.DatabaseUnreachable as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"database schema at {revision} ({migrate.head_revision()})")
