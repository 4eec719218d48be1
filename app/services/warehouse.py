"""Business configuration every station shares, kept in the database (e.g. scan patterns)."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import WarehouseSetting
from app.domain.roles import Role
from app.domain.scan import DEFAULT_PATTERNS, ScanPatterns
from app.services.actor import Actor
from app.services.errors import InvalidInput

PATTERNS_KEY = "scan.patterns"


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
    row = session.get(WarehouseSetting, PATTERNS_KEY)
    text = json.dumps(overrides, ensure_ascii=False, sort_keys=True)
    if row is None:
        session.add(WarehouseSetting(key=PATTERNS_KEY, value=text))
    else:
        row.value = text
    return patterns


def _overrides(session: Session) -> dict[str, str]:
    value = session.scalar(
        select(WarehouseSetting.value).where(WarehouseSetting.key == PATTERNS_KEY)
    )
    loaded = json.loads(value) if value else {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}
