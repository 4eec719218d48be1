"""The `baton` command line: database, imports, orders, operators, demo data."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from app.config import DATABASE_URL_ENV, resolve_database
from app.db.database import Database, open_database
from app.db.schema import SchemaMismatch
from app.services.errors import BatonError

Handler = Callable[[argparse.Namespace], int]
DEBUG_HINT = "run again with --debug to see where"


class CommandError(Exception):
    """A command's input cannot be used: one line for the user, exit status 2."""


class CommandParser(argparse.ArgumentParser):
    """A parser whose every command takes --database and --debug, before or after its name,
    and whose usage errors are one line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # SUPPRESS: a command's parser sets these only when they are given after its name,
        # so `baton --database URL orders` and `baton orders --database URL` mean the same.
        self.add_argument(
            "--database",
            metavar="URL",
            default=argparse.SUPPRESS,
            help=f"database URL (default: ${DATABASE_URL_ENV}, else the embedded SQLite file)",
        )
        self.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,
            help="on a failure, show the traceback as well",
        )

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def build_parser() -> CommandParser:
    """The `baton` parser with every command."""
    from app.cli import (
        data,
        demo,
        dispatch,
        floor,
        labels,
        messages,
        packing,
        picking,
        products,
        simulate,
        station,
        tracking,
        walls,
    )

    parser = CommandParser(
        prog="baton", description="Baton: warehouse orders from arrival to courier."
    )
    parser.set_defaults(database=None, debug=False)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    data.register(commands)
    demo.register(commands)
    station.register(commands)
    picking.register(commands)
    walls.register(commands)
    labels.register(commands)
    packing.register(commands)
    dispatch.register(commands)
    messages.register(commands)
    products.register(commands)
    tracking.register(commands)
    floor.register(commands)
    simulate.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `baton` command; returns the process exit status.

    Every failure ends here as one line on stderr (and, with --debug, its traceback): 1 when
    Baton refused the action, 2 when the input or the database cannot be used.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    if (problem := undecodable(arguments)) is not None:
        print(f"baton: {problem}", file=sys.stderr)
        return 2
    try:
        args = build_parser().parse_args(arguments)
    except SystemExit as exc:  # --help, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    handler: Handler = args.handler
    try:
        return handler(args)
    except BatonError as exc:
        return _fail(args, exc.message, 1)
    except CommandError as exc:
        return _fail(args, str(exc), 2)
    except SchemaMismatch as exc:
        return _fail(args, str(exc), 2)
    except OperationalError as exc:
        return _fail(args, f"cannot use the database: {_first_line(exc)}", 2)
    except SQLAlchemyError as exc:
        return _fail(args, f"the database refused this: {_first_line(exc)}", 2)
    except BrokenPipeError:
        # The reader went away (`baton orders | head`): not an error worth a message.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return _fail(args, "interrupted", 130)
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        return _fail(args, f"cannot use{where}: {exc.strerror or exc}", 2)
    except Exception as exc:  # noqa: BLE001  # a bug, or input nothing above foresaw: one line
        return _fail(args, f"{type(exc).__name__}: {exc} ({DEBUG_HINT})", 2)


def _fail(args: argparse.Namespace, message: str, code: int) -> int:
    if args.debug:
        traceback.print_exc()
    print(f"baton: {message}", file=sys.stderr)
    return code


def undecodable(arguments: Sequence[str]) -> str | None:
    """Why an argument cannot be used, if one is not valid UTF-8 (Python hands such bytes
    over as lone surrogates, which neither the database nor the terminal can take)."""
    for index, argument in enumerate(arguments):
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:
            shown = argument.encode("utf-8", "surrogateescape" if _escaped(argument) else "replace")
            text = shown.decode("utf-8", "backslashreplace")
            previous = arguments[index - 1] if index else ""
            what = previous if previous.startswith("--") and "=" not in previous else "argument"
            return (
                f"{what} '{text}' is not valid UTF-8 text; "
                "give it in UTF-8 (is the terminal set to UTF-8?)"
            )
    return None


def _escaped(text: str) -> bool:
    return all(not "\ud800" <= c <= "\udfff" or "\udc80" <= c <= "\udcff" for c in text)


def _first_line(exc: SQLAlchemyError) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def database(args: argparse.Namespace, *, check_schema: bool = True) -> Database:
    """The database the command works on (from --database, the environment or the default)."""
    choice = resolve_database(args.database)
    try:
        return open_database(choice, check_schema=check_schema)
    except (ArgumentError, ImportError) as exc:  # not a URL, or a database without a driver here
        raise CommandError(
            f"cannot use the database URL: {exc} (Baton takes sqlite:///FILE or "
            "postgresql://USER@HOST/DATABASE)"
        ) from exc


def emit_json(value: Any) -> None:
    """Print JSON for scripts: UTF-8 as it is, keys in a stable order."""
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain text table with columns padded to their widest cell."""
    cells = [[str(c) for c in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
