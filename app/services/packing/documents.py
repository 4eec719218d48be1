"""What a closed carton prints: the shipping label, the customs declaration (CN22 or CN23) of
a carton that leaves the warehouse's customs territory, the GS1 logistic label if the
warehouse uses it, and the packing slip with the order's last carton.

Runs after the carton's transaction committed: every document is printed and recorded on
its own, so one printer that is off fails its document (shown, retried with a reprint)
and never the carton or the other documents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.db.models import Customer, Order, OrderLine, PrintRecord
from app.db.packing_models import Carton, CartonItem
from app.domain.roles import Role
from app.printing import Printer, PrintingError, address_values
from app.services.actor import Actor
from app.services.errors import NotFound, WrongState
from app.services.masterdata.warehouse import packing_settings
from app.services.packing.customs import carton_declaration
from app.services.packing.views import CLOSED
from app.services.printing.records import RecordedPrint, is_document_layout, print_document, reprint
from app.services.ship_to import ship_to

SHIPPING_LAYOUT, GS1_LAYOUT = "shipping_4x6", "gs1_logistic_4x6"
Factory = sessionmaker[Session]


@dataclass(frozen=True)
class CartonDocument:
    """One document of a carton: its layout, its values and how the print log names it."""

    layout: str
    data: dict[str, Any]
    description: str


@dataclass(frozen=True)
class CartonPrint:
    """How one document of a carton printed."""

    description: str
    ok: bool
    message: str
    destination: str
    record_id: int


def carton_documents(session: Session, carton_id: int) -> list[CartonDocument]:
    """The documents of a closed carton, with the values they print."""
    carton = session.get(Carton, carton_id)
    if carton is None:
        raise NotFound(f"No carton #{carton_id}.")
    if carton.status == "VOID":
        raise WrongState("That carton is void (its order was cancelled or set aside): open it.")
    if carton.status == "OPEN" or carton.sscc is None or carton.tracking_number is None:
        raise WrongState(f"Carton {carton.seq} is not closed yet: nothing to print.")
    order = session.get_one(Order, carton.order_id)
    closed = list(
        session.scalars(
            select(Carton.id)
            .where(Carton.order_id == order.id, Carton.status.in_(CLOSED))
            .order_by(Carton.seq)
        )
    )
    number, count = closed.index(carton.id) + 1, carton.carton_count or len(closed)
    where = f"order {order.number} carton {number} of {count}"
    address = address_values(ship_to(order))
    common = {**address, "order_number": order.number, "carton_no": number, "carton_count": count}
    weight = carton.weight_g or 0
    documents = [
        CartonDocument(
            SHIPPING_LAYOUT,
            {
                **common,
                "carrier": carton.carrier,
                "service": carton.service,
                "weight": f"{weight / 1000:.2f} kg",
                "tracking_number": carton.tracking_number,
                "ship_date": f"{(carton.closed_at or order.received_at):%Y-%m-%d}",
            },
            f"shipping label {where} · {carton.tracking_number}",
        )
    ]
    declaration = carton_declaration(session, carton, order)
    if declaration is not None:
        documents.append(
            CartonDocument(
                declaration.layout,
                {**common, **declaration.data},
                f"customs declaration {declaration.form} {where} · {carton.tracking_number}",
            )
        )
    settings = packing_settings(session)
    if settings.gs1_label:
        documents.append(
            CartonDocument(
                GS1_LAYOUT, {**common, "sscc": carton.sscc}, f"GS1 label {where} · {carton.sscc}"
            )
        )
    if order.status != "EXCEPTION" and number == count and _all_closed(session, order.id):
        documents.append(_packing_slip(session, order, settings.slip_layout))
    return documents


def print_carton(
    factory: Factory,
    actor: Actor,
    label_printer: Printer,
    document_printer: Printer,
    carton_id: int,
) -> list[CartonPrint]:
    """Print every document of a closed carton on the station's printers, each recorded."""
    actor.require(Role.PACKER)
    with factory() as session:
        documents = carton_documents(session, carton_id)
    results = []
    for d in documents:
        printer = _printer_for(d.layout, label_printer, document_printer)
        send = partial(print_document, factory, actor, printer, d.layout, d.data, d.description)
        results.append(_print_one(d.description, send))
    return results


