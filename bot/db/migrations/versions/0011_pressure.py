"""rounds that respect pressure, and the next small step

A person's pace and suitable weekdays, organisations paused in a programme until a date, and
the next step a group agreed after meeting.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 12:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rhythm",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("cadence", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("days", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("updated_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.create_table(
        "organisationpause",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("programme_id", "organisation_id"),
    )
    op.create_index(
        op.f("ix_organisationpause_programme_id"),
        "organisationpause",
        ["programme_id"],
        unique=False,
    )
    op.create_table(
        "nextstep",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("introduction_id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("agreed_by", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("agreed_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("check_due_at", bot.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("asked_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("happened", sa.Boolean(), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", bot.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agreed_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["answered_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["introduction_id"], ["introduction.id"]),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("introduction_id"),
    )
    op.create_index(
        op.f("ix_nextstep_programme_id"), "nextstep", ["programme_id"], unique=False
    )
    op.create_index(
        op.f("ix_nextstep_check_due_at"), "nextstep", ["check_due_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_nextstep_check_due_at"), table_name="nextstep")
    op.drop_index(op.f("ix_nextstep_programme_id"), table_name="nextstep")
    op.drop_table("nextstep")
    op.drop_index(op.f("ix_organisationpause_programme_id"), table_name="organisationpause")
    op.drop_table("organisationpause")
    op.drop_table("rhythm")
