"""Write orders as Shopify exports them: one row per line item, order fields on the first."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from app.domain.order_drafts import OrderDraft

COLUMNS = [
    "Name",
    "Email",
    "Financial Status",
    "Paid at",
    "Fulfillment Status",
    "Fulfilled at",
    "Accepts Marketing",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Total",
    "Discount Code",
    "Discount Amount",
    "Shipping Method",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem compare at price",
    "Lineitem sku",
    "Lineitem requires shipping",
    "Lineitem taxable",
    "Lineitem fulfillment status",
    "Billing Name",
    "Billing Street",
    "Billing Address1",
    "Billing Address2",
    "Billing Company",
    "Billing City",
    "Billing Zip",
    "Billing Province",
    "Billing Country",
    "Billing Phone",
    "Shipping Name",
    "Shipping Street",
    "Shipping Address1",
    "Shipping Address2",
    "Shipping Company",
    "Shipping City",
    "Shipping Zip",
    "Shipping Province",
    "Shipping Country",
    "Shipping Phone",
    "Notes",
    "Note Attributes",
    "Cancelled at",
    "Payment Method",
    "Payment Reference",
    "Refunded Amount",
    "Vendor",
    "Outstanding Balance",
    "Employee",
    "Location",
    "Device ID",
    "Id",
    "Tags",
    "Risk Level",
    "Source",
    "Lineitem discount",
    "Tax 1 Name",
    "Tax 1 Value",
    "Tax 2 Name",
    "Tax 2 Value",
    "Tax 3 Name",
    "Tax 3 Value",
    "Tax 4 Name",
    "Tax 4 Value",
    "Tax 5 Name",
    "Tax 5 Value",
    "Phone",
    "Receipt Number",
    "Duties",
    "Billing Province Name",
    "Shipping Province Name",
    "Payment ID",
    "Payment Terms Name",
    "Next Payment Due At",
    "Payment References",
]


def write_shopify_csv(orders: Iterable[OrderDraft], path: Path) -> int:
    """Write `orders` to `path` as Shopify exports them; returns the number of rows written."""
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        for order in orders:
            created = order.placed_at.strftime("%Y-%m-%d %H:%M:%S %z") if order.placed_at else ""
            address = order.ship_to
            for i, line in enumerate(order.lines):
                row = {
                    "Name": order.number,
                    "Email": order.email,
                    "Created at": created,
                    "Lineitem quantity": line.quantity,
                    "Lineitem name": line.name,
                    "Lineitem price": line.unit_price,
                    "Lineitem sku": line.sku,
                    "Lineitem requires shipping": "true" if line.requires_shipping else "false",
                    "Lineitem fulfillment status": "pending",
                }
                if i == 0:
                    row |= {
                        "Financial Status": order.payment_status,
                        "Fulfillment Status": "unfulfilled",
                        "Currency": order.currency,
                        "Total": order.total,
                        "Shipping Method": order.service,
                        "Billing Name": address.name,
                        "Shipping Name": address.name,
                        "Shipping Address1": address.address1,
                        "Shipping Address2": address.address2,
                        "Shipping Company": address.company,
                        "Shipping City": address.city,
                        # Shopify protects leading zeros with an apostrophe.
                        "Shipping Zip": "'" + address.postal_code
                        if address.postal_code[:1] == "0"
                        else address.postal_code,
                        "Shipping Province": address.region,
                        "Shipping Country": address.country,
                        "Shipping Phone": address.phone,
                        "Notes": order.note,
                    }
                writer.writerow(row)
                rows += 1
    return rows
