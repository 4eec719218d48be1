"""Fitting text into a box: wrap at spaces, shrink down to a minimum size, then ellipsise."""

from __future__ import annotations

from dataclasses import dataclass

from app.printing.fonts import FontBook, text_width

PT_TO_MM = 25.4 / 72
ELLIPSIS = "\u2026"


@dataclass(frozen=True)
class Fitted:
    """Lines that fit, the size they fit at, and whether anything was cut off."""

    lines: tuple[str, ...]
    size: float
    truncated: bool


class Measure:
    """Widths in millimetres of text in one font at one size."""

    def __init__(self, fonts: FontBook, family: str, bold: bool, size: float) -> None:
        self.fonts = fonts
        self.family = family
        self.bold = bold
        self.size = size

    def __call__(self, text: str) -> float:
        return text_width(self.fonts.split(text, self.family, self.bold), self.size) * PT_TO_MM


def _wrap(paragraph: str, width: float, measure: Measure) -> list[str]:
    """Greedy wrap at spaces; a word wider than the box is broken between characters."""
    if measure(paragraph) <= width:
        return [paragraph]
    lines: list[str] = []
    current = ""
    for word in paragraph.split(" "):
        candidate = f"{current} {word}" if current else word
        if measure(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        while measure(word) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and measure(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def ellipsise(text: str, width: float, measure: Measure) -> str:
    """`text` cut at the end with an ellipsis so that it fits `width`."""
    text = text.rstrip()
    while text and measure(text + ELLIPSIS) > width:
        text = text[:-1].rstrip()
    return text + ELLIPSIS


def lines_that_fit(height: float | None, size: float, line_height: float) -> int | None:
    """How many lines of `size` points fit in `height` millimetres (None: no limit)."""
    if height is None:
        return None
    pitch = size * line_height * PT_TO_MM
    first = size * PT_TO_MM
    if height < first:
        return 0
    return 1 + int((height - first) / pitch + 1e-6)


def fit_text(
    paragraphs: list[str],
    width: float,
    *,
    fonts: FontBook,
    family: str,
    bold: bool,
    size: float,
    min_size: float | None,
    wrap: bool,
    max_lines: int | None,
    height: float | None,
    line_height: float,
) -> Fitted:
    """The largest size from `size` down to `min_size` at which the text fits; else cut it."""
    sizes = [size]
    if min_size is not None and min_size < size:
        step = 0.5
        current = size - step
        while current > min_size + 1e-6:
            sizes.append(round(current, 2))
            current -= step
        sizes.append(min_size)
    lines: list[str] = []
    measure = Measure(fonts, family, bold, size)
    limit: int | None = None
    for candidate in sizes:
        measure = Measure(fonts, family, bold, candidate)
        limit = _limit(max_lines, lines_that_fit(height, candidate, line_height))
        if wrap:
            lines = [line for p in paragraphs for line in _wrap(p, width, measure)]
            fits = all(measure(line) <= width for line in lines)
        else:
            lines = list(paragraphs)
            fits = all(measure(line) <= width for line in lines)
        if fits and (limit is None or len(lines) <= limit):
            return Fitted(tuple(lines), candidate, False)
    kept = lines[: max(limit, 0)] if limit is not None else lines
    dropped = len(kept) < len(lines)
    out: list[str] = []
    for i, line in enumerate(kept):
        if measure(line) > width or (dropped and i == len(kept) - 1):
            line = ellipsise(line, width, measure)
        out.append(line)
    return Fitted(tuple(out), sizes[-1], True)


def _limit(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)
