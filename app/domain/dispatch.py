"""The dock: when each carrier's truck comes, what a manifest is called, and what goes in the
file a carrier takes as an upload."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.domain.cutoffs import local_moment

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"(?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)")
DOOR_CODE = re.compile(r"[A-Z][A-Z0-9-]{0,19}")
# What the carrier-upload CSV holds, one row per carton, in this order.
MANIFEST_COLUMNS = (
    "manifest",
    "carrier",
    "account",
    "ship_date",
    "tracking_number",
    "sscc",
    "order",
    "carton",
    "service",
    "consignee",
    "postal_code",
    "city",
    "country",
    "weight_kg",
)


@dataclass(frozen=True)
class PickupSchedule:
    """The time a carrier's driver comes on each weekday (None: no pickup that day)."""

    times: tuple[time | None, ...] = (None,) * 7

    @classmethod
    def parse(cls, value: object, where: str) -> PickupSchedule:
        """`{mon = "16:30", ..., sat = "12:00"}` from the carrier book; ValueError naming it."""
        if not isinstance(value, Mapping):
            raise ValueError(f'{where}: write pickup times as {{ mon = "16:30", ... }}')
        unknown = sorted(set(value) - set(WEEKDAYS))
        if unknown:
            raise ValueError(f"{where}: {unknown[0]!r} is not a weekday; use {', '.join(WEEKDAYS)}")
        times: list[time | None] = []
        for day in WEEKDAYS:
            text = value.get(day)
            if text is None:
                times.append(None)
                continue
            match = _CLOCK.fullmatch(text) if isinstance(text, str) else None
            if match is None:
                raise ValueError(f'{where}, {day}: {text!r} is not a time of day such as "16:30"')
            times.append(time(int(match["hour"]), int(match["minute"])))
        return cls(tuple(times))

    def on(self, day: date) -> time | None:
        """The pickup time on `day`, or None."""
        return self.times[day.weekday()]

    def next_pickup(self, moment: datetime) -> datetime | None:
        """The first pickup at or after `moment` (aware, UTC), within a week; None if never."""
        day = moment.astimezone().date()
        for offset in range(8):
            on = day + timedelta(days=offset)
            wall = self.on(on)
            if wall is not None and (pickup := local_moment(on, wall)) >= moment:
                return pickup
        return None


def countdown(until: datetime | None, moment: datetime) -> str:
    """`1 h 05 min`, `12 min`, `due now`, `20 min late`: how long until the truck leaves."""
    if until is None:
        return "no pickup booked"
    minutes = int((until - moment).total_seconds() // 60)
    if minutes < 0:
        return f"{_span(-minutes)} late"
    if minutes == 0:
        return "due now"
    return _span(minutes)


def _span(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if hours >= 24:
        return f"{hours // 24} d {hours % 24} h"
    return f"{hours} h {rest:02d} min" if hours else f"{rest} min"


def manifest_number(closed_local: datetime, load_id: int) -> str:
    """`MF-20261207-00012`: the day of the close where the warehouse stands and the load's id,
    unique without a counter every station would have to share."""
    return f"MF-{closed_local:%Y%m%d}-{load_id:05d}"


def door_code(text: str) -> str:
    """A door's code as labels print it (`DOCK-1`); ValueError for one that cannot be a label."""
    code = " ".join(text.split()).upper()
    if not DOOR_CODE.fullmatch(code):
        raise ValueError(
            f"{text!r} cannot be a door code: use capital letters, digits and '-', "
            "starting with a letter (e.g. DOCK-1)"
        )
    return code


@dataclass(frozen=True)
class ManifestRow:
    """One carton on a manifest, with everything the driver and the carrier's upload need."""

    tracking_number: str
    sscc: str
    order: str
    carton: str  # "1 of 2"
    service: str
    consignee: str
    postal_code: str
    city: str
    country: str
    weight_g: int


def manifest_csv(
    number: str,
    carrier: str,
    account: str,
    ship_date: date,
    rows: Iterable[ManifestRow],
) -> str:
    """The carrier-upload file: a header line and one line per carton (UTF-8, comma-separated)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    for row in rows:
        writer.writerow(
            (
                number,
                carrier,
                account,
                ship_date.isoformat(),
                row.tracking_number,
                row.sscc,
                row.order,
                row.carton,
                row.service,
                _cell(row.consignee),
                _cell(row.postal_code),
                _cell(row.city),
                row.country,
                f"{row.weight_g / 1000:.3f}",
            )
        )
    return out.getvalue()


# What a shop takes to mark its orders fulfilled in bulk, one row per order, in this order.
FULFILMENT_COLUMNS = (
    "order",
    "carrier",
    "service",
    "tracking_numbers",
    "tracking_urls",
    "shipped_at",
    "delivered_at",
)


@dataclass(frozen=True)
class FulfilmentRow:
    """One shipped order as the shop's fulfilment file gives it."""

    order: str
    carrier: str
    service: str
    tracking_numbers: tuple[str, ...]
    tracking_urls: tuple[str, ...]
    shipped_at: datetime
    delivered_at: datetime | None


def fulfilment_csv(rows: Iterable[FulfilmentRow]) -> str:
    """The shop's file: a header line, then an order per line (several tracking numbers and
    links in one cell, separated by a space); times in ISO 8601 with their offset (UTC)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FULFILMENT_COLUMNS)
    for row in rows:
        writer.writerow(
            (
                _cell(row.order),
                _cell(row.carrier),
                _cell(row.service),
                _cell(" ".join(row.tracking_numbers)),
                _cell(" ".join(row.tracking_urls)),
                row.shipped_at.isoformat(timespec="seconds"),
                row.delivered_at.isoformat(timespec="seconds") if row.delivered_at else "",
            )
        )
    return out.getvalue()


def _cell(text: str) -> str:
    """A consignee's text as one safe cell: no line breaks, and nothing a spreadsheet would run
    as a formula (=, +, -, @ first)."""
    flat = " ".join(text.split())
    return f"'{flat}" if flat[:1] in ("=", "+", "-", "@") else flat


def kilograms(grams: int) -> str:
    """`12.4 kg` as a manifest prints a weight."""
    return f"{grams / 1000:.1f} kg"
