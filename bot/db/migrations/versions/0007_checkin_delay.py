"""the check-in delay in minutes

A programme's check-in delay may be hours or minutes ("36h", "10m"), not only days. The new
column holds it in minutes; empty means `checkin_days` days, so existing programmes keep
their delay and `checkin_days` stays the delay in whole days.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.add_column(sa.Column("checkin_minutes", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("programme", schema=None) as batch_op:
        batch_op.drop_column("checkin_minutes")
