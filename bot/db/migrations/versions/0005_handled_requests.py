"""handled requests

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 21:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handledrequest",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(op.f("ix_handledrequest_at"), "handledrequest", ["at"], unique=False)
    # the Slack adapter's own replay table, which `handledrequest` replaces
    op.execute("DROP TABLE IF EXISTS slack_seen_event")


def downgrade() -> None:
    op.drop_index(op.f("ix_handledrequest_at"), table_name="handledrequest")
    op.drop_table("handledrequest")
