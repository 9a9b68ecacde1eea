"""Plain JSON instead of JSONB for the stories' and articles' document columns (PostgreSQL only).

The store writes these values whole and reads them whole; no query looks into them. JSONB parses each value
into its binary form on every write and prints it back to text on every read. The batch's article INSERT and
story UPDATE used 12-20% less database CPU with plain JSON (docs/stories.md, issue 5). A later query that needs to
look inside a value can use an expression index, or make that one column JSONB again.

On a large database this rewrites both tables under an exclusive lock (docs/operations.md).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    "story": ("bias_counts", "centroid", "coverage", "summary", "key_numbers", "entities", "event"),
    "article": ("authors", "features", "entities", "quantities", "events"),
}
# A new type drops a column's compression method: 0003's LZ4 columns get it back in the same statement.
LZ4 = {"story": ("centroid", "coverage"), "article": ("features",)}


def upgrade() -> None:
    convert("json")


def downgrade() -> None:
    convert("jsonb")


def convert(to: str) -> None:
    """One ALTER TABLE per table: PostgreSQL rewrites each table once for all its columns."""
    if op.get_bind().dialect.name != "postgresql":
        return  # JSON is text on SQLite either way
    lz4 = lz4_available()
    for table, columns in COLUMNS.items():
        changes = [f"alter column {c} type {to} using {c}::{to}" for c in columns]
        changes += [f"alter column {c} set compression lz4" for c in LZ4[table] if lz4]
        op.execute(f"alter table {table} " + ", ".join(changes))


def lz4_available() -> bool:
    """As in 0003: PostgreSQL ≥ 14 built with LZ4."""
    return bool(op.get_bind().execute(sa.text(
        "select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)")).first())
