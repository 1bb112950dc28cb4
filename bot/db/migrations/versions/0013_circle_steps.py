"""a circle's next step

After "We met" on a circle's check-in, the circle may agree one short next step; after the
programme's follow-up delay its members are asked whether it happened.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def _utc(name: str, nullable: bool) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, bot.db.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "circlestep",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("agreed_by", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _utc("agreed_at", False),
        _utc("check_due_at", False),
        _utc("asked_at", True),
        sa.Column("happened", sa.Boolean(), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        _utc("answered_at", True),
        sa.ForeignKeyConstraint(["agreed_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["answered_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["circle_id"], ["circle.id"]),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("circle_id"),
    )
    op.create_index(
        op.f("ix_circlestep_programme_id"), "circlestep", ["programme_id"], unique=False
    )
    op.create_index(
        op.f("ix_circlestep_check_due_at"), "circlestep", ["check_due_at"], unique=False
    )


def downgrade() -> None:
    # The questions already queued about circle steps stay in the outbox as sent history.
    op.drop_index(op.f("ix_circlestep_check_due_at"), table_name="circlestep")
    op.drop_index(op.f("ix_circlestep_programme_id"), table_name="circlestep")
    op.drop_table("circlestep")
