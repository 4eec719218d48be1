"""the floor's scan journal: every scan a station handled, accepted or refused (and why);
indexes for the floor's KPIs (orders received, events by kind and time, pick lists done)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scan_journal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator_id", sa.Integer(), nullable=True),
        sa.Column("station", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("scan_kind", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=8), nullable=False),
        sa.Column("refusal", sa.String(length=32), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("message", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('ok', 'refused')", name=op.f("ck_scan_journal_known_outcome")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["operators.id"], name=op.f("fk_scan_journal_operator_id_operators")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scan_journal")),
    )
    with op.batch_alter_table("scan_journal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scan_journal_at"), ["at"], unique=False)
        batch_op.create_index("ix_scan_journal_operator_id_at", ["operator_id", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_scan_journal_subject"), ["subject"], unique=False)
    # What `baton kpi` reads by time: orders received, and shipped/picked events.
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_orders_received_at"), ["received_at"], unique=False)
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.create_index("ix_order_events_kind_at", ["kind", "at"], unique=False)
    with op.batch_alter_table("pick_lists", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pick_lists_done_at"), ["done_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("pick_lists", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pick_lists_done_at"))
    with op.batch_alter_table("order_events", schema=None) as batch_op:
        batch_op.drop_index("ix_order_events_kind_at")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_orders_received_at"))
    with op.batch_alter_table("scan_journal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scan_journal_subject"))
        batch_op.drop_index("ix_scan_journal_operator_id_at")
        batch_op.drop_index(batch_op.f("ix_scan_journal_at"))
    op.drop_table("scan_journal")
