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
            f"the characters {chars}; {font_advice(missing)}"
        )
        self.layout = layout
        self.where = where
        self.text = text
        self.missing = missing


# Japanese kana, CJK ideographs and Hangul, with their punctuation and full-width forms.
_CJK = (
    (0x1100, 0x11FF),
    (0x2E80, 0x9FFF),
    (0xA960, 0xA97F),
    (0xAC00, 0xD7FF),
    (0xF900, 0xFAFF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
    (0x20000, 0x3FFFF),
)


def font_advice(missing: str) -> str:
    """What to install so that `missing` characters print: the package on Debian and Ubuntu,
    and what to do on other systems."""
    if any(lo <= ord(c) <= hi for c in missing for lo, hi in _CJK):
        package, font = "fonts-noto-cjk", "Noto Sans CJK (or another Japanese/Chinese/Korean font)"
    else:
        package, font = "fonts-noto-core", "the Noto Sans font of that script"
    return (
        f"install a font that has them, then print again. Debian or Ubuntu: "
        f"`sudo apt install {package}`. Other systems: install {font} as a font of the "
        "system or of the user, or put its .ttf/.otf/.ttc file in a folder listed in the "
        "environment variable BATON_FONT_DIRS"
    )


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
