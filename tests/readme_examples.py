"""The example outputs in README.md and docs/*.md: printed by the code, checked by a test.

An example is a fenced block whose first line is a command, `$ uv run baton ...`, and whose
other lines are what it prints; the line before the fence is MARKER, so that whoever edits
the text knows the block is not theirs to type. tests/test_readme_examples.py runs each
command in-process on a fresh demo floor and compares. After a change of output, write every
example again from what the code prints now:

    uv run python -m tests.readme_examples
"""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from app.cli import main
from app.config import DATABASE_URL_ENV, DatabaseChoice
from app.db.database import open_database
from app.services.actor import Actor
from app.services.demo.seeding import seed_demo

ROOT = Path(__file__).resolve().parents[1]
MARKER = "<!-- output printed by the command; checked by tests/test_readme_examples.py -->"
PROMPT = "$ uv run baton "
FENCE = "```"


@dataclass(frozen=True)
class Example:
    """One command of a document and the output the document shows for it."""

    document: Path
    line: int  # the command's line in the document, from 1
    command: str  # what follows `$ uv run baton`
    output: tuple[str, ...]
    marked: bool

    @property
    def name(self) -> str:
        return f"{self.document.relative_to(ROOT)}:{self.line}"


def documents() -> list[Path]:
    """README.md and the docs, where examples live."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def examples(document: Path) -> list[Example]:
    """Every block of `document` that shows a `baton` command and its output."""
    lines = document.read_text(encoding="utf-8").splitlines()
    found = []
    for index, line in enumerate(lines):
        if not line.startswith(FENCE) or index + 1 >= len(lines):
            continue
        if not lines[index + 1].startswith(PROMPT):
            continue
        end = next(i for i in range(index + 2, len(lines)) if lines[i].startswith(FENCE))
        found.append(
            Example(
                document,
                index + 2,
                lines[index + 1].removeprefix(PROMPT),
                tuple(lines[index + 2 : end]),
                index > 0 and lines[index - 1].strip() == MARKER,
            )
        )
    return found


def printed(command: str) -> tuple[str, ...]:
    """What `baton COMMAND` prints, line by line (the database is the environment's)."""
    out = io.StringIO()
    with (
        contextlib.chdir(ROOT),  # the documents name files from the top of the repository
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        main(shlex.split(command))
    return tuple(line.rstrip() for line in out.getvalue().splitlines())


def seed_demo_file(path: Path) -> Path:
    """The demo floor in a SQLite file at `path`."""
    database = open_database(DatabaseChoice(f"sqlite:///{path}", embedded_default=True))
    try:
        seed_demo(database.sessions, Actor.command_line("demo"))
    finally:
        database.close()
    return path


@contextlib.contextmanager
def fresh_demo(seeded: Path) -> Iterator[str]:
    """A URL of a copy of the seeded demo floor, set as the database every command uses."""
    with tempfile.TemporaryDirectory(prefix="baton-example-") as folder:
        copy = Path(folder) / "demo.sqlite3"
        shutil.copy(seeded, copy)
        url = f"sqlite:///{copy}"
        before = os.environ.get(DATABASE_URL_ENV)
        os.environ[DATABASE_URL_ENV] = url
        try:
            yield url
        finally:
            if before is None:
                os.environ.pop(DATABASE_URL_ENV, None)
            else:
                os.environ[DATABASE_URL_ENV] = before


def write_examples() -> None:
    """Write every example's output again, from what the code prints now."""
    with tempfile.TemporaryDirectory(prefix="baton-examples-") as folder:
        seeded = seed_demo_file(Path(folder) / "demo.sqlite3")
        for document in documents():
            lines = document.read_text(encoding="utf-8").splitlines()
            for example in reversed(examples(document)):
                with fresh_demo(seeded):
                    output = printed(example.command)
                start = example.line  # the first output line's index
                lines[start : start + len(example.output)] = output
                if not example.marked:
                    lines.insert(example.line - 2, MARKER)
            document.write_text("\n".join(lines) + "\n", encoding="utf-8")
            print(f"{document.relative_to(ROOT)}: {len(examples(document))} examples")


if __name__ == "__main__":
    write_examples()
