"""Initial schema: sources, stories and articles (each article in at most one story).

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types as they were at this revision (not imported from the models).
UTC_TIME = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "source",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("homepage", sa.String(), nullable=True),
        sa.Column("bias", sa.String(), nullable=True),
        sa.Column("factuality", sa.String(), nullable=True),
        sa.Column("ownership", sa.String(100), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
    )
    op.create_table(
        "story",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("key_terms", sa.String(), nullable=False),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.Column("source_count", sa.Integer(), nullable=False),
        sa.Column("bias_counts", JSON, nullable=False),
        sa.Column("first_published_at", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_change", sa.String(), nullable=False),
        sa.Column("last_article_id", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story")),
    )
    op.create_index(op.f("ix_story_updated_at"), "story", ["updated_at"])
    op.create_table(
        "article",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("canonical_url", sa.String(2048), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("feed_url", sa.String(), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("story_id", sa.String(), nullable=True),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("authors", JSON, nullable=False),
        sa.Column("language", sa.String(), nullable=True),
        sa.Column("site_name", sa.String(), nullable=True),
        sa.Column("image", sa.String(), nullable=True),
        sa.Column("word_count", sa.Integer(), nullable=False),
        sa.Column("published_at", UTC_TIME, nullable=True),
        sa.Column("fetched_at", UTC_TIME, nullable=False),
        sa.Column("extracted_at", UTC_TIME, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], name=op.f("fk_article_source_id_source")),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], name=op.f("fk_article_story_id_story")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article")),
        sa.UniqueConstraint("canonical_url", name=op.f("uq_article_canonical_url")),
    )
    op.create_index(op.f("ix_article_published_at"), "article", ["published_at"])
    op.create_index(op.f("ix_article_source_id"), "article", ["source_id"])
    op.create_index(op.f("ix_article_story_id"), "article", ["story_id"])


def downgrade() -> None:
    op.drop_table("article")
    op.drop_table("story")
    op.drop_table("source")
