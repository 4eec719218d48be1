"""Schema: migrations equal the models, fresh databases are stamped, mismatches refuse."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from app.config import DatabaseChoice
from app.db.database import open_database
from app.db.engine import make_engine
from app.db.models import Base
from app.db.schema import (
    UPGRADE_COMMAND,
    SchemaMismatch,
    alembic_config,
    current_revision,
    head_revision,
    upgrade,
)


def test_migrations_from_empty_reach_head_and_match_the_models(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        drift = compare_metadata(context, Base.metadata)
    assert drift == [], f"models and migrations differ: {drift}"
    engine.dispose()


def test_fresh_database_is_created_from_models_and_stamped_at_head(db_url: str) -> None:
    database = open_database(DatabaseChoice(db_url, embedded_default=False))
    assert current_revision(database.engine) == head_revision()
    assert {"orders", "order_lines", "stock", "order_events"} <= set(
        inspect(database.engine).get_table_names()
    )
    database.close()


def _stamp(db_url: str, revision: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


def test_shared_database_with_other_revision_refuses_and_names_the_upgrade_command(
    db_url: str,
) -> None:
    open_database(DatabaseChoice(db_url, embedded_default=False)).close()
    _stamp(db_url, "0001")  # as if made by an older Baton
    with pytest.raises(SchemaMismatch) as refused:
        open_database(DatabaseChoice(db_url, embedded_default=False))
    assert UPGRADE_COMMAND in str(refused.value)
    assert "revision 0001" in str(refused.value)


def test_tables_without_a_revision_are_not_taken_over(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        Base.metadata.create_all(connection)
    engine.dispose()
    with pytest.raises(SchemaMismatch, match="not made by Baton"):
        open_database(DatabaseChoice(db_url, embedded_default=False))


def test_upgrade_from_the_first_revision_keeps_data(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")
        connection.execute(
            text(
                "INSERT INTO locations (code, zone, aisle, bay, level, needs_count) "
                "VALUES ('A01-01-1', 'PICK', 1, 1, 1, false)"
            )
        )
    assert upgrade(engine) == head_revision()
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT code FROM locations")) == "A01-01-1"
    engine.dispose()


def test_upgrade_from_0006_adds_product_aliases_and_keeps_order_lines(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0006")
        connection.execute(
            text(
                "INSERT INTO products (id, sku, name, weight_g, length_mm, width_mm, height_mm) "
                "VALUES (1, 'MUG-BLUE', 'Blue Mug', 380, 120, 90, 100)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO orders (id, number, source, status, received_at, priority, carrier, "
                "service, payment_status, currency, total, email, note, ship_name, ship_company, "
                "ship_address1, ship_address2, ship_city, ship_region, ship_postal_code, "
                "ship_country, ship_phone, version) VALUES (1, '#1', 'shopify', 'ON_HOLD', "
                "'2026-01-05 10:00:00+00:00', 0, '', '', 'paid', 'EUR', 0, '', '', '', '', '', "
                "'', '', '', '', '', '', 1)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO order_lines (order_id, line_no, sku, name, quantity, unit_price, "
                "requires_shipping, fulfilled_before) "
                "VALUES (1, 1, '', 'Hand-made clay bowl', 1, 0, true, false)"
            )
        )
    assert upgrade(engine) == head_revision()
    with engine.begin() as connection:
        assert connection.execute(text("SELECT sku, name FROM order_lines")).one() == (
            "",
            "Hand-made clay bowl",
        )
        connection.execute(
            text(
                "INSERT INTO product_aliases (name, name_key, product_id, created_at, station) "
                "VALUES ('Hand-made clay bowl', 'hand-made clay bowl', 1, "
                "'2026-01-05 10:00:00+00:00', '')"
            )
        )
    engine.dispose()


def test_upgrade_from_0007_adds_the_badge_lockout_and_keeps_operators(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0007")
        connection.execute(
            text(
                "INSERT INTO operators (badge, name, role, pin_hash, active) "
                "VALUES ('OP-1001', 'Maria Lopez', 'picker', 'scrypt$x', true)"
            )
        )
    assert upgrade(engine) == head_revision()
    with engine.begin() as connection:
        row = connection.execute(
            text(
                "SELECT badge, active, failed_pin_attempts, last_failed_pin_at, locked_at, "
                "locked_station FROM operators"
            )
        ).one()
        assert tuple(row) == ("OP-1001", True, 0, None, None, "")
        connection.execute(
            text(
                "UPDATE operators SET failed_pin_attempts = 5, "
                "locked_at = '2026-01-05 10:00:00+00:00', locked_station = 'cart 3'"
            )
        )
    engine.dispose()


def test_upgrade_from_0007_gives_products_empty_customs_data(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0007")
        connection.execute(
            text(
                "INSERT INTO products (id, sku, name, weight_g, length_mm, width_mm, height_mm) "
                "VALUES (1, 'MUG-BLUE', 'Blue Mug', 380, 120, 90, 100)"
            )
        )
    assert upgrade(engine) == head_revision()
    with engine.begin() as connection:
        assert connection.execute(
            text("SELECT sku, hs_code, origin_country, customs_description FROM products")
        ).one() == ("MUG-BLUE", "", "", "")
        connection.execute(
            text(
                "UPDATE products SET hs_code = '6912001000', origin_country = 'PT', "
                "customs_description = 'Stoneware mug' WHERE id = 1"
            )
        )
    engine.dispose()


def test_upgrade_from_0011_leaves_old_acknowledgements_unsent(db_url: str) -> None:
    """Nothing relayed the outbox before 0012: its rows are old news, not mail to send the day a
    mail server is set up."""
    engine = make_engine(db_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0011")
        connection.execute(
            text(
                "INSERT INTO outbox_messages (id, order_id, kind, recipient, subject, body, "
                "created_at) VALUES (1, NULL, 'acknowledgement', 'ann@example.com', "
                "'We have received your order #1001', 'Dear Ann,', '2025-01-02 10:00:00+00')"
            )
        )
    assert upgrade(engine) == head_revision()
    with engine.begin() as connection:
        assert connection.execute(
            text("SELECT kind, status, attempts, dedupe_key, last_error FROM outbox_messages")
        ).one() == (
            "received",
            "failed",
            0,
            "received::1",
            "queued before Baton sent e-mail: not sent",
        )
    engine.dispose()
