"""print records

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "print_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("layout", sa.String(length=80), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("printer", sa.String(length=120), nullable=False),
        sa.Column("destination", sa.String(length=500), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("station", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("reprint_of", sa.Integer(), nullable=True),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('ok', 'failed')", name=op.f("ck_print_records_known_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_print_records_operator_id_operators")
        ),
        sa.ForeignKeyConstraint(
            ["reprint_of"],
            ["print_records.id"],
            name=op.f("fk_print_records_reprint_of_print_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_records")),
    )
    with op.batch_alter_table("print_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_print_records_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_print_records_reprint_of"), ["reprint_of"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("print_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_print_records_reprint_of"))
        batch_op.drop_index(batch_op.f("ix_print_records_created_at"))

    op.drop_table("print_records")
