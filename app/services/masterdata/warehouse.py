"""Business configuration every station shares, kept in the database: scan patterns, layout,
packing rules."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app import clock
from app.db.models import Location, WarehouseSetting
from app.domain.packing_rules import PackingSettings
from app.domain.roles import Role
from app.domain.routing.layout import Layout
from app.domain.scanning.classify import DEFAULT_PATTERNS, ScanPatterns
from app.services.actor import Actor
from app.services.errors import InvalidInput, WrongState

PATTERNS_KEY = "scan.patterns"
LAYOUT_KEY = "layout"
LAYOUT_ORIGIN_KEY = "layout.origin"
PACKING_KEY = "packing"
# Where a layout value came from: its default, a location import that grew it, a supervisor.
DEFAULT, IMPORT, SET = "default", "location import", "layout set"
_EXAMPLES = 5


def scan_patterns(session: Session) -> ScanPatterns:
    """The warehouse's scan patterns: the defaults with any overrides a supervisor stored."""
    overrides = _overrides(session)
    return ScanPatterns.from_overrides(overrides) if overrides else DEFAULT_PATTERNS


def set_scan_pattern(session: Session, actor: Actor, key: str, pattern: str | None) -> ScanPatterns:
    """Override one pattern (None goes back to the default); refused if the result is invalid."""
    actor.require(Role.SUPERVISOR)
    overrides = _overrides(session)
    if pattern is None:
        overrides.pop(key, None)
    else:
        overrides[key] = pattern
    try:
        patterns = ScanPatterns.from_overrides(overrides)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    _store(session, PATTERNS_KEY, overrides)
    return patterns


def warehouse_layout(session: Session) -> Layout:
    """The floor's geometry for routing: the demo warehouse's unless a supervisor set it."""
    stored = _load(session, LAYOUT_KEY)
    return Layout.from_dict(stored) if stored else Layout()


@dataclass(frozen=True)
class Origin:
    """Where one layout value came from, and on which day."""

    source: str  # DEFAULT, IMPORT or SET
    on: str = ""  # ISO date

    @property
    def text(self) -> str:
        if self.source == IMPORT:
            return f"grown by the location import of {self.on}"
        if self.source == SET:
            return f"set by baton layout set on {self.on}"
        return "default"


@dataclass(frozen=True)
class OutsideLayout:
    """Locations the layout does not reach, and the smallest aisles and bays that would."""

    count: int
    examples: tuple[str, ...]
    aisles: int
    bays: int

    def settings(self, layout: Layout) -> str:
        """The `baton layout set` arguments that make `layout` reach every one of them."""
        wanted = [("aisles", self.aisles, layout.aisles), ("bays", self.bays, layout.bays)]
        return " ".join(f"{name}={need}" for name, need, have in wanted if need > have)

    def describe(self, layout: Layout) -> str:
        shown = ", ".join(self.examples) + (", ..." if self.count > len(self.examples) else "")
        return (
            f"{self.count} location(s) lie outside the layout (aisles 1-{layout.aisles}, "
            f"bays 1-{layout.bays}): {shown}"
        )


@dataclass(frozen=True)
class LayoutReport:
    """The layout, where each of its values came from, and any location it does not reach."""

    layout: Layout
    origin: dict[str, Origin] = field(default_factory=dict)
    outside: OutsideLayout | None = None


class LayoutTooSmall(WrongState):
    """Locations that work needs lie outside the warehouse layout; nothing was changed."""


def layout_report(session: Session) -> LayoutReport:
    """The layout with the origin of every value, for `baton layout show`."""
    layout = warehouse_layout(session)
    origins = _load(session, LAYOUT_ORIGIN_KEY)
    origin = {}
    for name in layout.as_dict():
        found = origins.get(name)
        origin[name] = (
            Origin(str(found.get("source", DEFAULT)), str(found.get("on", "")))
            if isinstance(found, dict)
            else Origin(DEFAULT)
        )
    return LayoutReport(layout, origin, locations_outside(session, layout))


def locations_outside(session: Session, layout: Layout) -> OutsideLayout | None:
    """The stored locations `layout` does not reach (None when it reaches them all)."""
    outside = or_(Location.aisle > layout.aisles, Location.bay > layout.bays)
    count, aisles, bays = session.execute(
        select(func.count(), func.max(Location.aisle), func.max(Location.bay)).where(outside)
    ).one()
    if not count:
        return None
    examples = session.scalars(
        select(Location.code).where(outside).order_by(Location.code).limit(_EXAMPLES)
    ).all()
    return OutsideLayout(count, tuple(examples), max(aisles, layout.aisles), max(bays, layout.bays))


