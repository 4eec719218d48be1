"""customer messages relayed from the outbox; carrier tracking events

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("html", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("status", sa.String(length=10), server_default="pending", nullable=False)
        )
        batch_op.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("last_error", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("message_id", sa.String(length=255), server_default="", nullable=False)
        )
    # What was queued before: the acknowledgement is now the `received` message, one per order.
    op.execute(
        "UPDATE outbox_messages SET kind = 'received' WHERE kind = 'acknowledgement'"
    )
    op.execute(
        "UPDATE outbox_messages SET dedupe_key = kind || ':' || "
        "COALESCE(CAST(order_id AS VARCHAR(20)), '') || ':' || CAST(id AS VARCHAR(20))"
    )
    op.execute("UPDATE outbox_messages SET status = 'sent' WHERE sent_at IS NOT NULL")
    # Nothing relayed the outbox before: what waits there is old news (an acknowledgement of an
    # order long shipped), not to be mailed when a mail server is first set up. A supervisor
    # can still send one on purpose (baton outbox retry ID).
    op.execute(
        "UPDATE outbox_messages SET status = 'failed', "
        "last_error = 'queued before Baton sent e-mail: not sent' WHERE sent_at IS NULL"
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.alter_column("dedupe_key", existing_type=sa.String(length=200), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_outbox_messages_dedupe_key"), ["dedupe_key"]
        )
        batch_op.create_check_constraint(
            "known_status", "status IN ('pending', 'sent', 'failed')"
        )
        batch_op.create_index(
            "ix_outbox_messages_status_next_attempt_at", ["status", "next_attempt_at"]
        )

    with op.batch_alter_table("cartons", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tracking_status", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("tracking_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_cartons_tracking_status", ["tracking_status"])

    op.create_table(
        "tracking_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carton_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["carton_id"], ["cartons.id"], name=op.f("fk_tracking_events_carton_id_cartons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_events")),
        sa.UniqueConstraint(
            "carton_id", "status", "occurred_at", name="uq_tracking_events_event"
        ),
    )
    with op.batch_alter_table("tracking_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_events_carton_id"), ["carton_id"])


def downgrade() -> None:
    with op.batch_alter_table("tracking_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_events_carton_id"))
    op.drop_table("tracking_events")
    with op.batch_alter_table("cartons", schema=None) as batch_op:
        batch_op.drop_index("ix_cartons_tracking_status")
        batch_op.drop_column("delivered_at")
        batch_op.drop_column("tracking_at")
        batch_op.drop_column("tracking_status")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_status_next_attempt_at")
        batch_op.drop_constraint("known_status", type_="check")
        batch_op.drop_constraint(batch_op.f("uq_outbox_messages_dedupe_key"), type_="unique")
        for column in (
            "message_id",
            "claimed_until",
            "next_attempt_at",
            "last_error",
            "attempts",
            "status",
            "html",
            "dedupe_key",
        ):
            batch_op.drop_column(column)
    op.execute("UPDATE outbox_messages SET kind = 'acknowledgement' WHERE kind = 'received'")
