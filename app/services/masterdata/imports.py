"""Master-data imports: locations, products and stock from CSV, upserted by their natural keys.

Re-importing a file changes nothing; a changed row updates its record. Rows are applied in
batches, one transaction per batch; a bad row is reported with its line number and skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from app.db.engine import unit_of_work
from app.db.models import Location, Product, ProductBarcode, Stock
from app.domain.formats import masterdata_rows as rows
from app.domain.formats.tabular import FileUnusable, Row, read_csv
from app.domain.iteration import chunks
from app.domain.roles import Role
from app.services.actor import Actor
from app.services.masterdata.warehouse import cover_locations

BATCH = 500


@dataclass
class MasterImportSummary:
    """Counts per outcome and every rejected row with its reason."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    unusable: str | None = None
    layout_grown: str = ""  # e.g. "bays 12 -> 30": the layout grew to reach the locations

    @property
    def exit_code(self) -> int:
        """0 all landed, 1 some rows rejected (the rest landed), 2 the input was unusable."""
        if self.unusable is not None:
            return 2
        return 1 if self.rejected else 0


@dataclass(frozen=True)
class _Kind:
    columns: Sequence[str]
    parse: Callable[[Row], Any]
    key: Callable[[Any], tuple[str, ...]]
    apply: Callable[[Session, list[tuple[int, Any]], MasterImportSummary], None]


def import_locations(
    factory: sessionmaker[Session], actor: Actor, path: Path
) -> MasterImportSummary:
    """`code,zone,aisle,bay,level`: create or update storage locations; the warehouse layout
    grows to reach them."""
    summary = _import(factory, actor, path, _LOCATIONS)
    if summary.unusable is None:
        _cover(factory, actor, summary)
    return summary


def import_products(
    factory: sessionmaker[Session], actor: Actor, path: Path
) -> MasterImportSummary:
    """`sku,name,barcodes,weight_g,length_mm,width_mm,height_mm`, optionally `hs_code,
    origin_country,customs_description`: create or update products."""
    return _import(factory, actor, path, _PRODUCTS)


def import_stock(factory: sessionmaker[Session], actor: Actor, path: Path) -> MasterImportSummary:
    """`location,sku,quantity,lot,expiry`: set the counted quantity of a product at a location."""
    return _import(factory, actor, path, _STOCK)


def load_master_data(
    factory: sessionmaker[Session],
    actor: Actor,
    locations: Iterable[rows.LocationRow] = (),
    products: Iterable[rows.ProductRow] = (),
    stock: Iterable[rows.StockRow] = (),
) -> MasterImportSummary:
    """Upsert already-parsed master data (the demo uses this; files go through import_*)."""
    actor.require(Role.SUPERVISOR)
    summary = MasterImportSummary()
    for kind, values in ((_LOCATIONS, locations), (_PRODUCTS, products), (_STOCK, stock)):
        _apply_all(factory, kind, enumerate(values, start=1), summary)
        if kind is _LOCATIONS:
            _cover(factory, actor, summary)
    return summary


def _cover(factory: sessionmaker[Session], actor: Actor, summary: MasterImportSummary) -> None:
    """Routes are walked on the layout: it must reach every location that exists."""
    with unit_of_work(factory) as session:
        summary.layout_grown = cover_locations(session, actor)


def _import(
    factory: sessionmaker[Session], actor: Actor, path: Path, kind: _Kind
) -> MasterImportSummary:
    actor.require(Role.SUPERVISOR)
    summary = MasterImportSummary()
    try:
        # Read the whole file once before applying any of it: a CSV fault late in a large
        # file would otherwise stop the import after earlier batches were committed.
        for _ in read_csv(path, kind.columns):
            pass
        _apply_all(factory, kind, _parsed(read_csv(path, kind.columns), kind, summary), summary)
        # Bad values are found while reading, conflicts with the database while applying.
        summary.rejected.sort()
    except FileUnusable as exc:
        summary.unusable = str(exc)
    return summary


def _apply_all(
    factory: sessionmaker[Session],
    kind: _Kind,
    values: Iterable[tuple[int, Any]],
    summary: MasterImportSummary,
) -> None:
    for batch in chunks(values, BATCH):
        with unit_of_work(factory) as session:
            kind.apply(session, batch, summary)


def _parsed(
    source: Iterable[Row], kind: _Kind, summary: MasterImportSummary
) -> Iterator[tuple[int, Any]]:
    # Per key its first line and a hash of its values, not the row itself: holding every row
    # would make memory grow with the file, to many times its size.
    first_seen: dict[tuple[str, ...], tuple[int, int]] = {}
    for row in source:
        try:
            value = kind.parse(row)
        except rows.RowError as exc:
            summary.rejected.append((row.line_no, str(exc)))
            continue
        key = kind.key(value)
        if key in first_seen:
            line, earlier = first_seen[key]
            if earlier != hash(value):
                named = " ".join(part for part in key if part)  # an empty lot is no word
                summary.rejected.append(
                    (row.line_no, f"{named} was already given on line {line} with other values")
                )
            else:
                summary.unchanged += 1
            continue
        first_seen[key] = (row.line_no, hash(value))
        yield row.line_no, value


def _update(record: object, values: dict[str, Any]) -> bool:
    """Set the attributes of `record` that differ from `values`; True when any did."""
    changed = False
    for name, value in values.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    return changed


def _tally(summary: MasterImportSummary, changed: bool) -> None:
    if changed:
        summary.updated += 1
    else:
        summary.unchanged += 1


