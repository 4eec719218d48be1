"""`baton scan explain`, `baton screenshot` and `baton replay`: the station's scans, offscreen."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.cli import emit_json
from app.domain.scan import DEFAULT_PATTERNS, Scan, classify


def register(commands: Any) -> None:
    """Add the station commands to the parser."""
    scan = commands.add_parser("scan", help="how Baton reads a scan")
    scan_actions = scan.add_subparsers(dest="scan_action", required=True, metavar="ACTION")
    p = scan_actions.add_parser("explain", help="classify TEXT exactly as a station would")
    p.add_argument("text", help="the scan; write GS as \\x1d")
    p.add_argument("--gs", default="|", help="the character that stands for GS (default |)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=scan_explain)

    p = commands.add_parser("screenshot", help="render a station screen to PNG (demo data)")
    p.add_argument("screen", nargs="?", help="screen name (see --list)")
    p.add_argument("--out", type=Path, help="PNG file to write")
    p.add_argument("--list", action="store_true", help="name the screens")
    p.add_argument("--size", default="1600x1000", help="window size, WIDTHxHEIGHT")
    p.set_defaults(handler=screenshot)

    p = commands.add_parser("replay", help="drive a station screen with a scan script")
    p.add_argument("file", type=Path, help="one scan per line; \\x1d for GS; '# ' comments")
    p.add_argument("--screen", required=True, help="order-desk or lookup")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=replay)


def scan_explain(args: argparse.Namespace) -> int:
    result = classify(args.text.replace("\\x1d", "\x1d"), DEFAULT_PATTERNS, args.gs)
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
        print(f"baton: no screen '{args.screen}'; `baton screenshot --list` names them", file=sys.stderr)
        return 2
    if args.out is None:
        print("baton: give --out FILE.png", file=sys.stderr)
        return 2
    width, _, height = args.size.partition("x")
    out = render(args.screen, args.out, (int(width), int(height)))
    print(f"wrote {out}")
    return 0


def replay(args: argparse.Namespace) -> int:
    from app.ui.replay import SCREEN_TITLES
    from app.ui.replay import replay as run_replay

    if args.screen not in SCREEN_TITLES:
        print(f"baton: no screen '{args.screen}'; use {', '.join(SCREEN_TITLES)}", file=sys.stderr)
        return 2
    if not args.file.is_file():
        print(f"baton: no script {args.file}", file=sys.stderr)
        return 2
    steps = run_replay(args.file, args.screen, args.database)
    if args.json:
        emit_json([asdict(step) for step in steps])
    else:
        for step in steps:
            print(f"line {step.line:>3}  {step.level:<9} {step.scan:<28} {step.message}")
    return 0
