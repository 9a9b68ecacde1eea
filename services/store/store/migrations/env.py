"""Alembic's entry point: migrate the database `store.migrate` names (or DATABASE_URL) to the models."""

import os

import store.models  # noqa: F401 - registers the tables on SQLModel.metadata
from alembic import context
from sqlalchemy.engine.url import make_url
from sqlmodel import SQLModel
from store.db import make_engine
from store.settings import DEFAULT_DATABASE_URL, sqlalchemy_url

config = context.config
database_url = (
    config.attributes.get("database_url")
    or config.get_main_option("sqlalchemy.url")
    or sqlalchemy_url(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
)
options = {
    "target_metadata": SQLModel.metadata,
    # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    "render_as_batch": make_url(database_url).get_backend_name() == "sqlite",
    "compare_type": True,
}


def run_offline() -> None:
    context.configure(url=database_url, literal_binds=True, **options)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, **options)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
