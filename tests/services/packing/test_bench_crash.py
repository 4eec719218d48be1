"""A pack bench killed mid-scan: what was confirmed is kept, the scan in flight is not."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import func, select

from app.db.database import Database
from app.db.packing_models import CartonItem
from app.services.packing.bench import current_order
from tests.services.journey import add_packer

ROOT = Path(__file__).resolve().parents[3]

BENCH = textwrap.dedent(
    """
    import os, signal, sys
    from app.config import DatabaseChoice
    from app.db.database import open_database
    from app.db.engine import unit_of_work
    from app.domain.scanning.classify import classify
    from app.services.masterdata.operators import badge_login
    from app.services.packing.bench import pack_item, start_packing

    database = open_database(DatabaseChoice(sys.argv[1], embedded_default=False))
    with unit_of_work(database.sessions) as session:
        sam = badge_login(session, "OP-3100", "bench 1")
        start_packing(session, sam, classify("#1001"))
    with unit_of_work(database.sessions) as session:
        pack_item(session, sam, "#1001", classify("4006381333931"))
    print("confirmed", flush=True)
    with unit_of_work(database.sessions) as session:
        pack_item(session, sam, "#1001", classify("4006381333931"))
        session.flush()  # written, not yet committed: the bench dies here
        os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_a_bench_killed_mid_scan_keeps_every_confirmed_unit(bench: Database) -> None:
    sam = add_packer(bench)
    url = bench.engine.url.render_as_string(hide_password=False)
    done = subprocess.run(
        [sys.executable, "-c", BENCH, url], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert done.stdout.strip() == "confirmed"
    with bench.sessions() as session:
        assert session.scalar(select(func.sum(CartonItem.units))) == 1
        view = current_order(session, sam)
    assert view is not None and view.order == "#1001" and view.units == (1, 3)
