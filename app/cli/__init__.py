"""The `baton` command line: database, imports, orders, operators, demo data."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from app.config import DATABASE_URL_ENV, resolve_database
from app.db.database import Database, open_database
from app.db.schema import SchemaMismatch
from app.services.errors import BatonError

Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one `baton` command; returns the process exit status."""
    from app.cli import data, demo, labels, packing, picking, products, station, walls

    parser = argparse.ArgumentParser(
        prog="baton", description="Baton: warehouse orders from arrival to courier."
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help=f"database URL (default: ${DATABASE_URL_ENV}, else the embedded SQLite file)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    data.register(commands)
    demo.register(commands)
    station.register(commands)
    picking.register(commands)
    walls.register(commands)
    labels.register(commands)
    packing.register(commands)
    products.register(commands)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    handler: Handler = args.handler
    try:
        return handler(args)
    except BatonError as exc:
        print(f"baton: {exc.message}", file=sys.stderr)
        return 1
    except SchemaMismatch as exc:
        print(f"baton: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        print(f"baton: cannot use the database: {_first_line(exc)}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"baton: the database refused this: {_first_line(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`baton orders | head`): not an error worth a message.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("baton: interrupted", file=sys.stderr)
        return 130


def _first_line(exc: SQLAlchemyError) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def database(args: argparse.Namespace, *, check_schema: bool = True) -> Database:
    """The database the command works on (from --database, the environment or the default)."""
    return open_database(resolve_database(args.database), check_schema=check_schema)


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