def _apply_locations(
    session: Session, batch: list[tuple[int, rows.LocationRow]], summary: MasterImportSummary
) -> None:
    existing = {
        loc.code: loc
        for loc in session.scalars(
            select(Location).where(Location.code.in_([r.code for _, r in batch]))
        )
    }
    for _, row in batch:
        values = {"zone": row.zone, "aisle": row.aisle, "bay": row.bay, "level": row.level}
        if row.code in existing:
            _tally(summary, _update(existing[row.code], values))
        else:
            session.add(Location(code=row.code, **values))
            summary.created += 1


def _apply_products(
    session: Session, batch: list[tuple[int, rows.ProductRow]], summary: MasterImportSummary
) -> None:
    skus = [r.sku for _, r in batch]
    existing = {
        p.sku: p
        for p in session.scalars(
            select(Product).where(Product.sku.in_(skus)).options(selectinload(Product.barcodes))
        )
    }
    codes = [code for _, r in batch for code in r.barcodes]
    owners = dict(
        session.execute(
            select(ProductBarcode.code, Product.sku)
            .join(Product)
            .where(ProductBarcode.code.in_(codes))
        ).all()
    )
    claimed: dict[str, str] = {}
    for line_no, row in batch:
        taken = [
            f"{code} (already on {owner})"
            for code in row.barcodes
            if (owner := owners.get(code, claimed.get(code, row.sku))) != row.sku
        ]
        if taken:
            summary.rejected.append(
                (line_no, "barcode belongs to another product: " + ", ".join(taken))
            )
            continue
        claimed.update(dict.fromkeys(row.barcodes, row.sku))
        values = {
            "name": row.name,
            "weight_g": row.weight_g,
            "length_mm": row.length_mm,
            "width_mm": row.width_mm,
            "height_mm": row.height_mm,
        }
        # A file without the customs columns leaves what a product has alone.
        values.update(
            (name, value)
            for name in rows.PRODUCT_CUSTOMS_COLUMNS
            if (value := getattr(row, name)) is not None
        )
        product = existing.get(row.sku)
        if product is None:
            session.add(
                Product(
                    sku=row.sku, barcodes=[ProductBarcode(code=c) for c in row.barcodes], **values
                )
            )
            summary.created += 1
            continue
        changed = _update(product, values)
        old = [b.code for b in product.barcodes]
        if set(old) != set(row.barcodes):
            changed = True
            session.execute(
                delete(ProductBarcode).where(
                    ProductBarcode.product_id == product.id,
                    ProductBarcode.code.not_in(row.barcodes),
                )
            )
            session.flush()
            session.expire(product, ["barcodes"])
            for code in row.barcodes:
                if code not in old:
                    session.add(ProductBarcode(product_id=product.id, code=code))
            session.flush()
        _tally(summary, changed)


def _apply_stock(
    session: Session, batch: list[tuple[int, rows.StockRow]], summary: MasterImportSummary
) -> None:
    location_ids = dict(
        session.execute(
            select(Location.code, Location.id).where(
                Location.code.in_({r.location for _, r in batch})
            )
        ).all()
    )
    product_ids = dict(
        session.execute(
            select(Product.sku, Product.id).where(Product.sku.in_({r.sku for _, r in batch}))
        ).all()
    )
    # Lock every existing row the batch touches at once, in id order, as verification does:
    # two transactions that lock in the same order never deadlock.
    existing = {
        (stock.location_id, stock.product_id, stock.lot): stock
        for stock in session.scalars(
            select(Stock)
            .where(
                Stock.location_id.in_(set(location_ids.values())),
                Stock.product_id.in_(set(product_ids.values())),
            )
            .order_by(Stock.id)
            .with_for_update()
        )
    }
    # A stock file is a count: the counted locations are trusted again.
    counted = {location_ids[r.location] for _, r in batch if r.location in location_ids}
    if counted:
        session.execute(
            update(Location)
            .where(Location.id.in_(counted), Location.needs_count.is_(True))
            .values(needs_count=False)
        )
    for line_no, row in batch:
        location_id, product_id = location_ids.get(row.location), product_ids.get(row.sku)
        if location_id is None or product_id is None:
            unknown = [f"location {row.location}"] if location_id is None else []
            unknown += [f"SKU {row.sku}"] if product_id is None else []
            summary.rejected.append((line_no, "unknown " + " and ".join(unknown)))
            continue
        stock = existing.get((location_id, product_id, row.lot))
        if stock is None:
            session.add(
                Stock(
                    location_id=location_id,
                    product_id=product_id,
                    lot=row.lot,
                    expiry=row.expiry,
                    quantity=row.quantity,
                    reserved=0,
                )
            )
            summary.created += 1
        elif row.quantity < stock.reserved:
            summary.rejected.append(
                (
                    line_no,
                    f"{row.location} holds {stock.reserved} units of {row.sku} promised to orders; "
                    f"a count of {row.quantity} is below that (resolve those orders first)",
                )
            )
        else:
            changed = _update(stock, {"quantity": row.quantity, "expiry": row.expiry})
            if changed:
                stock.version += 1
            _tally(summary, changed)


_LOCATIONS = _Kind(
    rows.LOCATION_COLUMNS, rows.parse_location, lambda r: (r.code,), _apply_locations
)
_PRODUCTS = _Kind(rows.PRODUCT_COLUMNS, rows.parse_product, lambda r: (r.sku,), _apply_products)
_STOCK = _Kind(
    rows.STOCK_COLUMNS, rows.parse_stock, lambda r: (r.location, r.sku, r.lot), _apply_stock
)
