"""Fonts for labels: bundled DejaVu, plus installed fonts for scripts DejaVu does not cover."""

from __future__ import annotations

import io
import os
import sys
import threading
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from fontTools.ttLib import TTFont as OutlineSource
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from app.printing.cff import BLOCK, best_face, open_outlines, truetype_block

BUNDLED_DIR = Path(__file__).resolve().parents[2] / "resources" / "fonts"
FONT_DIRS_ENV = "BATON_FONT_DIRS"

# family -> (regular file, bold file); a family without bold refuses bold text.
FAMILIES: dict[str, tuple[str, str | None]] = {
    "sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "mono": ("DejaVuSansMono.ttf", None),
}

# Installed fonts worth trying for scripts DejaVu lacks, best first: Noto Sans CJK (Debian's
# fonts-noto-cjk; PostScript outlines, converted for embedding by app/printing/cff.py), then
# TrueType fonts with CJK glyphs.
FALLBACK_FILES = (
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKjp-Regular.otf",
    "NotoSansCJK-Regular.otf",
    "SourceHanSans-Regular.ttc",
    "DroidSansFallbackFull.ttf",
    "DroidSansFallback.ttf",
    "NotoSansJP-Regular.ttf",
    "NotoSansSC-Regular.ttf",
    "NotoSansKR-Regular.ttf",
    "NotoSansTC-Regular.ttf",
    "ipag.ttf",
    "ipagp.ttf",
    "ipaexg.ttf",
    "fonts-japanese-gothic.ttf",
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "UnDotum.ttf",
    "NanumGothic.ttf",
    "msgothic.ttc",
    "YuGothM.ttc",
    "msyh.ttc",
    "simsun.ttc",
    "malgun.ttf",
    "arialuni.ttf",
    "Arial Unicode.ttf",
)
# Bold text looks for these first, then for the regular fallbacks above.
BOLD_FALLBACK_FILES = (
    "NotoSansCJK-Bold.ttc",
    "NotoSansCJKjp-Bold.otf",
    "NotoSansCJK-Bold.otf",
    "SourceHanSans-Bold.ttc",
)

# Characters that draw nothing; dropped rather than reported as missing.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufe0e\ufe0f\ufeff")


