"""Finding things by what was scanned: a product by GTIN, SKU or internal barcode."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Product, ProductBarcode
from app.domain.gtin import GTIN_LENGTHS, gtin14, is_gtin


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


def product_ids_for(session: Session, codes: set[str]) -> dict[str, int]:
    """Product ids for codes a shop sends as SKUs: the SKU itself, else a unit barcode.

    The same rule as a scan: a GTIN matches in any of its lengths, so `07612340000010` finds
    the product whose barcode was imported as `7612340000010`.
    """
    found: dict[str, int] = dict(
        session.execute(select(Product.sku, Product.id).where(Product.sku.in_(codes))).all()
    )
    forms = {
        form: code
        for code in codes - found.keys()
        if is_gtin(code)
        for form in gtin_forms(gtin14(code))
    }
    plain = {code: code for code in codes - found.keys() if not is_gtin(code)}
    wanted = forms | plain
    if wanted:
        for barcode, product_id in session.execute(
            select(ProductBarcode.code, ProductBarcode.product_id)
            .where(ProductBarcode.code.in_(wanted), ProductBarcode.pack_quantity == 1)
            .order_by(ProductBarcode.id)
        ):
            found.setdefault(wanted[barcode], product_id)
    return found


def find_product(session: Session, code: str, gtin: str | None = None) -> ProductMatch | None:
    """The product whose barcode (any GTIN length) or SKU is `code`, or None."""
    codes = gtin_forms(gtin) if gtin else [code]
    by_barcode = session.execute(
        select(Product.id, Product.sku, Product.name, ProductBarcode.pack_quantity)
        .join(ProductBarcode, ProductBarcode.product_id == Product.id)
        .where(ProductBarcode.code.in_(codes))
        .order_by(ProductBarcode.id)
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
