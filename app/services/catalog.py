"""Finding things by what was scanned: a product by GTIN, SKU or internal barcode."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Product, ProductBarcode
from app.domain.gtin import GTIN_LENGTHS


@dataclass(frozen=True)
class ProductMatch:
    """The product a code stands for, and how many units one scan of it counts (case codes)."""

    product_id: int
    sku: str
    name: str
    pack_quantity: int


def gtin_forms(gtin: str) -> list[str]:
    """Every length a GTIN may be stored in: 00000096385074 -> [..., 96385074]."""
    digits = gtin.lstrip("0")
    return [gtin.rjust(n, "0")[-n:] for n in sorted(GTIN_LENGTHS) if len(digits) <= n]


def find_product(session: Session, code: str, gtin: str | None = None) -> ProductMatch | None:
    """The product whose barcode (any GTIN length) or SKU is `code`, or None."""
    codes = gtin_forms(gtin) if gtin else [code]
    by_barcode = session.execute(
        select(Product.id, Product.sku, Product.name, ProductBarcode.pack_quantity)
        .join(ProductBarcode, ProductBarcode.product_id == Product.id)
        .where(ProductBarcode.code.in_(codes))
        .limit(1)
    ).first()
    if by_barcode is not None:
        return ProductMatch(*by_barcode)
    if gtin:
        return None
    by_sku = session.execute(
        select(Product.id, Product.sku, Product.name).where(Product.sku == code)
    ).first()
    return ProductMatch(*by_sku, pack_quantity=1) if by_sku is not None else None
