"""problem circles: topics, the organisations they affect, sign-ups, circles and members

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 12:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def _utc(name: str, nullable: bool) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, bot.db.types.UTCDateTime(timezone=True), nullable=nullable)


def _text(name: str, length: int, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sqlmodel.sql.sqltypes.AutoString(length=length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "circletopic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        _text("title", 120),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        _text("status", 16),
        _utc("forms_at", False),
        sa.Column("min_size", sa.Integer(), nullable=False),
        sa.Column("max_size", sa.Integer(), nullable=False),
        _utc("created_at", False),
        _utc("formed_at", True),
        sa.ForeignKeyConstraint(["opened_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["programme_id"], ["programme.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("programme_id", "title"),
    )
    with op.batch_alter_table("circletopic", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_circletopic_forms_at"), ["forms_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_circletopic_programme_id"), ["programme_id"], unique=False
        )
    op.create_table(
        "circletopicorganisation",
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["topic_id"], ["circletopic.id"]),
        sa.PrimaryKeyConstraint("topic_id", "organisation_id"),
    )
    op.create_table(
        "circlesignup",
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        _utc("signed_up_at", False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["topic_id"], ["circletopic.id"]),
        sa.PrimaryKeyConstraint("topic_id", "person_id"),
    )
    with op.batch_alter_table("circlesignup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_circlesignup_person_id"), ["person_id"], unique=False)
    op.create_table(
        "circle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        _utc("created_at", False),
        _utc("checkin_due_at", False),
        sa.ForeignKeyConstraint(["topic_id"], ["circletopic.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("topic_id", "number"),
    )
    with op.batch_alter_table("circle", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_circle_checkin_due_at"), ["checkin_due_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_circle_topic_id"), ["topic_id"], unique=False)
    op.create_table(
        "circlemember",
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        _utc("checkin_sent_at", True),
        _text("answer", 16, nullable=True),
        _utc("answered_at", True),
        sa.ForeignKeyConstraint(["circle_id"], ["circle.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["topic_id"], ["circletopic.id"]),
        sa.PrimaryKeyConstraint("circle_id", "person_id"),
        sa.UniqueConstraint("topic_id", "person_id"),
    )
    with op.batch_alter_table("circlemember", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_circlemember_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_circlemember_topic_id"), ["topic_id"], unique=False)


def downgrade() -> None:
    for table in ("circlemember", "circle", "circlesignup", "circletopicorganisation"):
        op.drop_table(table)
    op.drop_table("circletopic")
