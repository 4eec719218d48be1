"""`baton notify settings` and `baton outbox`: customer messages, where they go out, what was
sent and what failed, and the relay that sends them over SMTP."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from datetime import datetime
from types import FrameType
from typing import Any

from sqlalchemy.exc import OperationalError

from app.cli import CommandError, _first_line, database, emit_json, table
from app.db.engine import unit_of_work
from app.services.actor import Actor
from app.services.messages.outbox import STATUSES, outbox_rows, retry_failed
from app.services.messages.relay import RelayReport, relay_outbox
from app.services.messages.settings import (
    PASSWORD_ENV,
    NotifySettings,
    notify_settings,
    set_notify_settings,
)

RELAY_STATION = "outbox relay"


def register(commands: Any) -> None:
    """Add `baton notify` and `baton outbox` to the parser."""
    notify = commands.add_parser("notify", help="where customer messages go out (SMTP)")
    actions = notify.add_subparsers(dest="notify_action", required=True, metavar="ACTION")
    p = actions.add_parser(
        "settings", help="show the mail settings, or change them with --set KEY=VALUE"
    )
    p.add_argument(
        "--set",
        dest="changes",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="host, port, sender, reply_to, shop_name, username, starttls, tls, timeout_s "
        f"(repeatable); the password is read from ${PASSWORD_ENV}, never stored",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=notify_settings_command)

    outbox = commands.add_parser("outbox", help="customer messages: list, send, retry")
    outbox.add_argument("--status", choices=STATUSES, default=None, help="only these")
    outbox.add_argument("--limit", type=int, default=500, metavar="N", help="at most N (500)")
    outbox.add_argument("--json", action="store_true")
    outbox.set_defaults(handler=outbox_list)
    o_actions = outbox.add_subparsers(dest="outbox_action", metavar="ACTION")
    p = o_actions.add_parser("send", help="send every message due now over SMTP, then exit")
    p.add_argument("--watch", action="store_true", help="keep sending until interrupted")
    p.add_argument(
        "--every",
        type=_seconds,
        default=30.0,
        metavar="SECONDS",
        help="with --watch: how often to look for messages (30)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=outbox_send)
    p = o_actions.add_parser("retry", help="put failed messages back to be sent again")
    p.add_argument("ids", nargs="*", type=int, metavar="ID", help="message ids (baton outbox)")
    p.add_argument("--failed", action="store_true", help="every failed message")
    p.set_defaults(handler=outbox_retry)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 1 <= value <= 86_400:
        raise argparse.ArgumentTypeError(f"give seconds from 1 to 86400, not {text!r}")
    return value


def notify_settings_command(args: argparse.Namespace) -> int:
    changes: dict[str, str] = {}
    for item in args.changes:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"give --set KEY=VALUE, got '{item}'")
        changes[key.strip()] = value
    db = database(args)
    if changes:
        with unit_of_work(db.sessions) as session:
            settings = set_notify_settings(session, Actor.command_line(), changes)
    else:
        with db.sessions() as session:
            settings = notify_settings(session)
    password_set = bool(os.environ.get(PASSWORD_ENV))
    if args.json:
        emit_json(
            {**settings.as_dict(), "configured": settings.configured, "password_set": password_set}
        )
        return 0
    _print_settings(settings, password_set)
    return 0


def _print_settings(settings: NotifySettings, password_set: bool) -> None:
    for key, value in settings.as_dict().items():
        shown = ("yes" if value else "no") if isinstance(value, bool) else value
        print(f"{key:<10} {shown if shown != '' else '-'}")
    if settings.username:
        state = "set" if password_set else "NOT set: the relay cannot log in"
        print(f"password   from ${PASSWORD_ENV} ({state})")
    else:
        print(f"password   none needed (no username); ${PASSWORD_ENV} is not used")
    print()
    if settings.configured:
        security = "TLS" if settings.tls else "STARTTLS" if settings.starttls else "no encryption"
        print(
            f"Messages go out through {settings.host}:{settings.port} ({security}) "
            f"from {settings.shop()} <{settings.sender}>."
        )
    else:
        print(
            "No mail server yet: messages wait in the outbox. Set one with "
            "baton notify settings --set host=... sender=..."
        )


def _when(moment: datetime | None) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M}" if moment else "-"


def outbox_list(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        rows = outbox_rows(session, args.status, max(args.limit, 1))
    if args.json:
        emit_json([r.as_dict() for r in rows])
        return 0
    if not rows:
        print("No customer messages" + (f" {args.status}." if args.status else " yet."))
        return 0
    print(
        table(
            ["id", "kind", "order", "to", "status", "attempts", "last error", "created", "sent"],
            [
                (
                    r.id,
                    r.kind,
                    r.order or "-",
                    r.recipient,
                    r.status,
                    r.attempts,
                    _short(r.last_error) or "-",
                    _when(r.created_at),
                    _when(r.sent_at),
                )
                for r in rows
            ],
        )
    )
    return 0


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _report(report: RelayReport, as_json: bool) -> int:
    if as_json:
        emit_json(report.as_dict())
    else:
        print(f"{report.sent} sent, {report.failed} failed, {report.pending} waiting in the outbox")
    if report.unreachable:
        print(f"baton: {report.unreachable}", file=sys.stderr)
        return 1
    return 0


def outbox_send(args: argparse.Namespace) -> int:
    db = database(args)
    actor = Actor.command_line(RELAY_STATION)
    if not args.watch:
        return _report(relay_outbox(db.sessions, actor), args.json)
    stop = threading.Event()

    def interrupted(_signum: int, _frame: FrameType | None) -> None:
        stop.set()  # finish the message on the wire, give the rest back, then exit

    previous = signal.signal(signal.SIGINT, interrupted)
    try:
        while not stop.is_set():
            try:
                report = relay_outbox(db.sessions, actor, stop=stop)
            except OperationalError as exc:  # the database away for a moment: try again later
                print(f"baton: cannot use the database now: {_first_line(exc)}", file=sys.stderr)
                stop.wait(args.every)
                continue
            if report.sent or report.failed or report.unreachable:
                _report(report, args.json)
                sys.stdout.flush()
            stop.wait(args.every)
    finally:
        signal.signal(signal.SIGINT, previous)
    return 0


def outbox_retry(args: argparse.Namespace) -> int:
    if bool(args.ids) == bool(args.failed):
        raise CommandError("give message ids (see baton outbox --status failed) or --failed")
    db = database(args)
    with unit_of_work(db.sessions) as session:
        count = retry_failed(session, Actor.command_line(), args.ids)
    print(f"{count} message(s) back in the outbox, to be sent at the relay's next run")
    return 0
