"""Reading the UTF-8 CSV files that feed Baton: streamed, checked before use, with line numbers."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1 << 16


class FileUnusable(Exception):
    """The file as a whole cannot be used (missing, not UTF-8, wrong columns); nothing was read."""


@dataclass(frozen=True)
class Row:
    """One non-blank data row: its first physical line in the file and its cells by column."""

    line_no: int
    cells: dict[str, str]

    def get(self, column: str, default: str = "") -> str:
        return self.cells.get(column, default) or default


def check_readable_utf8(path: Path) -> None:
    """Raise FileUnusable unless `path` is an existing file of valid UTF-8 (read in chunks)."""
    if not path.exists():
        raise FileUnusable(f"File not found: {path}")
    if not path.is_file():
        raise FileUnusable(f"Not a file: {path}")
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    bad_line = line + chunk[: exc.start].count(b"\n")
                    raise FileUnusable(
                        f"{path.name} is not UTF-8 text (line {bad_line} has byte "
                        f"0x{chunk[exc.start]:02x}). Save it as 'CSV UTF-8' and import again."
                    ) from None
                line += chunk.count(b"\n")
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise FileUnusable(f"{path.name} ends in the middle of a UTF-8 character.") from None
    except OSError as exc:
        raise FileUnusable(f"Cannot read {path}: {exc.strerror}") from None


def _normalise(header: str) -> str:
    return header.strip().lower()


def read_csv(path: Path, required: Iterable[str]) -> Iterator[Row]:
    """Stream the rows of a CSV file with a header row.

    Column names are matched without regard to case or surrounding spaces and are given to
    the caller in lower case; extra columns are kept but may be ignored; blank rows are skipped.
    Raises FileUnusable before yielding anything if the file or its header cannot be used.
    """
    check_readable_utf8(path)
    handle = path.open(encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise FileUnusable(f"{path.name} is empty: expected a header row.") from None
        except csv.Error as exc:
            raise FileUnusable(f"{path.name} header row is not valid CSV: {exc}") from None
        columns = [_normalise(h) for h in header]
        missing = [c for c in required if _normalise(c) not in columns]
        if missing:
            raise FileUnusable(
                f"{path.name} lacks required column{'s' if len(missing) > 1 else ''}: "
                + ", ".join(missing)
                + f". Found: {', '.join(h.strip() for h in header if h.strip()) or 'none'}."
            )
        yield from _rows(reader, columns, path.name)
    finally:
        handle.close()


def _rows(reader: Iterator[list[str]], columns: list[str], name: str) -> Iterator[Row]:
    line_after_header = 2
    start = line_after_header
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise FileUnusable(f"{name} line {start} is not valid CSV: {exc}") from None
        end = reader.line_num  # type: ignore[attr-defined]
        if any(cell.strip() for cell in cells):
            row = dict(zip(columns, cells, strict=False))
            for column in columns[len(cells) :]:
                row[column] = ""
            yield Row(start, row)
        start = end + 1
