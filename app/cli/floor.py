"""`baton kpi`: the floor's figures over a window, from the command line, through the same
service the supervisor's dashboard reads."""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timedelta
from typing import Any

from app import clock
from app.cli import CommandError, database, emit_json, table
from app.services.floor.kpi import Kpis, floor_kpis


def register(commands: Any) -> None:
    """Add `baton kpi`."""
    p = commands.add_parser(
        "kpi", help="the floor's KPIs: orders, on-time, cycle time, picking, refused scans"
    )
    p.add_argument(
        "--from",
        dest="start",
        metavar="T",
        help="start (ISO date or time, local; default: today's local midnight)",
    )
    p.add_argument(
        "--to",
        dest="end",
        metavar="T",
        help="end, not included (ISO time; a date means the end of that day; default: now)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=kpi)


def moment(text: str, option: str, *, end: bool = False) -> datetime:
    """An ISO date or time in the warehouse's local time (an offset, if given, is kept); a
    date is its local midnight, or with `end` the midnight after it."""
    text = text.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        # astimezone() on a naive time takes the local offset of that date (summer or not).
        return datetime.combine(day + timedelta(days=1 if end else 0), time()).astimezone()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"{option}: {text!r} is not an ISO date or time (e.g. 2026-12-07 or 2026-12-07T14:00)"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.astimezone()


def kpi(args: argparse.Namespace) -> int:
    now = clock.local_now()
    start = (
        moment(args.start, "--from")
        if args.start
        else datetime.combine(now.date(), time()).astimezone()
    )
    end = moment(args.end, "--to", end=True) if args.end else now
    if end <= start:
        raise CommandError(f"--to ({end.isoformat()}) must be after --from ({start.isoformat()})")
    db = database(args)
    with db.sessions() as session:
        figures = floor_kpis(session, start, end)
    if args.json:
        emit_json(figures.as_dict())
    else:
        print(_plain(figures))
    return 0


def _plain(k: Kpis) -> str:
    start, end = k.start.astimezone(), k.end.astimezone()
    rows: list[tuple[str, str, str]] = [
        ("orders received", str(k.orders_received), "received in the window"),
        ("orders shipped", str(k.orders_shipped), "manifest closed in the window"),
        (
            "on-time shipments",
            _percent(k.on_time_ship_rate),
            f"{k.shipped_on_time} of {k.shipped_with_ship_by} shipped by their ship-by",
        ),
        ("cycle time p50", _minutes(k.order_cycle_time_p50_min), "received to shipped"),
        ("cycle time p90", _minutes(k.order_cycle_time_p90_min), "received to shipped"),
        (
            "lines picked per hour",
            "-" if k.lines_picked_per_hour is None else f"{k.lines_picked_per_hour:.1f}",
            f"{k.lines_picked} line(s) in {k.picker_hours:.2f} picker hour(s)",
        ),
        (
            "picking accuracy",
            _percent(k.picking_accuracy),
            f"{k.orders_with_packing_errors} shipped order(s) with an error found at packing",
        ),
        (
            "refused scans",
            str(k.refused_scans),
            f"of {k.scans} scan(s)"
            + (
                ""
                if k.refused_per_1000_scans is None
                else f", {k.refused_per_1000_scans} per 1,000"
            ),
        ),
    ]
    rows += [(f"  {kind.replace('_', ' ')}", str(n), "") for kind, n in k.refused_by_kind if n]
    title = f"Floor KPIs {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} ({start:%Z})"
    return title + "\n" + table(("figure", "value", "what"), rows)


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.1f} %"


def _minutes(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} min"
