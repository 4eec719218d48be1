"""dock doors and loads

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dock_doors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dock_doors")),
        sa.UniqueConstraint("code", name=op.f("uq_dock_doors_code")),
    )
    op.create_table(
        "loads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("door_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("station", sa.String(length=64), nullable=False),
        sa.Column("manifest_number", sa.String(length=40), nullable=True),
        sa.Column("carton_count", sa.Integer(), nullable=False),
        sa.Column("total_weight_g", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["operators.id"], name=op.f("fk_loads_closed_by_operators")
        ),
        sa.ForeignKeyConstraint(
            ["door_id"], ["dock_doors.id"], name=op.f("fk_loads_door_id_dock_doors")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by"], ["operators.id"], name=op.f("fk_loads_opened_by_operators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loads")),
        sa.UniqueConstraint("manifest_number", name=op.f("uq_loads_manifest_number")),
    )
    with op.batch_alter_table("loads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loads_door_id"), ["door_id"], unique=False)
        batch_op.create_index("ix_loads_status_closed_at", ["status", "closed_at"], unique=False)
        batch_op.create_index(
            "uq_loads_open_door",
            ["door_id"],
            unique=True,
            sqlite_where=sa.text("status = 'OPEN'"),
            postgresql_where=sa.text("status = 'OPEN'"),
        )

    with op.batch_alter_table("cartons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("load_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("loaded_by", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_cartons_load_id"), ["load_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_cartons_loaded_by_operators"), "operators", ["loaded_by"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_cartons_load_id_loads"), "loads", ["load_id"], ["id"]
        )

    # ### end Alembic commands ###


def downgrade() -> None:
    with op.batch_alter_table("cartons", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cartons_load_id_loads"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_cartons_loaded_by_operators"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_cartons_load_id"))
        batch_op.drop_column("loaded_by")
        batch_op.drop_column("loaded_at")
        batch_op.drop_column("load_id")

    with op.batch_alter_table("loads", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_loads_open_door",
            sqlite_where=sa.text("status = 'OPEN'"),
            postgresql_where=sa.text("status = 'OPEN'"),
        )
        batch_op.drop_index("ix_loads_status_closed_at")
        batch_op.drop_index(batch_op.f("ix_loads_door_id"))

    op.drop_table("loads")
    op.drop_table("dock_doors")
    # ### end Alembic commands ###
