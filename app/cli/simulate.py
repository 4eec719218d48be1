"""`baton simulate`: a working day played on the database by simulated operators."""

from __future__ import annotations

import argparse
import time as timer
from datetime import date, time
from typing import Any

from app import clock
from app.cli import CommandError, database, emit_json, table
from app.services.errors import InvalidInput
from app.services.simulation.day import DayReport, play_day
from app.services.simulation.mistakes import Mistake
from app.services.simulation.plan import DayPlan, first_free_day


def register(commands: Any) -> None:
    """Add `baton simulate`."""
    p = commands.add_parser(
        "simulate",
        help="play a working day on the database: orders, waves, operators making mistakes",
    )
    defaults = DayPlan(day=date(2000, 1, 3))
    for option, metavar, value, what in (
        ("--orders", "N", defaults.orders, "orders placed that day"),
        ("--pickers", "P", defaults.pickers, "pickers"),
        ("--sorters", "S", defaults.sorters, "sorters, a put wall each (0: no put wall)"),
        ("--packers", "K", defaults.packers, "packers, a bench each"),
        ("--shippers", "D", defaults.shippers, "shippers at the dock"),
    ):
        p.add_argument(
            option, type=int, default=value, metavar=metavar, help=f"{what} (default {value})"
        )
    p.add_argument(
        "--error-rate",
        type=float,
        default=defaults.error_rate,
        metavar="E",
        help="the chance of a mistake at each opportunity to make one (0 to 1; default 0)",
    )
    p.add_argument(
        "--seed",
        type=int,
        default=defaults.seed,
        metavar="X",
        help=f"the same seed, the same day (default {defaults.seed})",
    )
    p.add_argument(
        "--start",
        default=defaults.start.strftime("%H:%M"),
        metavar="HH:MM",
        help="when the shift starts, local time (default 06:00)",
    )
    p.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        help="the working day to play (default: the first working day from today that starts "
        "after everything the database holds)",
    )
    p.add_argument("--json", action="store_true", help="the report as JSON")
    p.set_defaults(handler=simulate)


def simulate(args: argparse.Namespace) -> int:
    try:
        start = time.fromisoformat(args.start)
    except ValueError:
        raise CommandError(f"--start: {args.start!r} is not a time (HH:MM)") from None
    db = database(args)
    if args.date:
        try:
            day = date.fromisoformat(args.date)
        except ValueError:
            raise CommandError(f"--date: {args.date!r} is not a date (YYYY-MM-DD)") from None
    else:
        day = first_free_day(db.sessions, start, clock.today())
    plan = DayPlan(
        day=day,
        start=start,
        orders=args.orders,
        pickers=args.pickers,
        sorters=args.sorters,
        packers=args.packers,
        shippers=args.shippers,
        error_rate=args.error_rate,
        seed=args.seed,
    )
    try:
        plan.check()
    except InvalidInput as exc:
        raise CommandError(exc.message) from None
    began = timer.perf_counter()
    report = play_day(db.sessions, plan)
    seconds = round(timer.perf_counter() - began, 1)
    if args.json:
        emit_json({**report.as_dict(), "run_seconds": seconds})
    else:
        print(plain(report, seconds))
    return 0


def plain(report: DayReport, seconds: float) -> str:
    """The day in a few lines and two tables, for a person."""
    p, o, m, k = report.plan, report.orders, report.mistakes, report.kpis
    start, end = report.start.astimezone(), report.end.astimezone()
    lines = [
        f"Simulated day {p.day:%a %Y-%m-%d} {start:%H:%M}-{end:%H:%M} ({start:%Z}), seed {p.seed}: "
        f"{p.pickers} picker(s), {p.sorters} sorter(s), {p.packers} packer(s), "
        f"{p.shippers} shipper(s), error rate {p.error_rate:g}"
        + ("; the demo's warehouse seeded first" if report.seeded_warehouse else ""),
        f"Orders: {o['received']} received, {o['shipped']} shipped; {o['due_today']} due today, "
        f"{o['due_today_shipped']} of them shipped, {o['shipped_by_cutoff']} by their cutoff",
        f"Cycle time p50 {_value(k['order_cycle_time_p50_min'])} min, "
        f"p90 {_value(k['order_cycle_time_p90_min'])} min; "
        f"lines picked per hour {_value(k['lines_picked_per_hour'])}; "
        f"picking accuracy {_percent(k['picking_accuracy'])}; "
        f"{k['refused_scans_total']} of {k['scans']} scans refused",
        f"The day's KPIs: baton kpi --from {start.isoformat()} --to {end.isoformat()}",
        f"Played in {seconds:.1f} s",
    ]
    injected = _counts(m["injected"])
    caught = m["caught"]
    escaped = _counts(m["escaped"])
    still_open = _counts(m["open_at_day_end"])
    assert isinstance(caught, dict)
    rows = [
        (
            kind.value,
            injected.get(kind.value, 0),
            ", ".join(f"{n} {how.replace('_', ' ')}" for how, n in caught[kind.value].items())
            or "-",
            escaped.get(kind.value, 0),
            still_open.get(kind.value, 0),
        )
        for kind in Mistake
    ]
    headers = ("mistake", "made", "caught", "escaped", "in an open carton at the end")
    lines.append(table(headers, rows))
    return "\n".join(lines)


def _counts(value: object) -> dict[str, int]:
    assert isinstance(value, dict)
    return {str(k): int(v) for k, v in value.items()}


def _percent(value: object) -> str:
    return "-" if not isinstance(value, float | int) else f"{100 * value:.1f} %"


def _value(value: object) -> str:
    return "-" if value is None else str(value)
