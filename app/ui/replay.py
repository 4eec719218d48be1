"""`baton replay FILE --screen SCREEN`: drive a real station screen with a scan script.

One scan per line; `\\x1d` stands for GS; `# ` starts a comment (`#1001` alone is an order
number). A line `!F5` (or `!Enter`, `!F8`, ...) presses that key instead, as an operator
presses a button's shortcut; a line `=1240` keys 1240 by hand into the field that has focus
and presses Enter (a weight after `!F6` on the pack bench). The first scans log in by badge.
For each step the result is what the operator would have seen: the band's level and message.

The replay works on the database it is given, as a station there would (its scans are
committed), or on a throwaway demo floor. Qt is loaded only when a script is replayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.config import DatabaseChoice

SCREEN_TITLES = {
    "picking": "Picking",
    "sorting": "Sorting",
    "packing": "Packing",
    "dispatch": "Dock",
    "order-desk": "Order desk",
    "lookup": "Look up",
    "prints": "Prints",
}
REFUSED = "error"  # the band's level for a refused scan


@dataclass(frozen=True)
class Step:
    """One scan of the script and the feedback it got."""

    line: int
    scan: str
    level: str
    message: str


class ScriptError(ValueError):
    """A scan script that cannot be replayed; the message names the line."""


def read_script(path: Path) -> list[tuple[int, str]]:
    """(line number, scan) for each scan in a script file; ScriptError before anything runs
    if a line cannot be replayed."""
    from app.ui.harness import KEY_CHOICES, NAMED_KEYS

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise ScriptError(f"{path.name} is not UTF-8 text (byte {exc.start + 1})") from None
    scans = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("# ") or text == "#":
            continue
        if text.startswith("!") and text[1:].strip().lower() not in NAMED_KEYS:
            raise ScriptError(
                f"{path.name} line {number}: no key named '{text[1:]}'; use {KEY_CHOICES}"
            )
        scans.append((number, text.replace("\\x1d", "\x1d")))
    return scans


def station_pdf_folder() -> Path:
    """This workstation's PDF folder, as its Settings dialog has it."""
    from app.ui.settings import PDF_FOLDER, WorkstationSettings

    return Path(WorkstationSettings().get(PDF_FOLDER)).expanduser()


def replay(
    path: Path,
    screen: str,
    database: DatabaseChoice | None = None,
    pdf_folder: Path | None = None,
) -> list[Step]:
    """Feed the script's scans to `screen` and collect the feedback after each.

    `database` None: a throwaway demo floor, whose PDFs go with it unless `pdf_folder` is
    given; on a real database the PDFs go to `pdf_folder`, else to the station's PDF folder.
    """
    from app.ui.harness import demo_station

    if screen not in SCREEN_TITLES:
        raise KeyError(screen)
    script = read_script(path)  # a line that cannot be replayed stops it before it starts
    if pdf_folder is None and database is not None:
        pdf_folder = station_pdf_folder()
    steps = []
    with demo_station(database, pdf_folder=pdf_folder, station_name="replay") as harness:
        window = harness.window
        for number, text in script:
            before = window.station.actor
            if text.startswith("!"):
                harness.press(text[1:])
            elif text.startswith("="):
                harness.key_in(text[1:])
            else:
                harness.scan(text)
            level, message = harness.feedback()
            steps.append(Step(number, text.replace("\x1d", "\\x1d"), level, message))
            actor = window.station.actor
            if actor is not None and actor != before:
                target = next(s for s in window.screens if s.title == SCREEN_TITLES[screen])
                if target not in window.allowed_screens():
                    # The rest of the script was written for that screen: stop, and say why.
                    steps[-1] = Step(
                        number,
                        steps[-1].scan,
                        REFUSED,
                        f"{actor.name} is a {actor.role.value}: the {target.title} screen is "
                        "not open to that role; the replay stops here.",
                    )
                    break
                window.show_screen(target)
        for shown in window.screens:
            shown.shutdown()  # labels of the last carton are printed before the floor goes
    return steps
