"""Business configuration every station shares, kept in the database: scan patterns, layout,
packing rules."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import WarehouseSetting
from app.domain.layout import Layout
from app.domain.packing_rules import PackingSettings
from app.domain.roles import Role
from app.domain.scan import DEFAULT_PATTERNS, ScanPatterns
from app.services.actor import Actor
from app.services.errors import InvalidInput

PATTERNS_KEY = "scan.patterns"
LAYOUT_KEY = "layout"
PACKING_KEY = "packing"


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


def set_layout(session: Session, actor: Actor, changes: dict[str, object]) -> Layout:
    """Change some layout parameters; refused (nothing stored) if the result is not a layout."""
    actor.require(Role.SUPERVISOR)
    values = {**warehouse_layout(session).as_dict(), **changes}
    try:
        layout = Layout.from_dict(values)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"Layout not changed: {exc}") from None
    _store(session, LAYOUT_KEY, layout.as_dict())
    return layout


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
