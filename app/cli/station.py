"""`baton scan explain`, `baton screenshot` and `baton replay`: the station's scans, offscreen."""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.cli import CommandError, database, emit_json
from app.config import resolve_database
from app.db.engine import unit_of_work
from app.domain.scanning.classify import Scan, classify
from app.services.actor import Actor
from app.services.masterdata.warehouse import scan_patterns, set_scan_pattern


def register(commands: Any) -> None:
    """Add the station commands to the parser."""
    scan = commands.add_parser("scan", help="how Baton reads a scan")
    scan_actions = scan.add_subparsers(dest="scan_action", required=True, metavar="ACTION")
    p = scan_actions.add_parser("patterns", help="show or change the warehouse's code patterns")
    p.add_argument(
        "--set",
        metavar="KEY=REGEX",
        action="append",
        default=[],
        help="override a pattern (keys: badge, location, tote, slot, order, sku, "
        "tracking:CARRIER); an empty REGEX turns that kind off",
    )
    p.add_argument(
        "--reset", metavar="KEY", action="append", default=[], help="go back to the default for KEY"
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=scan_patterns_command)
    p = scan_actions.add_parser("explain", help="classify TEXT exactly as a station would")
    p.add_argument("text", help="the scan; write GS as \\x1d")
    p.add_argument("--gs", default="|", help="the character that stands for GS (default |)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=scan_explain)

    p = commands.add_parser("screenshot", help="render a station screen to PNG (demo data)")
    p.add_argument("screen", nargs="?", help="screen name (see --list)")
    p.add_argument("--out", type=Path, help="PNG file to write")
    p.add_argument("--list", action="store_true", help="name the screens")
    p.add_argument(
        "--size", type=window_size, default="1600x1000", help="window size, WIDTHxHEIGHT pixels"
    )
    p.set_defaults(handler=screenshot)

    from app.ui.replay import SCREEN_TITLES  # no Qt: that is loaded when a script runs

    p = commands.add_parser(
        "replay",
        help="drive a station screen with a scan script",
        description="Drive a real station screen offscreen with a scan script, on the database "
        "(its scans are committed as a station's would be) or with --demo on a throwaway demo "
        "floor. Exit status 0 when every line was taken, 1 when any was refused.",
    )
    p.add_argument("file", type=Path, help="one scan per line; \\x1d for GS; '# ' comments")
    p.add_argument(
        "--screen",
        required=True,
        choices=list(SCREEN_TITLES),
        metavar="SCREEN",
        help=f"the screen to drive: {', '.join(SCREEN_TITLES)}",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="on a fresh demo floor in a temporary folder, deleted at the end (with its PDFs, "
        "unless --pdf-dir)",
    )
    p.add_argument(
        "--pdf-dir",
        type=Path,
        metavar="DIR",
        help="label and document PDFs go here (default: the station's PDF folder setting)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=replay)


MIN_SIZE, MAX_SIZE = (320, 240), (7680, 4320)


def window_size(text: str) -> tuple[int, int]:
    """`1600x1000` as (width, height), within what a screen can be."""
    found = re.fullmatch(r"([0-9]{1,5})x([0-9]{1,5})", text.strip().lower())
    if found:
        size = int(found[1]), int(found[2])
        if all(low <= n <= high for n, low, high in zip(size, MIN_SIZE, MAX_SIZE, strict=True)):
            return size
    raise argparse.ArgumentTypeError(
        f"'{text}' is not a window size: give WIDTHxHEIGHT in pixels, e.g. 1600x1000 "
        f"(from {MIN_SIZE[0]}x{MIN_SIZE[1]} to {MAX_SIZE[0]}x{MAX_SIZE[1]})"
    )


def scan_patterns_command(args: argparse.Namespace) -> int:
    changes = []
    for item in args.set:
        key, sep, pattern = item.partition("=")
        if not sep:
            print(f"baton: --set takes KEY=REGEX, got '{item}'", file=sys.stderr)
            return 2
        changes.append((key.strip(), pattern))
    db = database(args)
    actor = Actor.command_line()
    with unit_of_work(db.sessions) as session:  # all changes or none
        for key, pattern in changes:
            set_scan_pattern(session, actor, key, pattern)
        for key in args.reset:
            set_scan_pattern(session, actor, key.strip(), None)
        patterns = scan_patterns(session)
    if args.json:
        emit_json(patterns.as_dict())
    else:
        for key, pattern in patterns.as_dict().items():
            print(f"{key:<22} {pattern or '(off)'}")
    return 0


def scan_explain(args: argparse.Namespace) -> int:
    db = database(args)
    with db.sessions() as session:
        patterns = scan_patterns(session)
    result = classify(args.text.replace("\\x1d", "\x1d"), patterns, args.gs)
    if args.json:
        emit_json(result.as_dict())
    else:
        print(result.describe())
        if isinstance(result, Scan):
            for name, value in result.fields:
                print(f"  {name}: {value}")
    return 0 if isinstance(result, Scan) else 1


def screenshot(args: argparse.Namespace) -> int:
    from app.ui.screenshot import SCREENS, render

    if args.list or not args.screen:
        for name, (what, _) in SCREENS.items():
            print(f"{name:<18} {what}")
        return 0
    if args.screen not in SCREENS:
        print(
            f"baton: no screen '{args.screen}'; `baton screenshot --list` names them",
            file=sys.stderr,
        )
        return 2
    if args.out is None:
        print("baton: give --out FILE.png", file=sys.stderr)
        return 2
    out = render(args.screen, args.out, args.size)
    print(f"wrote {out}")
    return 0


def replay(args: argparse.Namespace) -> int:
    from app.ui.replay import REFUSED, ScriptError
    from app.ui.replay import replay as run_replay

    if args.demo and args.database:
        raise CommandError("give --demo or --database, not both")
    if not args.file.is_file():
        raise CommandError(f"no script {args.file}")
    try:
        steps = run_replay(
            args.file,
            args.screen,
            None if args.demo else resolve_database(args.database),
            args.pdf_dir,
        )
    except ScriptError as exc:
        raise CommandError(str(exc)) from None
    if args.json:
        emit_json([asdict(step) for step in steps])
    else:
        for step in steps:
            print(f"line {step.line:>3}  {step.level:<9} {step.scan:<28} {step.message}")
    return 1 if any(step.level == REFUSED for step in steps) else 0