def reprint_carton(
    factory: Factory,
    actor: Actor,
    label_printer: Printer,
    document_printer: Printer,
    carton_id: int,
) -> list[CartonPrint]:
    """Print a carton's documents again exactly as first printed; each reprint is recorded.
    A document never printed (the station went down before) is printed now."""
    actor.require(Role.PACKER)
    with factory() as session:
        documents = carton_documents(session, carton_id)
        firsts = [_first_print(session, d.layout, d.description) for d in documents]
    results = []
    for d, first in zip(documents, firsts, strict=True):
        printer = _printer_for(d.layout, label_printer, document_printer)
        send = (
            partial(print_document, factory, actor, printer, d.layout, d.data, d.description)
            if first is None
            else partial(reprint, factory, actor, printer, first)
        )
        results.append(_print_one(d.description, send))
    return results


def _printer_for(layout: str, label_printer: Printer, document_printer: Printer) -> Printer:
    return document_printer if is_document_layout(layout) else label_printer


def _print_one(what: str, send: Callable[[], RecordedPrint]) -> CartonPrint:
    """One document sent and recorded; a printing failure is an outcome, not an exception."""
    try:
        done = send()
    except PrintingError as exc:
        return _failed(what, exc)
    return _printed(done)


def last_closed_carton(session: Session, actor: Actor) -> int | None:
    """The carton this operator closed last (what F9 reprints, after a restart too)."""
    actor.require(Role.PACKER)
    return session.scalar(
        select(Carton.id)
        .where(Carton.closed_by == actor.operator_id, Carton.status.in_(CLOSED))
        .order_by(Carton.closed_at.desc(), Carton.id.desc())
        .limit(1)
    )


def _first_print(session: Session, layout: str, description: str) -> int | None:
    return session.scalar(
        select(func.min(PrintRecord.id)).where(
            PrintRecord.layout == layout,
            PrintRecord.description == description,
            PrintRecord.reprint_of.is_(None),
        )
    )


def _all_closed(session: Session, order_id: int) -> bool:
    return not session.scalar(
        select(func.count(Carton.id)).where(Carton.order_id == order_id, Carton.status == "OPEN")
    )


def _packing_slip(session: Session, order: Order, layout: str) -> CartonDocument:
    customer = session.get(Customer, order.customer_id) if order.customer_id else None
    packed = dict(
        session.execute(
            select(CartonItem.order_line_id, func.sum(CartonItem.units))
            .join(Carton, Carton.id == CartonItem.carton_id)
            .where(Carton.order_id == order.id, Carton.status.in_(CLOSED))
            .group_by(CartonItem.order_line_id)
        ).all()
    )
    lines = session.scalars(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)
    ).all()
    rows = [
        {"row_no": n, "sku": line.sku, "name": line.name, "quantity": int(packed[line.id])}
        for n, line in enumerate((li for li in lines if packed.get(li.id)), start=1)
    ]
    placed = order.placed_at or order.received_at
    data = {
        **address_values(ship_to(order)),
        "order_number": order.number,
        "order_date": f"{placed:%Y-%m-%d}",
        "customer_name": (customer.name if customer else "") or order.ship_name,
        "customer_email": order.email,
        "lines": rows,
    }
    return CartonDocument(layout, data, f"packing slip order {order.number}")


def _printed(done: RecordedPrint) -> CartonPrint:
    return CartonPrint(done.what, True, done.message, done.destination, done.record_id)


def _failed(what: str, exc: PrintingError) -> CartonPrint:
    outcome = exc.outcome
    record = getattr(outcome, "record_id", 0) if outcome is not None else 0
    return CartonPrint(what, False, str(exc), "", record)
