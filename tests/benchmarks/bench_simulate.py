"""Simulated day benchmark: a day of 2,000 orders on SQLite, and the same day with one more
packer, to see what the extra packer changes.

Run: uv run python -m tests.benchmarks.bench_simulate [--orders 2000] [--pickers 3]
     [--sorters 1] [--packers 2] [--shippers 1] [--error-rate 0.02] [--seed 1]

Each day is played by `play_day` (what `baton simulate` runs) on a fresh SQLite file, on a fixed
Wednesday. Figures: the time the day took to play (target: under 5 minutes for 2,000 orders),
the orders shipped and shipped by their cutoff, the cycle time, and the mistakes made, caught
and escaped.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from app.config import DatabaseChoice
from app.db.database import open_database
from app.services.simulation.day import play_day
from app.services.simulation.plan import DayPlan

DAY = date(2030, 3, 6)  # a Wednesday


def play(plan: DayPlan, folder: Path) -> tuple[float, dict[str, Any]]:
    """Play the day on a new SQLite file: (seconds it took, the report)."""
    db = open_database(DatabaseChoice(f"sqlite:///{folder / f'day-{plan.packers}.sqlite3'}", True))
    try:
        t0 = time.perf_counter()
        report = play_day(db.sessions, plan).as_dict()
        return time.perf_counter() - t0, report
    finally:
        db.close()


def line(name: str, seconds: float, report: dict[str, Any]) -> str:
    o, k, m = report["orders"], report["kpis"], report["mistakes"]
    p = report["parameters"]
    escaped = ", ".join(f"{kind} {n}" for kind, n in m["escaped"].items() if n)
    return (
        f"{name}: {p['pickers']} pickers, {p['sorters']} sorter(s), {p['packers']} packers, "
        f"{p['shippers']} shipper(s); played in {seconds:.0f} s\n"
        f"  orders {o['received']} received, {o['shipped']} shipped; {o['due_today']} due today, "
        f"{o['due_today_shipped']} of them shipped, {o['shipped_by_cutoff']} by their cutoff; "
        f"left: {o['by_status']}\n"
        f"  cycle time p50 {k['order_cycle_time_p50_min']} min, p90 "
        f"{k['order_cycle_time_p90_min']} min; lines picked per hour {k['lines_picked_per_hour']}; "
        f"{report['work']['scans']} scans, {k['refused_scans_total']} refused\n"
        f"  mistakes {m['injected_total']} made, {m['caught_total']} caught, "
        f"{m['escaped_total']} escaped ({escaped})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--pickers", type=int, default=3)
    parser.add_argument("--sorters", type=int, default=1)
    parser.add_argument("--packers", type=int, default=2)
    parser.add_argument("--shippers", type=int, default=1)
    parser.add_argument("--error-rate", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    plan = DayPlan(
        day=DAY,
        orders=args.orders,
        pickers=args.pickers,
        sorters=args.sorters,
        packers=args.packers,
        shippers=args.shippers,
        error_rate=args.error_rate,
        seed=args.seed,
    )
    with tempfile.TemporaryDirectory() as folder:
        seconds, report = play(plan, Path(folder))
        print(line("day", seconds, report))
        more = replace(plan, packers=plan.packers + 1)
        seconds, report = play(more, Path(folder))
        print(line("one more packer", seconds, report))


if __name__ == "__main__":
    main()
