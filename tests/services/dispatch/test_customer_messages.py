"""Customer messages queued with the change they report: received at import, shipped at the
close with every tracking link, cancelled by the desk; once each, on both databases."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.db.database import Database
from app.db.engine import unit_of_work
from app.db.models import Order, OrderEvent, OutboxMessage
from app.services.desk.order_actions import cancel_order
from app.services.dispatch.manifests import close_load
from app.services.errors import InvalidInput
from app.services.intake.receiving import import_orders
from app.services.messages import templates
from app.services.messages.queue import Message, Recipient, queue_messages
from app.services.messages.templates import render
from app.services.packing.carriers import carrier_book
from tests.services.dispatch.conftest import add_shipper, load, tracking_numbers
from tests.services.floor import SUPERVISOR, write_orders


def _messages(db: Database, number: str, kind: str | None = None) -> list[OutboxMessage]:
    with db.sessions() as session:
        query = select(OutboxMessage).join(Order).where(Order.number == number)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return list(session.scalars(query.order_by(OutboxMessage.id)))


def test_every_imported_order_is_acknowledged_once_in_both_parts(dock: Database) -> None:
    (message,) = _messages(dock, "#1001")
    assert (message.kind, message.recipient, message.status) == (
        "received",
        "zoe@example.com",
        "pending",
    )
    assert message.subject == "We have received your order #1001"
    assert message.body.startswith("Dear Zoë Ångström,")
    assert "2 x Mug-Blue" in message.body and "1 x Tea-Earl" in message.body
    assert "<li>2 &times; Mug-Blue</li>" in message.html
    assert "#1001" in message.html


def test_a_name_that_looks_like_markup_arrives_escaped(dock: Database, tmp_path: Path) -> None:
    path = write_orders(
        tmp_path / "hostile.csv",
        {"#2001": [("SOCK-ZOE", 1)]},
        ship_name="<script>alert(1)</script>",
    )
    import_orders(dock.sessions, SUPERVISOR, path, "csv")
    (message,) = _messages(dock, "#2001")
    assert "<script>" not in message.html
    assert "Dear &lt;script&gt;alert(1)&lt;/script&gt;," in message.html
    assert message.body.startswith("Dear <script>alert(1)</script>,")  # plain text is text


def test_an_order_without_an_address_gets_no_message_and_its_timeline_says_so(
    dock: Database, tmp_path: Path
) -> None:
    path = write_orders(tmp_path / "mute.csv", {"#2002": [("SOCK-ZOE", 1)]}, email="")
    import_orders(dock.sessions, SUPERVISOR, path, "csv")
    assert _messages(dock, "#2002") == []
    with dock.sessions() as session:
        details = session.scalars(
            select(OrderEvent.detail)
            .join(Order)
            .where(Order.number == "#2002", OrderEvent.kind == "message_not_sent")
        ).all()
    assert details == ["No e-mail address: the customer was not sent the 'received' message."]


def test_a_message_is_queued_once_per_order_kind_and_cartons(dock: Database) -> None:
    with dock.sessions() as session:
        order = session.scalars(select(Order).where(Order.number == "#1002")).one()
        recipient = Recipient.of(order)
    context = {"items": [{"quantity": 1, "name": "Sock"}]}
    for cartons in ([2, 1], [1, 2], [3]):
        with unit_of_work(dock.sessions) as session:
            queue_messages(session, SUPERVISOR, "cancelled", [Message(recipient, context, cartons)])
    assert len(_messages(dock, "#1002", "cancelled")) == 2  # cartons {1, 2} once, {3} once


def test_a_closed_truck_tells_each_customer_with_tracking_links(dock: Database) -> None:
    lee = add_shipper(dock)
    first, second = tracking_numbers(dock, "#1001")
    (single,) = tracking_numbers(dock, "#1002")
    for code in (first, single):
        load(dock, lee, "DOCK-1", code)
    with unit_of_work(dock.sessions) as session:
        carrier = close_load(session, lee, "DOCK-1").carrier
    link = carrier_book().carrier(carrier)
    assert link is not None and link.tracking_url

    (whole,) = _messages(dock, "#1002", "shipped")
    assert whole.subject == "Your order #1002 is on its way"
    assert f"Parcel 1 of 1: {single}" in whole.body
    assert link.tracking_link(single) in whole.body
    assert f'href="{link.tracking_link(single)}"' in whole.html.replace("&amp;", "&")

    (part,) = _messages(dock, "#1001", "shipped")
    assert part.subject == "Part of your order #1001 is on its way"
    assert f"Parcel 1 of 2: {first}" in part.body and second not in part.body
    assert "1 more parcel will follow" in part.body

    load(dock, lee, "DOCK-1", second)
    with unit_of_work(dock.sessions) as session:
        close_load(session, lee, "DOCK-1")
    rest = _messages(dock, "#1001", "shipped")[1]
    assert f"Parcel 2 of 2: {second}" in rest.body and "will follow" not in rest.body


def test_a_cancelled_order_tells_its_customer(dock: Database) -> None:
    with unit_of_work(dock.sessions) as session:
        cancel_order(session, SUPERVISOR, "#1003", "customer called")
    (message,) = _messages(dock, "#1003", "cancelled")
    assert message.subject == "Your order #1003 has been cancelled"
    assert "1 x Mug-Blue" in message.body
    assert "customer called" not in message.body  # the desk's reason stays in the warehouse


def test_a_broken_template_names_itself(tmp_path: Path) -> None:
    (tmp_path / "received.txt").write_text("{% set subject = 'Hi' %}{{ missing_value }}\n")
    (tmp_path / "received.html").write_text("<p>hi</p>\n")
    with pytest.raises(InvalidInput, match=r"received.txt cannot be used: 'missing_value'"):
        render("received", {}, tmp_path)


def test_an_address_that_cannot_head_an_email_gets_no_message(
    dock: Database, tmp_path: Path
) -> None:
    path = write_orders(
        tmp_path / "bcc.csv",
        {"#2003": [("SOCK-ZOE", 1)]},
        email="ann@example.com\nBcc: someone@elsewhere.example",
    )
    import_orders(dock.sessions, SUPERVISOR, path, "csv")
    assert _messages(dock, "#2003") == []
    with dock.sessions() as session:
        (detail,) = session.scalars(
            select(OrderEvent.detail)
            .join(Order)
            .where(Order.number == "#2003", OrderEvent.kind == "message_not_sent")
        ).all()
    assert detail.startswith("No usable e-mail address ('ann@example.com Bcc: someone@")


def test_a_broken_template_fails_its_message_not_the_truck(
    dock: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edited = tmp_path / "messages"
    shutil.copytree(templates.MESSAGES_DIR, edited)
    (edited / "shipped.txt").write_text("{% set subject = 'Shipped' %}{{ parcel_list }}\n")
    monkeypatch.setattr(templates, "MESSAGES_DIR", edited)
    lee = add_shipper(dock)
    (carton,) = tracking_numbers(dock, "#1002")
    load(dock, lee, "DOCK-1", carton)
    with unit_of_work(dock.sessions) as session:
        assert close_load(session, lee, "DOCK-1").orders_shipped == ("#1002",)
    (message,) = _messages(dock, "#1002", "shipped")
    assert (message.status, message.subject) == ("failed", "(shipped message for order #1002)")
    assert "shipped.txt cannot be used: 'parcel_list' is undefined" in message.last_error
