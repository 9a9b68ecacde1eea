"""Story clustering and coverage: candidate index, fingerprints, document frequencies, merges, and the
stories' stored coverage and content.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types as they were at this revision (not imported from the models).
UTC_TIME = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def json_column(name: str, empty: str, *, nullable: bool = False) -> sa.Column:
    # The server default only fills rows that existed before this revision; the writer sets every value.
    default = None if nullable else sa.text(f"'{empty}'")
    return sa.Column(name, JSON, nullable=nullable, server_default=default)


def upgrade() -> None:
    with op.batch_alter_table("story") as story:
        story.add_column(json_column("centroid", "{}"))
        story.add_column(sa.Column("last_published_at", UTC_TIME, nullable=True))
        story.add_column(sa.Column("merged_into", sa.String(), nullable=True))
        story.add_column(json_column("coverage", "{}"))
        story.add_column(json_column("summary", "[]"))
        story.add_column(json_column("key_numbers", "[]"))
        story.add_column(json_column("entities", "[]"))
        story.add_column(json_column("event", "", nullable=True))
        story.create_index(op.f("ix_story_merged_into"), ["merged_into"])
    with op.batch_alter_table("article") as article:
        article.add_column(sa.Column("is_copy", sa.Boolean(), nullable=False, server_default=sa.false()))
        article.add_column(sa.Column("copy_of", sa.String(), nullable=True))
        article.add_column(sa.Column("simhash", sa.String(16), nullable=True))
        article.add_column(sa.Column("text_hash", sa.String(40), nullable=True))
        article.add_column(json_column("features", "{}"))
        article.add_column(json_column("entities", "[]"))
        article.add_column(json_column("quantities", "[]"))
        article.add_column(json_column("events", "[]"))
    op.create_table(
        "story_key",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("story_id", sa.String(), nullable=False),
        sa.Column("last_seen", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], name=op.f("fk_story_key_story_id_story")),
        sa.PrimaryKeyConstraint("key", "story_id", name=op.f("pk_story_key")),
    )
    op.create_index(op.f("ix_story_key_story_id"), "story_key", ["story_id"])
    op.create_index("ix_story_key_key_last_seen", "story_key", ["key", "last_seen"])
    op.create_table(
        "fingerprint",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("article_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"], name=op.f("fk_fingerprint_article_id_article")),
        sa.PrimaryKeyConstraint("key", "article_id", name=op.f("pk_fingerprint")),
    )
    op.create_index(op.f("ix_fingerprint_article_id"), "fingerprint", ["article_id"])
    op.create_table(
        "term_stat",
        sa.Column("term", sa.String(200), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_term_stat")),
    )
    op.create_table(
        "story_merge",
        sa.Column("absorbed_id", sa.String(), nullable=False),
        sa.Column("survivor_id", sa.String(), nullable=False),
        sa.Column("article_id", sa.String(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("merged_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(["absorbed_id"], ["story.id"], name=op.f("fk_story_merge_absorbed_id_story")),
        sa.ForeignKeyConstraint(["survivor_id"], ["story.id"], name=op.f("fk_story_merge_survivor_id_story")),
        sa.PrimaryKeyConstraint("absorbed_id", name=op.f("pk_story_merge")),
    )
    op.create_index(op.f("ix_story_merge_survivor_id"), "story_merge", ["survivor_id"])


def downgrade() -> None:
    op.drop_table("story_merge")
    op.drop_table("term_stat")
    op.drop_table("fingerprint")
    op.drop_table("story_key")
    with op.batch_alter_table("article") as article:
        for name in ("events", "quantities", "entities", "features", "text_hash", "simhash", "copy_of",
                     "is_copy"):
            article.drop_column(name)
    with op.batch_alter_table("story") as story:
        story.drop_index(op.f("ix_story_merged_into"))
        for name in ("event", "entities", "key_numbers", "summary", "coverage", "merged_into",
                     "last_published_at", "centroid"):
            story.drop_column(name)
