"""packing

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "box_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("length_mm", sa.Integer(), nullable=False),
        sa.Column("width_mm", sa.Integer(), nullable=False),
        sa.Column("height_mm", sa.Integer(), nullable=False),
        sa.Column("tare_g", sa.Integer(), nullable=False),
        sa.Column("max_weight_g", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "length_mm > 0 AND width_mm > 0 AND height_mm > 0",
            name=op.f("ck_box_types_positive_dimensions"),
        ),
        sa.CheckConstraint(
            "tare_g >= 0 AND max_weight_g > tare_g", name=op.f("ck_box_types_sensible_weights")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_box_types")),
        sa.UniqueConstraint("code", name=op.f("uq_box_types_code")),
    )
    op.create_table(
        "pack_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("packer_id", sa.Integer(), nullable=True),
        sa.Column("station", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_from", sa.String(length=80), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("problem_tote", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_pack_jobs_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["packer_id"], ["operators.id"], name=op.f("fk_pack_jobs_packer_id_operators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_jobs")),
    )
    with op.batch_alter_table("pack_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_pack_jobs_order_status", ["order_id", "status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_pack_jobs_problem_tote"), ["problem_tote"], unique=False
        )

    op.create_table(
        "cartons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("pack_job_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("box_type_id", sa.Integer(), nullable=True),
        sa.Column("expected_weight_g", sa.Integer(), nullable=True),
        sa.Column("weight_g", sa.Integer(), nullable=True),
        sa.Column("weight_flagged", sa.Boolean(), nullable=False),
        sa.Column("weight_override_by", sa.Integer(), nullable=True),
        sa.Column("sscc", sa.String(length=18), nullable=True),
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("service", sa.String(length=80), nullable=False),
        sa.Column("tracking_number", sa.String(length=40), nullable=True),
        sa.Column("carton_count", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("station", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["box_type_id"], ["box_types.id"], name=op.f("fk_cartons_box_type_id_box_types")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["operators.id"], name=op.f("fk_cartons_closed_by_operators")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_cartons_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["pack_job_id"], ["pack_jobs.id"], name=op.f("fk_cartons_pack_job_id_pack_jobs")
        ),
        sa.ForeignKeyConstraint(
            ["weight_override_by"],
            ["operators.id"],
            name=op.f("fk_cartons_weight_override_by_operators"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cartons")),
        sa.UniqueConstraint("order_id", "seq", name="uq_cartons_order_seq"),
        sa.UniqueConstraint("sscc", name=op.f("uq_cartons_sscc")),
        sa.UniqueConstraint("tracking_number", name=op.f("uq_cartons_tracking_number")),
    )
    with op.batch_alter_table("cartons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cartons_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cartons_pack_job_id"), ["pack_job_id"], unique=False)
        batch_op.create_index("ix_cartons_status_closed_at", ["status", "closed_at"], unique=False)

    op.create_table(
        "carton_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carton_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("lot", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("units > 0", name=op.f("ck_carton_items_units_positive")),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["operators.id"], name=op.f("fk_carton_items_approved_by_operators")
        ),
        sa.ForeignKeyConstraint(
            ["carton_id"],
            ["cartons.id"],
            name=op.f("fk_carton_items_carton_id_cartons"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_carton_items_operator_id_operators")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_carton_items_order_line_id_order_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carton_items")),
    )
    with op.batch_alter_table("carton_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carton_items_carton_id"), ["carton_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_carton_items_order_line_id"), ["order_line_id"], unique=False
        )

    # ### end Alembic commands ###


def downgrade() -> None:
    with op.batch_alter_table("carton_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carton_items_order_line_id"))
        batch_op.drop_index(batch_op.f("ix_carton_items_carton_id"))

    op.drop_table("carton_items")
    with op.batch_alter_table("cartons", schema=None) as batch_op:
        batch_op.drop_index("ix_cartons_status_closed_at")
        batch_op.drop_index(batch_op.f("ix_cartons_pack_job_id"))
        batch_op.drop_index(batch_op.f("ix_cartons_order_id"))

    op.drop_table("cartons")
    with op.batch_alter_table("pack_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pack_jobs_problem_tote"))
        batch_op.drop_index("ix_pack_jobs_order_status")

    op.drop_table("pack_jobs")
    op.drop_table("box_types")
    # ### end Alembic commands ###