def system_font_dirs() -> list[Path]:
    """Where operating systems keep installed fonts, plus BATON_FONT_DIRS."""
    dirs = [Path(p) for p in os.environ.get(FONT_DIRS_ENV, "").split(os.pathsep) if p]
    home = Path.home()
    if sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", "C:\\Windows"))
        dirs += [windir / "Fonts", home / "AppData/Local/Microsoft/Windows/Fonts"]
    elif sys.platform == "darwin":
        dirs += [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library/Fonts"]
    else:
        dirs += [
            Path("/usr/share/fonts"),
            Path("/usr/local/share/fonts"),
            home / ".local/share/fonts",
            home / ".fonts",
        ]
    return dirs


@dataclass(frozen=True, eq=False)
class FontFace:
    """One registered font: its ReportLab name, file and the characters it has."""

    name: str
    path: Path
    subfont: int
    cmap: frozenset[int]
    ascent: float  # per 1000 units of size
    descent: float  # negative, per 1000 units

    def covers(self, char: str) -> bool:
        """Whether the font has a glyph for `char`."""
        return ord(char) in self.cmap


def _load(name: str, path: Path, subfont: int = 0, data: BinaryIO | None = None) -> FontFace:
    """Register a TrueType font with ReportLab: the file at `path`, or `data` converted from it
    (`path` and `subfont` then name the original, which the ZPL bitmaps draw with)."""
    font = TTFont(name, data if data is not None else str(path), subfontIndex=subfont)
    pdfmetrics.registerFont(font)
    face = font.face
    return FontFace(
        name, path, subfont, frozenset(face.charToGlyph), float(face.ascent), float(face.descent)
    )


@dataclass(eq=False)
class OutlineFont:
    """An installed face with PostScript outlines: each block of characters it has becomes a
    TrueType face of its own when a document first needs one of them."""

    name: str
    path: Path
    subfont: int
    source: OutlineSource
    cmap: frozenset[int]
    _blocks: dict[int, FontFace] = field(default_factory=dict)

    def face_for(self, code: int) -> FontFace:
        """The registered face of the block holding `code` (converted on first use)."""
        block = code // BLOCK
        face = self._blocks.get(block)
        if face is None:
            start = block * BLOCK
            codes = [c for c in range(start, start + BLOCK) if c in self.cmap]
            name = f"{self.name}-{block:04x}"
            data = truetype_block(self.source, codes, name)
            face = _load(name, self.path, self.subfont, io.BytesIO(data))
            self._blocks[block] = face
        return face


@dataclass(frozen=True)
class TextRuns:
    """Text split into pieces that one font each can draw, and what no font can."""

    runs: tuple[tuple[FontFace, str], ...]
    missing: str


@dataclass
class FontBook:
    """The fonts a renderer may use; fallbacks are searched only when a character needs one."""

    fallback_dirs: Sequence[Path] = field(default_factory=system_font_dirs)
    _faces: dict[tuple[str, bool], FontFace] = field(default_factory=dict, init=False)
    # Per weight (bold or not): the fallbacks loaded so far, and the files still to try.
    _fallbacks: dict[bool, list[Fallback]] = field(default_factory=dict, init=False)
    _candidates: dict[bool, list[Path]] | None = field(default=None, init=False)
    _opened: dict[Path, Fallback | None] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def face(self, family: str, bold: bool = False) -> FontFace:
        """The bundled font for `family` ("sans" or "mono"), registered on first use."""
        key = (family, bold)
        found = self._faces.get(key)
        if found is not None:
            return found
        if family not in FAMILIES:
            raise ValueError(f"unknown font {family!r} (use one of {', '.join(FAMILIES)})")
        regular, bold_file = FAMILIES[family]
        if bold and bold_file is None:
            raise ValueError(f"font {family!r} has no bold")
        file = bold_file if bold and bold_file else regular
        name = f"Baton-{family}{'-bold' if bold else ''}"
        with self._lock:
            loaded = self._faces.get(key) or _load(name, BUNDLED_DIR / file)
            self._faces[key] = loaded
        return loaded

    def split(self, text: str, family: str, bold: bool = False) -> TextRuns:
        """Split `text` into runs of the bundled font and fallbacks; list uncovered characters."""
        primary = self.face(family, bold)
        if all(ord(c) in primary.cmap for c in text):
            return TextRuns(((primary, text),) if text else (), "")
        runs: list[tuple[FontFace, str]] = []
        missing: list[str] = []
        for char in text:
            if char in _INVISIBLE:
                continue
            face = primary if primary.covers(char) else self._fallback_for(char, bold)
            if face is None:
                if char not in missing:
                    missing.append(char)
                continue
            if runs and runs[-1][0] is face:
                runs[-1] = (face, runs[-1][1] + char)
            else:
                runs.append((face, char))
        return TextRuns(tuple(runs), "".join(missing))

    def _fallback_for(self, char: str, bold: bool) -> FontFace | None:
        code = ord(char)
        with self._lock:
            fallbacks = self._fallbacks.setdefault(bold, [])
            for font in fallbacks:
                if code in font.cmap:
                    return _face_of(font, code)
            # Load further candidates lazily until one covers the character.
            candidates = self._candidate_paths(bold)
            while candidates:
                loaded = self._open(candidates.pop(0))
                if loaded is None:
                    continue
                fallbacks.append(loaded)
                if code in loaded.cmap:
                    return _face_of(loaded, code)
        return None

    def _candidate_paths(self, bold: bool) -> list[Path]:
        if self._candidates is None:
            by_name, noto = _find_candidates(self.fallback_dirs)
            regular = [by_name[n.lower()] for n in FALLBACK_FILES if n.lower() in by_name] + noto
            heavy = [by_name[n.lower()] for n in BOLD_FALLBACK_FILES if n.lower() in by_name]
            self._candidates = {False: regular, True: heavy + regular}
        return self._candidates[bold]

    def _open(self, path: Path) -> Fallback | None:
        """The font in `path`, loaded once for every weight that falls back on it."""
        if path not in self._opened:
            self._opened[path] = _try_load(path)
        return self._opened[path]


Fallback = FontFace | OutlineFont


def _face_of(font: Fallback, code: int) -> FontFace:
    return font.face_for(code) if isinstance(font, OutlineFont) else font


def _try_load(path: Path) -> Fallback | None:
    # Named after the file, so font books searching different folders never clash
    # in ReportLab's process-wide font registry.
    name = f"Baton-fallback-{zlib.crc32(str(path).encode()):08x}"
    try:
        subfont = best_face(path)
        outlines = open_outlines(path, subfont)
        if outlines is not None:
            return OutlineFont(name, path, subfont, outlines, frozenset(outlines.getBestCmap()))
        return _load(name, path, subfont)
    except Exception:  # noqa: BLE001 - one unreadable installed font must not stop printing
        return None  # not a font either library can read (damaged, bitmap only); next


def _find_candidates(dirs: Iterable[Path]) -> tuple[dict[str, Path], list[Path]]:
    """Known fallback files found (by lower-case name), and other Noto Sans TTFs."""
    by_name: dict[str, Path] = {}
    noto: list[Path] = []
    wanted = {n.lower() for n in (*FALLBACK_FILES, *BOLD_FALLBACK_FILES)}
    for root in dirs:
        if not root.is_dir():
            continue
        for dirpath, _dirs, files in os.walk(root):
            for file in files:
                low = file.lower()
                if low in wanted:
                    by_name.setdefault(low, Path(dirpath) / file)
                elif low.startswith("notosans") and low.endswith("-regular.ttf"):
                    noto.append(Path(dirpath) / file)
    return by_name, sorted(noto)


@lru_cache(maxsize=1)
def default_fonts() -> FontBook:
    """The process-wide font book: fonts are parsed once, which keeps each label fast."""
    return FontBook()


def text_width(runs: TextRuns, size: float) -> float:
    """Width in points of `runs` at `size` points."""
    return float(sum(pdfmetrics.stringWidth(t, face.name, size) for face, t in runs.runs))
