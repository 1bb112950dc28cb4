"""who makes the first move in an introduction

Kept so the first move can be rotated: each round asks the people who have carried it least
often in the programme.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("introduction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_mover_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("introduction", schema=None) as batch_op:
        batch_op.drop_column("first_mover_id")
