"""`baton screenshot SCREEN --out FILE.png`: any station screen rendered offscreen on demo data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.services.desk import DeskFilter, desk_rows
from app.ui.harness import Harness, demo_station, settle
from app.ui.screens.base import Screen

SUPERVISOR_BADGE = "OP-9001"
PICKER_BADGE = "OP-1001"


def _screen(harness: Harness, title: str) -> Screen:
    """The window's screen with `title` (their order in the window may change)."""
    return next(s for s in harness.window.screens if s.title == title)


def _login(harness: Harness) -> None:
    harness.window.log_out()
    settle()


def _order_desk(harness: Harness) -> None:
    harness.scan(SUPERVISOR_BADGE)
    desk = _screen(harness, "Order desk")
    harness.window.show_screen(desk)
    desk.filter_buttons.button(1).click()  # type: ignore[attr-defined]  # the hold queue
    settle()
    desk.table.selectRow(0)  # type: ignore[attr-defined]
    settle()


def _order_timeline(harness: Harness) -> None:
    harness.scan(SUPERVISOR_BADGE)
    harness.window.show_screen(_screen(harness, "Look up"))
    # An order whose address prints in any font: screenshots need no CJK fonts installed.
    with harness.database.sessions() as session:
        ready = desk_rows(session, DeskFilter(status="READY"), 0, 50)
    number = next(row.number for row in ready if row.country in ("DE", "CH", "FR"))
    harness.scan(number)


def _prints(harness: Harness) -> None:
    harness.scan(SUPERVISOR_BADGE)
    harness.window.show_screen(_screen(harness, "Prints"))


def _picking(harness: Harness) -> None:
    harness.scan(PICKER_BADGE)  # a picker lands on the picking screen; the demo has a wave
    picking = _screen(harness, "Picking")
    picking.take_button.click()  # type: ignore[attr-defined]
    settle()
    harness.scan(picking.location.text())  # type: ignore[attr-defined]  # at the first stop


def _location(harness: Harness) -> None:
    harness.scan(PICKER_BADGE)
    harness.window.show_screen(_screen(harness, "Look up"))
    harness.scan("A01-01-1")


def _product(harness: Harness) -> None:
    harness.scan(PICKER_BADGE)
    harness.window.show_screen(_screen(harness, "Look up"))
    harness.scan("7612340000010")


def _refused(harness: Harness) -> None:
    harness.scan(PICKER_BADGE)
    harness.scan("hello world")


SCREENS: dict[str, tuple[str, Callable[[Harness], None]]] = {
    "login": ("badge login, nobody logged in", _login),
    "picking": ("a picker at the first stop of the next pick list, location scanned", _picking),
    "order-desk": ("supervisor's desk on the hold queue, first held order selected", _order_desk),
    "lookup-order": ("look-up of an order: lines and timeline", _order_timeline),
    "lookup-location": ("look-up of a location: its stock", _location),
    "prints": ("the print log with reprint and master-data labels", _prints),
    "lookup-product": ("look-up of a product by GTIN: where it is stored", _product),
    "refused-scan": ("a scan Baton does not know, refused in red", _refused),
}


def render(name: str, out: Path, size: tuple[int, int] = (1600, 1000)) -> Path:
    """Render screen `name` to a PNG at `out`."""
    if name not in SCREENS:
        raise KeyError(name)
    with demo_station(size=size) as harness:
        SCREENS[name][1](harness)
        settle()
        out.parent.mkdir(parents=True, exist_ok=True)
        if not harness.window.grab().save(str(out)):
            raise OSError(f"could not write {out}")
    return out
