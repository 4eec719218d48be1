"""Parsing master-data rows (locations, products, stock) into values, or a reason they are wrong."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from app.domain.customs import parse_hs_code, parse_origin_country
from app.domain.formats.tabular import Row
from app.domain.gtin import GTIN_LENGTHS, has_valid_check_digit

LOCATION_COLUMNS = ("code", "zone", "aisle", "bay", "level")
PRODUCT_COLUMNS = ("sku", "name", "barcodes", "weight_g", "length_mm", "width_mm", "height_mm")
# Optional: what a customs declaration says about the product.
PRODUCT_CUSTOMS_COLUMNS = ("hs_code", "origin_country", "customs_description")
STOCK_COLUMNS = ("location", "sku", "quantity")  # lot and expiry are optional
# The largest value an Integer column holds on every database (PostgreSQL's int4).
MAX_WHOLE_NUMBER = 2**31 - 1


class RowError(ValueError):
    """A row that cannot be used; the message names the column and the value."""


@dataclass(frozen=True)
class LocationRow:
    code: str
    zone: str
    aisle: int
    bay: int
    level: int


@dataclass(frozen=True)
class ProductRow:
    sku: str
    name: str
    barcodes: tuple[str, ...]
    weight_g: int
    length_mm: int
    width_mm: int
    height_mm: int
    # None when the file has no such column: the product keeps what it had.
    hs_code: str | None = None
    origin_country: str | None = None
    customs_description: str | None = None


@dataclass(frozen=True)
class StockRow:
    location: str
    sku: str
    quantity: int
    lot: str
    expiry: date | None


def whole_number(row: Row, column: str, minimum: int) -> int:
    """The column's value as an integer from `minimum` to MAX_WHOLE_NUMBER, else RowError."""
    raw = row.get(column).strip()
    try:
        value = int(raw)
    except ValueError:
        raise RowError(f"{column} must be a whole number, got '{raw}'") from None
    if value < minimum:
        raise RowError(f"{column} must be at least {minimum}, got {value}")
    if value > MAX_WHOLE_NUMBER:
        raise RowError(f"{column} must be at most {MAX_WHOLE_NUMBER}, got {value}")
    return value


def optional_text(row: Row, column: str, max_length: int) -> str:
    """The column's trimmed text, possibly empty; it must fit its database column."""
    value = row.get(column).strip()
    if len(value) > max_length:
        raise RowError(f"{column} is longer than {max_length} characters")
    # PostgreSQL refuses NUL in text, and a tab or line break would garble labels and lists.
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise RowError(f"{column} contains control characters (a tab, line break or similar)")
    return value


def required_text(row: Row, column: str, max_length: int) -> str:
    """The column's trimmed text, which must be present and fit its database column."""
    value = optional_text(row, column, max_length)
    if not value:
        raise RowError(f"{column} is empty")
    return value


def code_text(row: Row, column: str, max_length: int) -> str:
    """A scannable code: required, no spaces or control characters inside."""
    value = required_text(row, column, max_length)
    if any(ch.isspace() or not ch.isprintable() for ch in value):
        raise RowError(f"{column} '{value}' contains spaces or control characters")
    return value


def parse_location(row: Row) -> LocationRow:
    """A location row: code, zone, aisle, bay, level (integers from 1)."""
    return LocationRow(
        code=code_text(row, "code", 40),
        zone=optional_text(row, "zone", 20),
        aisle=whole_number(row, "aisle", 1),
        bay=whole_number(row, "bay", 1),
        level=whole_number(row, "level", 1),
    )


def parse_barcode(code: str) -> str:
    """One product barcode; an all-digit code of a GTIN length must carry a valid check digit."""
    if any(ch.isspace() or not ch.isprintable() for ch in code) or len(code) > 64:
        raise RowError(f"barcode '{code}' is not a scannable code")
    if code.isdigit() and len(code) in GTIN_LENGTHS and not has_valid_check_digit(code):
        raise RowError(f"barcode {code} has a wrong GTIN check digit")
    return code


def parse_product(row: Row) -> ProductRow:
    """A product row; `barcodes` holds one or more codes separated by ';'."""
    codes = [c.strip() for c in row.get("barcodes").split(";") if c.strip()]
    if not codes:
        raise RowError("barcodes is empty: give at least one code")
    barcodes = tuple(dict.fromkeys(parse_barcode(c) for c in codes))
    return ProductRow(
        sku=code_text(row, "sku", 64),
        name=required_text(row, "name", 255),
        barcodes=barcodes,
        weight_g=whole_number(row, "weight_g", 0),
        length_mm=whole_number(row, "length_mm", 1),
        width_mm=whole_number(row, "width_mm", 1),
        height_mm=whole_number(row, "height_mm", 1),
        hs_code=_given(row, "hs_code", parse_hs_code),
        origin_country=_given(row, "origin_country", parse_origin_country),
        customs_description=(
            optional_text(row, "customs_description", 255)
            if "customs_description" in row.cells
            else None
        ),
    )


def _given(row: Row, column: str, parse: Callable[[str], str]) -> str | None:
    """An optional column's parsed value: None when the file lacks the column, "" when the
    cell is empty, else the value `parse` accepts (RowError when it refuses it)."""
    if column not in row.cells:
        return None
    raw = row.get(column).strip()
    if not raw:
        return ""
    try:
        return parse(raw)
    except ValueError as exc:
        raise RowError(str(exc)) from None


def parse_stock(row: Row) -> StockRow:
    """A stock row: location, sku, quantity (0 or more), optional lot and ISO expiry date."""
    raw_expiry = row.get("expiry").strip()
    try:
        expiry = date.fromisoformat(raw_expiry) if raw_expiry else None
    except ValueError:
        raise RowError(f"expiry must be a date like 2027-03-31, got '{raw_expiry}'") from None
    lot = optional_text(row, "lot", 40)
    return StockRow(
        location=code_text(row, "location", 40),
        sku=code_text(row, "sku", 64),
        quantity=whole_number(row, "quantity", 0),
        lot=lot,
        expiry=expiry,
    )
