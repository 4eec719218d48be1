"""picking

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "waves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("station", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_waves_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_waves")),
        sa.UniqueConstraint("code", name=op.f("uq_waves_code")),
    )
    op.create_table(
        "pick_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("picker_id", sa.Integer(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("planned_m", sa.Float(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["picker_id"], ["operators.id"], name=op.f("fk_pick_lists_picker_id_operators")
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["waves.id"], name=op.f("fk_pick_lists_wave_id_waves")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pick_lists")),
        sa.UniqueConstraint("code", name=op.f("uq_pick_lists_code")),
    )
    with op.batch_alter_table("pick_lists", schema=None) as batch_op:
        batch_op.create_index("ix_pick_lists_status_due", ["status", "due"], unique=False)
        batch_op.create_index(batch_op.f("ix_pick_lists_wave_id"), ["wave_id"], unique=False)

    op.create_table(
        "pick_list_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pick_list_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tote", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_pick_list_orders_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["pick_list_id"],
            ["pick_lists.id"],
            name=op.f("fk_pick_list_orders_pick_list_id_pick_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pick_list_orders")),
        sa.UniqueConstraint("pick_list_id", "position", name="uq_pick_list_orders_position"),
    )
    with op.batch_alter_table("pick_list_orders", schema=None) as batch_op:
        batch_op.create_index("ix_pick_list_orders_order_id", ["order_id"], unique=False)
        batch_op.create_index("ix_pick_list_orders_tote", ["tote"], unique=False)

    op.create_table(
        "pick_stops",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pick_list_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("stock_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("picked", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "picked >= 0 AND picked <= quantity", name=op.f("ck_pick_stops_picked_within_quantity")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_pick_stops_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["pick_list_id"],
            ["pick_lists.id"],
            name=op.f("fk_pick_stops_pick_list_id_pick_lists"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_pick_stops_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["stock_id"], ["stock.id"], name=op.f("fk_pick_stops_stock_id_stock")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pick_stops")),
        sa.UniqueConstraint("pick_list_id", "seq", name="uq_pick_stops_pick_list_seq"),
    )
    op.create_table(
        "pick_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stop_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("picked", sa.Integer(), nullable=False),
        sa.Column("placed", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "picked >= 0 AND picked <= quantity", name=op.f("ck_pick_tasks_picked_within_quantity")
        ),
        sa.CheckConstraint(
            "placed >= 0 AND placed <= picked", name=op.f("ck_pick_tasks_placed_within_picked")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_pick_tasks_order_line_id_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["stop_id"],
            ["pick_stops.id"],
            name=op.f("fk_pick_tasks_stop_id_pick_stops"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pick_tasks")),
    )
    with op.batch_alter_table("pick_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pick_tasks_order_line_id"), ["order_line_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pick_tasks_stop_id"), ["stop_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pick_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pick_tasks_stop_id"))
        batch_op.drop_index(batch_op.f("ix_pick_tasks_order_line_id"))

    op.drop_table("pick_tasks")
    op.drop_table("pick_stops")
    with op.batch_alter_table("pick_list_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_pick_list_orders_tote")
        batch_op.drop_index("ix_pick_list_orders_order_id")

    op.drop_table("pick_list_orders")
    with op.batch_alter_table("pick_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pick_lists_wave_id"))
        batch_op.drop_index("ix_pick_lists_status_due")

    op.drop_table("pick_lists")
    op.drop_table("waves")
