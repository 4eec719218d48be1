"""Customs at the pack bench: which orders leave the warehouse's customs territory, what their
declarations would lack, and the declaration a closed carton prints with its label."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.models import Order, OrderLine, Product
from app.db.packing_models import Carton, CartonItem
from app.domain.customs import (
    CustomsItem,
    declaration_form,
    item_value,
    missing_data,
    needs_declaration,
)
from app.printing import address_values
from app.printing.errors import LayoutError
from app.printing.library import default_library
from app.services.ship_to import ship_to

# The warehouse's country (ISO code), next to its ship-from address in labels/_site.toml.
SITE_COUNTRY = "ship_from_country"


@dataclass(frozen=True)
class CustomsNotice:
    """What the bench tells the packer about customs for an order ("" / () when nothing)."""

    declaration: str = ""  # e.g. "customs declaration DE → US"
    missing: tuple[str, ...] = ()  # e.g. ("TOY-0101: HS code, country of origin",)

    @property
    def warning(self) -> str:
        """The amber line a packer reads: what the declaration prints without."""
        if not self.missing:
            return ""
        return f"Customs data missing ({'; '.join(self.missing)}): tell a supervisor."


NO_CUSTOMS = CustomsNotice()


def warehouse_country() -> str:
    """The country the warehouse ships from (ISO code), "" when `_site.toml` does not say."""
    try:
        site = default_library().site_values()
    except LayoutError:
        # A typo in the site file must not stop the bench: the packer is warned instead, and
        # printing names the file's fault when the labels print.
        return ""
    return str(site.get(SITE_COUNTRY, "")).strip().upper()


def order_notice(order: Order, products: Iterable[Product]) -> CustomsNotice:
    """Whether the order's cartons need a declaration, and what its products lack for one."""
    origin = warehouse_country()
    if not order.ship_country:
        return NO_CUSTOMS
    if not origin:
        return CustomsNotice(
            "customs unknown",
            (f"the warehouse's country ({SITE_COUNTRY} in labels/_site.toml) is unknown",),
        )
    if not needs_declaration(origin, order.ship_country, order.ship_postal_code):
        return NO_CUSTOMS
    items = [
        CustomsItem(
            p.sku, p.customs_description, p.name, 0, 0, Decimal(0), p.hs_code, p.origin_country
        )
        for p in products
    ]
    gaps = missing_data(list({i.sku: i for i in items}.values()))
    if not order.currency.strip():
        gaps.append("the order has no currency")
    return CustomsNotice(f"customs declaration {origin} → {order.ship_country}", tuple(gaps))


@dataclass(frozen=True)
class Declaration:
    """A carton's customs declaration: its form and the values its layout prints."""

    form: str  # CN22 or CN23
    layout: str
    data: dict[str, Any]
    missing: tuple[str, ...]


def carton_declaration(session: Session, carton: Carton, order: Order) -> Declaration | None:
    """The declaration a closed carton carries, or None when it stays inside the territory."""
    origin = warehouse_country()
    if not origin or not needs_declaration(origin, order.ship_country, order.ship_postal_code):
        return None
    packed = session.execute(
        select(CartonItem.order_line_id, func.sum(CartonItem.units))
        .where(CartonItem.carton_id == carton.id)
        .group_by(CartonItem.order_line_id)
    ).all()
    units = {line_id: int(n) for line_id, n in packed}
    rows = session.execute(
        select(OrderLine, Product)
        .join(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.id.in_(units))
        .order_by(OrderLine.line_no)
    ).all()
    items = [
        CustomsItem(
            sku=product.sku,
            description=product.customs_description,
            name=product.name or line.name,
            quantity=units[line.id],
            net_weight_g=product.weight_g * units[line.id],
            value=item_value(line.unit_price, units[line.id]),
            hs_code=product.hs_code,
            origin_country=product.origin_country,
        )
        for line, product in rows
    ]
    currency = order.currency.strip().upper()
    value = sum((i.value for i in items), Decimal("0.00"))
    gross = carton.weight_g or 0
    form = declaration_form(value, currency, gross)
    when = carton.closed_at or order.received_at
    data: dict[str, Any] = {
        **address_values(ship_to(order)),
        "form": form,
        "order_number": order.number,
        "tracking_number": carton.tracking_number or "",
        "carrier": carton.carrier,
        "ship_from_country": origin,
        "currency": currency or "—",
        "total_value": f"{value:.2f}",
        "total_net_weight": _kg(sum(i.net_weight_g for i in items)),
        "total_weight": _kg(gross),
        "date": f"{when:%Y-%m-%d}",
        "items": [
            {
                "description": i.description or i.name,
                "sku": i.sku,
                "quantity": i.quantity,
                "net_weight": _kg(i.net_weight_g),
                "value": f"{i.value:.2f}",
                "hs_code": i.hs_code,
                "origin_country": i.origin_country,
            }
            for i in items
        ],
    }
    layout = "customs_cn22" if form == "CN22" else "customs_cn23"
    return Declaration(form, layout, data, tuple(missing_data(items)))


def _kg(grams: int) -> str:
    return f"{grams / 1000:.3f} kg"
