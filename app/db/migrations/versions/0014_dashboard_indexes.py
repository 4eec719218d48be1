"""indexes for the supervisor's dashboard: units sorted and cartons loaded by time

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sort_puts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sort_puts_at"), ["at"], unique=False)
    with op.batch_alter_table("cartons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cartons_loaded_at"), ["loaded_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cartons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cartons_loaded_at"))
    with op.batch_alter_table("sort_puts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sort_puts_at"))
