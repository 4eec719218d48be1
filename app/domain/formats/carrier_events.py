"""Carrier event files: what a carrier (or a tracking aggregator) says happened to each parcel,
as CSV or JSON, read with the line of every event so that a bad one can be named.

Columns (CSV) or keys (JSON): tracking_number, status, occurred_at, location, description.
A time must carry its UTC offset (`2026-12-08T09:15:00+01:00` or `...Z`): a carrier event
happens wherever the parcel is, so a time without one is refused rather than guessed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.domain.formats.tabular import FileUnusable, check_readable_utf8, read_csv
from app.domain.tracking import TrackingStatus, parse_status

EVENT_FORMATS = ("csv", "json")
COLUMNS = ("tracking_number", "status", "occurred_at", "location", "description")
REQUIRED = ("tracking_number", "status", "occurred_at")
MAX_LOCATION = 255  # TrackingEvent.location
MAX_CODE = 40  # Carton.tracking_number


@dataclass(frozen=True)
class CarrierEvent:
    """One event for one parcel, as the file gave it (the time aware, in UTC)."""

    line_no: int
    code: str  # the parcel's tracking number (or its SSCC)
    status: TrackingStatus
    occurred_at: datetime
    location: str = ""
    description: str = ""


@dataclass(frozen=True)
class RejectedEvent:
    """A row that cannot be used, and why (the rest of the file still lands)."""

    line_no: int
    reason: str


def format_of(path: Path, fmt: str | None) -> str:
    """The format named, or the one the file's name ends in; FileUnusable when neither."""
    if fmt:
        if fmt not in EVENT_FORMATS:
            raise FileUnusable(f"Unknown format '{fmt}'; use one of {', '.join(EVENT_FORMATS)}.")
        return fmt
    suffix = path.suffix.lower().lstrip(".")
    if suffix in EVENT_FORMATS:
        return suffix
    raise FileUnusable(
        f"{path.name} is neither .csv nor .json: say which it is with --format csv or json."
    )


def read_events(path: Path, fmt: str) -> list[CarrierEvent | RejectedEvent]:
    """Every event of the file, good or rejected, in file order. Raises FileUnusable (before
    anything is used) for a file that cannot be read as a whole."""
    items = list(_read_csv(path) if fmt == "csv" else _read_json(path))
    if not items:
        raise FileUnusable(f"{path.name} holds no carrier events.")
    return items


def parse_event(line_no: int, cells: dict[str, str]) -> CarrierEvent | RejectedEvent:
    """One event from its cells (text, as a CSV gives them)."""
    problems = []
    code = "".join(cells.get("tracking_number", "").split()).upper()
    if not code:
        problems.append("tracking_number is empty")
    elif len(code) > MAX_CODE:
        problems.append(f"tracking_number '{code[:MAX_CODE]}...' is too long")
    status: TrackingStatus | None = None
    raw_status = cells.get("status", "").strip()
    if not raw_status:
        problems.append("status is empty")
    else:
        try:
            status = parse_status(raw_status)
        except ValueError as exc:
            problems.append(str(exc))
    when, why = parse_moment(cells.get("occurred_at", ""))
    if why:
        problems.append(why)
    location = " ".join(cells.get("location", "").split())
    if len(location) > MAX_LOCATION:
        problems.append(f"location is longer than {MAX_LOCATION} characters")
    if problems or status is None or when is None:
        return RejectedEvent(line_no, f"line {line_no}: " + "; ".join(problems))
    description = " ".join(cells.get("description", "").split())
    return CarrierEvent(line_no, code, status, when, location, description)


def parse_moment(text: str) -> tuple[datetime | None, str]:
    """An ISO 8601 time with its offset, in UTC; or None and why not."""
    raw = text.strip()
    if not raw:
        return None, "occurred_at is empty"
    try:
        when = datetime.fromisoformat(raw)
    except ValueError:
        return None, f"occurred_at '{raw}' is not a time like 2026-12-08T09:15:00+01:00"
    if when.tzinfo is None or when.utcoffset() is None:
        return None, (
            f"occurred_at '{raw}' has no UTC offset: write it as {raw}Z (UTC) or with the "
            "offset where it happened, e.g. +01:00"
        )
    return when.astimezone(UTC), ""


def _read_csv(path: Path) -> Iterator[CarrierEvent | RejectedEvent]:
    for row in read_csv(path, REQUIRED):
        yield parse_event(row.line_no, row.cells)


def _read_json(path: Path) -> Iterator[CarrierEvent | RejectedEvent]:
    check_readable_utf8(path)
    text = path.read_text(encoding="utf-8-sig")
    if not text.strip():
        raise FileUnusable(f"{path.name} is empty: expected a JSON list of carrier events.")
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileUnusable(
            f"{path.name} is not valid JSON (line {exc.lineno}: {exc.msg})."
        ) from None
    except RecursionError:
        raise FileUnusable(f"{path.name} nests lists or objects too deeply to be read.") from None
    for line_no, value in _elements(path.name, text):
        if not isinstance(value, dict):
            yield RejectedEvent(line_no, f"line {line_no}: each event must be an object {{...}}")
            continue
        cells: dict[str, str] = {}
        problems = []
        for key in COLUMNS:
            found = value.get(key)
            if found is None:
                continue
            if isinstance(found, str):
                cells[key] = found
            else:
                problems.append(f"{key} must be text")
        missing = [k for k in REQUIRED if k not in value]
        if missing:
            problems.insert(0, f"missing {', '.join(missing)}")
        if problems:
            yield RejectedEvent(line_no, f"line {line_no}: " + "; ".join(problems))
        else:
            yield parse_event(line_no, cells)


class _Walk:
    """Steps through valid JSON text, counting lines as it goes."""

    def __init__(self, text: str) -> None:
        self.text, self.pos, self.line = text, 0, 1
        self.found = False  # a list of events was met
        self.decoder = json.JSONDecoder()

    def skip(self) -> str:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.line += self.text[self.pos] == "\n"
            self.pos += 1
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def value(self) -> object:
        value, end = self.decoder.raw_decode(self.text, self.pos)
        self.line += self.text.count("\n", self.pos, end)
        self.pos = end
        return value

    def step(self) -> None:
        self.pos += 1


def _elements(name: str, text: str) -> Iterator[tuple[int, object]]:
    """(line, element) of the top-level list, or of the list under "events"."""
    walk = _Walk(text)
    first = walk.skip()
    if first == "{":
        walk.step()
        while True:
            mark = walk.skip()
            if mark == "}":
                break
            if mark == ",":
                walk.step()
                continue
            key = walk.value()
            walk.skip()
            walk.step()  # the ':'
            if key == "events" and walk.skip() == "[":
                yield from _list(walk)
            else:
                walk.skip()
                walk.value()
        if not walk.found:
            raise FileUnusable(f'{name} has no "events" list: expected {{"events": [...]}}.')
        return
    if first != "[":
        raise FileUnusable(f'{name} is not a JSON list of carrier events (or {{"events": [...]}}).')
    yield from _list(walk)


def _list(walk: _Walk) -> Iterator[tuple[int, object]]:
    walk.found = True
    walk.step()  # '['
    while True:
        mark = walk.skip()
        if mark == "]":
            walk.step()
            return
        if mark == ",":
            walk.step()
            continue
        line = walk.line
        yield line, walk.value()
