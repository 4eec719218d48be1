"""customs data on products

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hs_code", sa.String(length=10), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("origin_country", sa.String(length=2), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "customs_description", sa.String(length=255), server_default="", nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("customs_description")
        batch_op.drop_column("origin_country")
        batch_op.drop_column("hs_code")
