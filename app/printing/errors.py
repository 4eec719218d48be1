"""Typed errors of label rendering and printing, each with a message an operator can act on."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.printing.printers import PrintOutcome


class PrintingError(Exception):
    """Anything that stops a document from being rendered or printed."""

    # Set by a printer when the error ended a print job, ready to be recorded.
    outcome: PrintOutcome | None = None


class LayoutError(PrintingError):
    """A layout file that cannot be used (bad syntax, unknown field, element off the page)."""

    def __init__(self, layout: str, message: str) -> None:
        super().__init__(f"layout '{layout}': {message}")
        self.layout = layout
        self.detail = message


class LayoutNotFound(LayoutError):
    """No layout of that name in the labels folder."""


class MissingValue(PrintingError):
    """The layout names a value the caller did not give; nothing is printed blank."""

    def __init__(self, layout: str, name: str, where: str = "") -> None:
        place = f" ({where})" if where else ""
        super().__init__(f"layout '{layout}' needs the value '{name}'{place}, which was not given")
        self.layout = layout
        self.name = name


class BarcodeError(PrintingError):
    """Data that cannot be encoded, fails its check digit, or does not fit its space."""


class UnprintableText(PrintingError):
    """Text with characters that no available font can show (it would print as empty boxes)."""

    def __init__(self, layout: str, where: str, text: str, missing: str) -> None:
        chars = " ".join(f"{c} (U+{ord(c):04X})" for c in missing)
        super().__init__(
            f"layout '{layout}': cannot print {where} {text!r}: no installed font has "
            f"the characters {chars}; install a font that covers them (e.g. Noto Sans CJK "
            "or Droid Sans Fallback for Japanese/Chinese/Korean)"
        )
        self.layout = layout
        self.where = where
        self.text = text
        self.missing = missing


class PrintFailed(PrintingError):
    """A print that did not reach its printer or folder; `outcome` is ready to be recorded."""

    def __init__(self, message: str, outcome: PrintOutcome | None = None) -> None:
        super().__init__(message)
        self.outcome = outcome


class PrinterUnreachable(PrintFailed):
    """The network printer refused the connection or its address does not resolve."""


class PrinterTimeout(PrintFailed):
    """The network printer accepted nothing within the timeout."""


class OutputNotWritable(PrintFailed):
    """The PDF folder is missing, full or not writable."""


class PrintCancelled(PrintFailed):
    """The operator cancelled a batch before it was sent."""


class BadValue(PrintingError):
    """A value of the wrong kind, e.g. table rows that are not a list of rows."""
