"""When each outlet's stored description was current, and when its ratings last changed.

`described_at` lets the writer refuse a description older than the stored one (an article fetched before
the ratings were edited, still in flight or redelivered). `rated_at` lets `apply-ratings` find the stories
counted before an outlet's ratings changed, whoever changed them. Existing rows start with neither: the next
message's description is stored, and no story is taken for stale.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)  # frozen, as in 0001 (not imported from the models)


def upgrade() -> None:
    with op.batch_alter_table("source") as source:
        source.add_column(sa.Column("described_at", UTC_TIME, nullable=True))
        source.add_column(sa.Column("rated_at", UTC_TIME, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source") as source:
        source.drop_column("rated_at")
        source.drop_column("described_at")
