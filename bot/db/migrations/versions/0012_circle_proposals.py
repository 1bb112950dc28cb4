"""members may propose problem-circle topics

A programme setting, off by default: when on, members propose topics that open once a
coordinator approves them (topics gain the statuses `proposed` and `declined`, which the
text column already holds).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 17:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    # In place on every backend (no batch copy of the table, which SQLite could not drop
    # while other rows point at a programme).
    op.add_column(
        "programme",
        sa.Column("circle_proposals", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    # Proposals still waiting, or declined, have no place in the older schema.
    op.execute(
        "DELETE FROM circletopicorganisation WHERE topic_id IN "
        "(SELECT id FROM circletopic WHERE status IN ('proposed', 'declined'))"
    )
    op.execute("DELETE FROM circletopic WHERE status IN ('proposed', 'declined')")
    if op.get_bind().dialect.name == "sqlite":
        # In place (SQLite 3.35+): a batch copy of the table would have to drop it, which its
        # foreign keys forbid once other rows point at a programme.
        op.execute("ALTER TABLE programme DROP COLUMN circle_proposals")
    else:
        op.drop_column("programme", "circle_proposals")
