"""put walls

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "put_walls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("cols", sa.Integer(), nullable=False),
        sa.CheckConstraint("rows >= 1 AND cols >= 1", name=op.f("ck_put_walls_has_slots")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_put_walls")),
        sa.UniqueConstraint("code", name=op.f("uq_put_walls_code")),
    )
    op.create_table(
        "wall_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wall_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("col", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_wall_slots_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["wall_id"],
            ["put_walls.id"],
            name=op.f("fk_wall_slots_wall_id_put_walls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wall_slots")),
        sa.UniqueConstraint("code", name=op.f("uq_wall_slots_code")),
        sa.UniqueConstraint("wall_id", "row", "col", name="uq_wall_slots_position"),
    )
    with op.batch_alter_table("wall_slots", schema=None) as batch_op:
        batch_op.create_index("ix_wall_slots_order_id", ["order_id"], unique=False)

    op.create_table(
        "sort_puts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("units > 0", name=op.f("ck_sort_puts_units_positive")),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_sort_puts_operator_id_operators")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_sort_puts_order_line_id_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["slot_id"],
            ["wall_slots.id"],
            name=op.f("fk_sort_puts_slot_id_wall_slots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sort_puts")),
    )
    with op.batch_alter_table("sort_puts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sort_puts_order_line_id"), ["order_line_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sort_puts_slot_id"), ["slot_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sort_puts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sort_puts_slot_id"))
        batch_op.drop_index(batch_op.f("ix_sort_puts_order_line_id"))

    op.drop_table("sort_puts")
    with op.batch_alter_table("wall_slots", schema=None) as batch_op:
        batch_op.drop_index("ix_wall_slots_order_id")

    op.drop_table("wall_slots")
    op.drop_table("put_walls")
