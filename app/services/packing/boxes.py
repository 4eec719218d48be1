"""Box types at the pack benches: what a supervisor sets up, and what cartonization chooses from."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.packing_models import BoxType
from app.domain import cartonization
from app.domain.roles import Role
from app.domain.scanning.classify import Scan, ScanKind, classify
from app.services.actor import Actor
from app.services.errors import InvalidInput

BOX_COLUMNS = ("code", "name", "length_mm", "width_mm", "height_mm", "tare_g", "max_weight_g")
# The demo bench's boxes: inner size (mm), tare and gross weight limit (g).
DEMO_BOXES: tuple[tuple[str, str, int, int, int, int, int], ...] = (
    ("BOX-XS", "Mailer XS", 220, 160, 80, 90, 5_000),
    ("BOX-S", "Box S", 300, 220, 120, 160, 10_000),
    ("BOX-M", "Box M", 400, 300, 200, 330, 20_000),
    ("BOX-L", "Box L", 600, 400, 300, 650, 30_000),
)


BoxRow = cartonization.BoxType  # a box type as lists and the command line show it


def box_types(session: Session) -> list[cartonization.BoxType]:
    """The active box types, for cartonization."""
    return [
        cartonization.BoxType(
            b.code, b.name, b.length_mm, b.width_mm, b.height_mm, b.tare_g, b.max_weight_g
        )
        for b in session.scalars(select(BoxType).where(BoxType.active).order_by(BoxType.code))
    ]


def list_boxes(session: Session) -> list[BoxRow]:
    """Every active box type, by code."""
    return box_types(session)


def save_boxes(session: Session, actor: Actor, rows: Iterable[Sequence[object]]) -> list[BoxRow]:
    """Add or update box types (code, name, l, w, h, tare, max weight); all or nothing."""
    actor.require(Role.SUPERVISOR)
    checked = [_checked(number, row) for number, row in enumerate(rows, start=1)]
    if not checked:
        raise InvalidInput("No box types given.")
    codes = [b.code for b in checked]
    if len(set(codes)) != len(codes):
        raise InvalidInput("A box code is listed twice.")
    known = {b.code: b for b in session.scalars(select(BoxType).where(BoxType.code.in_(codes)))}
    for box in checked:
        row = known.get(box.code) or BoxType(code=box.code)
        row.name, row.active = box.name, True
        row.length_mm, row.width_mm, row.height_mm = box.length_mm, box.width_mm, box.height_mm
        row.tare_g, row.max_weight_g = box.tare_g, box.max_weight_g
        session.add(row)
    session.flush()
    return checked


def read_box_file(path: Path) -> list[list[str]]:
    """The rows of a box-type CSV file (header: code,name,length_mm,...); InvalidInput if bad."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in BOX_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise InvalidInput(f"{path.name}: missing column(s) {', '.join(missing)}.")
            return [[(row.get(c) or "").strip() for c in BOX_COLUMNS] for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InvalidInput(f"{path.name} cannot be read: {exc}") from None


def _checked(number: int, row: Sequence[object]) -> BoxRow:
    if len(row) != len(BOX_COLUMNS):
        raise InvalidInput(f"Box {number}: give {', '.join(BOX_COLUMNS)}.")
    code, name = str(row[0]).strip().upper(), str(row[1]).strip()
    scan = classify(code)
    if not isinstance(scan, Scan) or scan.kind is not ScanKind.BOX:
        raise InvalidInput(
            f"Box {number}: code '{code}' would not scan as a box type (use BOX- and letters "
            "or digits, e.g. BOX-M)."
        )
    try:
        length, width, height, tare, limit = (int(str(v).strip()) for v in row[2:])
    except ValueError:
        raise InvalidInput(f"Box {code}: sizes and weights are whole numbers (mm, g).") from None
    if min(length, width, height) <= 0 or max(length, width, height) > 3_000:
        raise InvalidInput(f"Box {code}: inner sizes are 1 to 3000 mm.")
    if tare < 0 or limit <= tare:
        raise InvalidInput(f"Box {code}: the weight limit must be more than the box's tare.")
    return cartonization.BoxType(code, name or code, length, width, height, tare, limit)
