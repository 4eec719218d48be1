"""`baton tracking import` and `baton fulfillments export`: after the handover, from the
command line, through the same services a station would use."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from app.cli import CommandError, database, emit_json
from app.domain.dispatch import fulfilment_csv
from app.domain.formats.carrier_events import EVENT_FORMATS, parse_moment
from app.services.actor import Actor
from app.services.tracking.events import TrackingSummary, import_tracking
from app.services.tracking.fulfilments import fulfilments
from app.services.tracking.sources import FileSource

SHOWN_REJECTED = 20  # rows a person reads; --json lists them all


def register(commands: Any) -> None:
    """Add `baton tracking` and `baton fulfillments`."""
    tracking = commands.add_parser("tracking", help="carrier tracking events after the handover")
    actions = tracking.add_subparsers(dest="tracking_action", required=True, metavar="ACTION")
    p = actions.add_parser(
        "import",
        help="import a carrier's events: CSV or JSON with "
        "tracking_number,status,occurred_at,location,description",
    )
    p.add_argument("file", type=Path)
    p.add_argument(
        "--format", choices=EVENT_FORMATS, default=None, help="default: from the file's name"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=tracking_import)

    fulfil = commands.add_parser("fulfillments", help="shipped orders for the shop, in bulk")
    f_actions = fulfil.add_subparsers(dest="fulfillments_action", required=True, metavar="ACTION")
    p = f_actions.add_parser(
        "export", help="order, carrier, service, tracking numbers and links, shipped, delivered"
    )
    p.add_argument(
        "--since", metavar="TIME", help="only orders shipped at or after TIME (ISO 8601, offset)"
    )
    p.add_argument("--format", choices=("csv",), default="csv")
    p.add_argument("--out", type=Path, metavar="FILE", help="write here instead of stdout")
    p.set_defaults(handler=fulfillments_export)


def tracking_import(args: argparse.Namespace) -> int:
    db = database(args)
    summary = import_tracking(db.sessions, Actor.command_line(), FileSource(args.file, args.format))
    if args.json:
        emit_json(summary.as_dict())
        return summary.exit_code
    if summary.unusable is not None:
        raise CommandError(f"{summary.unusable} Nothing was imported.")
    _print(summary)
    return summary.exit_code


def _print(summary: TrackingSummary) -> None:
    print(
        f"{summary.source}: {summary.new} new event(s), {summary.known} already known, "
        f"{len(summary.rejected)} rejected"
    )
    for rejected in summary.rejected[:SHOWN_REJECTED]:
        print(f"  rejected {rejected.reason}")
    if len(summary.rejected) > SHOWN_REJECTED:
        print(f"  ... and {len(summary.rejected) - SHOWN_REJECTED} more (--json lists them all)")
    if summary.orders_delivered:
        print(
            f"delivered: {len(summary.orders_delivered)} order(s): "
            + ", ".join(summary.orders_delivered)
        )
    if summary.orders_attention:
        print(
            f"needs attention after shipping: {len(summary.orders_attention)} order(s): "
            + ", ".join(summary.orders_attention)
        )
    if summary.messages:
        print(f"customer messages queued: {summary.messages}")


def fulfillments_export(args: argparse.Namespace) -> int:
    since: datetime | None = None
    if args.since:
        since, why = parse_moment(args.since)
        if since is None:
            raise CommandError(f"--since: {why.replace('occurred_at ', '')}")
    db = database(args)
    with db.sessions() as session:
        rows = fulfilments(session, since)
    text = fulfilment_csv(rows)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        print(f"{len(rows)} order(s) written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