def places_outside(layout: Layout, places: Iterable[tuple[str, int, int]]) -> OutsideLayout | None:
    """The places (code, aisle, bay) `layout` does not reach (None when it reaches them all)."""
    outside = sorted({p for p in places if not layout.reaches(p[1], p[2])})
    if not outside:
        return None
    return OutsideLayout(
        len(outside),
        tuple(code for code, _, _ in outside[:_EXAMPLES]),
        max(layout.aisles, *(aisle for _, aisle, _ in outside)),
        max(layout.bays, *(bay for _, _, bay in outside)),
    )


def cover_locations(session: Session, actor: Actor) -> str:
    """Grow the layout (never shrink it) until it reaches every stored location.

    Returns what grew, e.g. "bays 12 -> 30", or "" when the layout already reached them.
    """
    actor.require(Role.SUPERVISOR)
    layout = warehouse_layout(session)
    aisles, bays = session.execute(select(func.max(Location.aisle), func.max(Location.bay))).one()
    grown = layout.covering(aisles or 1, bays or 1)
    if grown == layout:
        return ""
    changed = [n for n in ("aisles", "bays") if getattr(grown, n) != getattr(layout, n)]
    _store(session, LAYOUT_KEY, grown.as_dict())
    _note_origin(session, changed, IMPORT)
    return ", ".join(f"{n} {getattr(layout, n)} -> {getattr(grown, n)}" for n in changed)


def set_layout(
    session: Session, actor: Actor, changes: dict[str, object], *, allow_outside: bool = False
) -> Layout:
    """Change some layout parameters; refused (nothing stored) if the result is not a layout,
    or if it leaves stored locations outside it and `allow_outside` is not given."""
    actor.require(Role.SUPERVISOR)
    values = {**warehouse_layout(session).as_dict(), **changes}
    try:
        layout = Layout.from_dict(values)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"Layout not changed: {exc}") from None
    outside = locations_outside(session, layout)
    if outside is not None and not allow_outside:
        raise LayoutTooSmall(
            f"Layout not changed: {outside.describe(layout)}. Give "
            f"{outside.settings(layout)} to reach them, or add --allow-outside to store it "
            "anyway (waves picking from those locations are then refused)."
        )
    _store(session, LAYOUT_KEY, layout.as_dict())
    _note_origin(session, list(changes), SET)
    return layout


def check_reaches(layout: Layout, places: Iterable[tuple[str, int, int]], doing: str) -> None:
    """Refuse `doing` with a message naming `baton layout set` when a place is off the layout."""
    outside = places_outside(layout, places)
    if outside is not None:
        raise LayoutTooSmall(
            f"{doing}: {outside.describe(layout)}. Run "
            f"`baton layout set {outside.settings(layout)}` so that the layout reaches them."
        )


def _note_origin(session: Session, names: list[str], source: str) -> None:
    origins = _load(session, LAYOUT_ORIGIN_KEY)
    for name in names:
        origins[name] = {"source": source, "on": clock.today().isoformat()}
    _store(session, LAYOUT_ORIGIN_KEY, origins)


def packing_settings(session: Session) -> PackingSettings:
    """The pack benches' rules: weight tolerance, GS1 label, SSCC prefix, packing slip size."""
    stored = _load(session, PACKING_KEY)
    try:
        return PackingSettings.from_dict(stored)
    except ValueError:
        return PackingSettings()  # set_packing refuses bad values; a hand-edited row falls back


def set_packing(session: Session, actor: Actor, changes: dict[str, object]) -> PackingSettings:
    """Change some packing settings; refused (nothing stored) if a value is not usable."""
    actor.require(Role.SUPERVISOR)
    try:
        settings = PackingSettings.from_dict({**packing_settings(session).as_dict(), **changes})
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"Packing settings not changed: {exc}") from None
    _store(session, PACKING_KEY, settings.as_dict())
    return settings


def _overrides(session: Session) -> dict[str, str]:
    return {str(k): str(v) for k, v in _load(session, PATTERNS_KEY).items()}


def _load(session: Session, key: str) -> dict[str, object]:
    value = session.scalar(select(WarehouseSetting.value).where(WarehouseSetting.key == key))
    loaded = json.loads(value) if value else {}
    return loaded if isinstance(loaded, dict) else {}


def _store(session: Session, key: str, value: object) -> None:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    row = session.get(WarehouseSetting, key)
    if row is None:
        session.add(WarehouseSetting(key=key, value=text))
    else:
        row.value = text
