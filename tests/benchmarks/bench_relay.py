"""Relay benchmark: 1,000 queued customer messages relayed to a local SMTP server.

Run: uv run python -m tests.benchmarks.bench_relay [--database URL] [--messages 1000]
     [--runs 3] [--relays 1]
Each run queues `--messages` acknowledgements (rendered from resources/messages/received.*,
text and HTML, about 2 kB each) in the outbox in one transaction, then times relay_outbox
from the first claim until every message is marked sent: claims of 100 rows, one SMTP
connection per batch, each message marked sent in its own transaction, as the relay always
works. The server is aiosmtpd on 127.0.0.1 in a process of its own, writing each recipient
it takes to a file (`--server-in-process` runs it in a thread of this process instead, where
it competes with the relay for the GIL). With
`--relays 2` two relays run at once in threads, as two supervisors' stations would.
Afterwards it checks that every message arrived exactly once.
Target (issue 14): 1,000 messages in under 20 s.
--database: a PostgreSQL server gets a fresh schema, dropped at the end; an SQLite URL names
a new file. Without it, a temporary SQLite file.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app import clock
from app.config import DatabaseChoice
from app.db.database import Database, open_database
from app.db.engine import unit_of_work
from app.db.models import OutboxMessage
from app.services.actor import Actor
from app.services.messages.relay import relay_outbox
from app.services.messages.settings import set_notify_settings
from app.services.messages.templates import render
from tests.benchmarks.bench_floor import floor_database
from tests.services.messages.mail import free_port, smtp_server

RELAY = Actor.command_line("bench relay")
TARGET_S = 20.0


def queue(db: Database, count: int, run: int) -> None:
    """`count` rendered acknowledgements in the outbox, to distinct customers."""
    items = [{"quantity": 2, "name": "Blue Mug"}, {"quantity": 1, "name": "Earl Grey 100 g"}]
    now = clock.now()
    rows = []
    for n in range(count):
        number = f"#{run}{n:06d}"
        rendered = render(
            "received",
            {"shop": "Bench Shop", "order_number": number, "name": f"Customer {n}", "items": items},
        )
        rows.append(
            OutboxMessage(
                kind="received",
                dedupe_key=f"bench:{run}:{n}",
                recipient=f"customer{run}.{n}@example.com",
                subject=rendered.subject,
                body=rendered.text,
                html=rendered.html,
                created_at=now,
                status="pending",
                attempts=0,
                last_error="",
                message_id="",
            )
        )
    with unit_of_work(db.sessions) as session:
        session.add_all(rows)


class _Recorder:
    """An aiosmtpd handler writing each recipient it takes to a file, one a line."""

    def __init__(self, path: Path) -> None:
        self._file = path.open("a", encoding="utf-8", buffering=1)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self._file.write("".join(f"{r}\n" for r in envelope.rcpt_tos))
        return "250 Message accepted"


def serve(port: int, path: Path) -> None:
    """The server process: takes every message until SIGTERM."""
    from aiosmtpd.controller import Controller

    controller = Controller(_Recorder(path), hostname="127.0.0.1", port=port)
    controller.start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    print("ready", flush=True)
    stopped.wait()
    controller.stop()


@contextmanager
def server_process() -> Iterator[tuple[int, Path]]:
    """An SMTP server in a process of its own: its port and the file of recipients."""
    with tempfile.TemporaryDirectory() as folder:
        path, port = Path(folder) / "recipients.txt", free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.benchmarks.bench_relay", "--serve", str(port), str(path)],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None and process.stdout.readline().strip() == "ready"
            yield port, path
        finally:
            process.terminate()
            process.wait(timeout=10)


@contextmanager
def local_server(in_process: bool) -> Iterator[tuple[int, Any]]:
    """A local SMTP server: its port, and a function giving the recipients it took."""
    if in_process:
        with smtp_server() as (mailbox, port):
            yield port, lambda: mailbox.recipients
        return
    with server_process() as (port, path):
        yield port, lambda: path.read_text(encoding="utf-8").split()


def one_run(db: Database, count: int, run: int, relays: int, in_process: bool) -> float:
    """Queue, then relay everything with `relays` relays at once; seconds for the relaying."""
    queue(db, count, run)
    with local_server(in_process) as (port, recipients):
        with unit_of_work(db.sessions) as session:
            set_notify_settings(
                session,
                RELAY,
                {"host": "127.0.0.1", "port": str(port), "sender": "orders@bench.example"},
            )
        start = threading.Barrier(relays + 1)
        sent: list[int] = []

        def relay() -> None:
            start.wait()
            sent.append(relay_outbox(db.sessions, RELAY).sent)

        threads = [threading.Thread(target=relay) for _ in range(relays)]
        for thread in threads:
            thread.start()
        start.wait()
        t0 = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - t0
        arrived = Counter(recipients())
    assert sum(sent) == count, f"sent {sum(sent)} of {count}"
    assert len(arrived) == count and set(arrived.values()) == {1}, "a message arrived twice"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a PostgreSQL server (a fresh schema) or SQLite file")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--relays", type=int, default=1, help="relays at once (threads)")
    parser.add_argument(
        "--server-in-process", action="store_true", help="the SMTP server in a thread here"
    )
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(int(args.serve[0]), Path(args.serve[1]))
        return
    with floor_database(args.database) as url:
        db = open_database(DatabaseChoice(url, embedded_default=True))
        label = "PostgreSQL" if db.engine.dialect.name == "postgresql" else "SQLite"
        where = "in this process" if args.server_in_process else "a process of its own"
        print(
            f"relay benchmark: {args.messages:,} messages, {args.relays} relay(s), {label}, "
            f"local aiosmtpd server ({where})"
        )
        times = []
        for run in range(args.runs):
            elapsed = one_run(db, args.messages, run, args.relays, args.server_in_process)
            times.append(elapsed)
            print(f"  run {run + 1}: {elapsed:.2f} s, {args.messages / elapsed:,.0f} messages/s")
        db.close()
    median = statistics.median(times)
    verdict = "within" if median < TARGET_S else "OVER"
    print(
        f"  median of {args.runs}: {median:.2f} s for {args.messages:,} messages "
        f"({args.messages / median:,.0f} messages/s); total {sum(times):.2f} s"
    )
    print(f"  verdict: {verdict} the {TARGET_S:.0f} s target")
    print(
        f"  note: a shared machine ({os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version})"
    )


if __name__ == "__main__":
    main()
