"""the check-in loop per group

An introduction's group answers once for all its members: who answered, the one follow-up
after "not yet", and after "couldn't meet" whether the group is kept for the next round.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 12:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("introduction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answered_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("followup_due_at", bot.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("followed_up_at", bot.db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("next_round", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_introduction_followup_due_at"), ["followup_due_at"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_introduction_answered_by_id_person", "person", ["answered_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("introduction", schema=None) as batch_op:
        batch_op.drop_constraint("fk_introduction_answered_by_id_person", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_introduction_followup_due_at"))
        batch_op.drop_column("next_round")
        batch_op.drop_column("followed_up_at")
        batch_op.drop_column("followup_due_at")
        batch_op.drop_column("answered_by_id")
