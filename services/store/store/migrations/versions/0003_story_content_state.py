"""What each story's content is computed from, so an arriving article adds to it instead of every article
of the story being read again; LZ4 for the large values rewritten on every change; the candidate index in
the candidate query's order.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Values PostgreSQL compresses (TOAST) and the writer rewrites with every batch that touches their row:
# LZ4 halves the cost of a batch's story UPDATE against the default pglz (bench/store, issue 5).
COMPRESSED = {"story": ("centroid", "coverage", "content_state"), "article": ("text", "features")}


def upgrade() -> None:
    # Existing stories start empty: the writer sees the state does not cover their articles and rebuilds it.
    # Plain JSON on PostgreSQL too: written whole on every change and never queried into.
    with op.batch_alter_table("story") as story:
        story.add_column(sa.Column("content_state", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
    if op.get_bind().dialect.name == "postgresql" and lz4_available():
        for table, columns in COMPRESSED.items():
            op.execute(f"alter table {table} " + ", ".join(f"alter column {c} set compression lz4" for c in columns))
    # With (key, last_seen) and ties broken by story_id ascending, PostgreSQL fetched every row of a key
    # and sorted them: 15 ms for a key 37,000 stories share. Ties now go by story_id descending, so a
    # backward scan of (key, last_seen, story_id) yields the query's order and stops after 50 entries.
    op.drop_index("ix_story_key_key_last_seen", table_name="story_key")
    op.create_index("ix_story_key_recent", "story_key", ["key", "last_seen", "story_id"])


def lz4_available() -> bool:
    """PostgreSQL ≥ 14 built with LZ4 (the Debian and Docker packages are); otherwise pglz stays."""
    return bool(op.get_bind().execute(sa.text(
        "select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)")).first())


def downgrade() -> None:
    op.drop_index("ix_story_key_recent", table_name="story_key")
    op.create_index("ix_story_key_key_last_seen", "story_key", ["key", "last_seen"])
    if op.get_bind().dialect.name == "postgresql" and lz4_available():
        for table, columns in COMPRESSED.items():
            op.execute(f"alter table {table} " + ", ".join(f"alter column {c} set compression pglz" for c in columns))
    with op.batch_alter_table("story") as story:
        story.drop_column("content_state")
