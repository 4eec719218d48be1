"""Installed fonts with PostScript (CFF) outlines, such as Noto Sans CJK, made embeddable.

ReportLab embeds TrueType outlines only. The glyphs of such a font are converted to TrueType
outlines here (quadratic curves within one font unit of the originals), a block of code points
at a time, and each block becomes a small TrueType font of its own: a label that needs a few
kanji converts a few blocks once per process, never the font's 65,000 glyphs.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, TTLibError

BLOCK = 32  # code points per converted block: a CJK block converts in about 25 ms
# Han characters have different shapes in Japan, China, Taiwan, Hong Kong and Korea, and a
# collection such as NotoSansCJK-Regular.ttc holds one face per region: addresses are printed
# with the Japanese forms first, proportional faces before monospaced ones.
_REGIONS = ("JP", "KR", "SC", "TC", "HK")


def _family(font: TTFont) -> str:
    names = font["name"]
    return str(names.getDebugName(16) or names.getDebugName(1) or "")


def _rank(font: TTFont, index: int) -> tuple[int, int, int]:
    family = _family(font)
    mono = int("Mono" in family or bool(font["post"].isFixedPitch))
    words = family.replace("-", " ").split()
    region = next((i for i, r in enumerate(_REGIONS) if r in words), len(_REGIONS))
    return mono, region, index


def best_face(path: Path) -> int:
    """The face of a collection (.ttc) to use: a proportional Japanese face where there is one
    (Noto Sans CJK JP), else the first proportional face; 0 for a single font."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    collection = TTCollection(str(path), lazy=True)
    try:
        ranked = sorted(_rank(font, i) for i, font in enumerate(collection.fonts))
    finally:
        collection.close()
    return ranked[0][2]


def open_outlines(path: Path, index: int) -> TTFont | None:
    """The face as a fontTools font if its outlines are PostScript (CFF) ones, else None."""
    try:
        font = TTFont(str(path), fontNumber=index, lazy=True)
    except (TTLibError, OSError, ValueError):
        return None
    if "CFF " in font and "glyf" not in font:
        return font
    font.close()
    return None


def truetype_block(font: TTFont, codes: Iterable[int], ps_name: str) -> bytes:
    """A TrueType font holding the glyphs of `codes` from a CFF `font`, with its metrics."""
    cmap: dict[int, str] = font.getBestCmap()
    chars = {code: cmap[code] for code in sorted(codes) if code in cmap}
    order = [".notdef", *dict.fromkeys(chars.values())]
    glyph_set = font.getGlyphSet()
    glyphs: dict[str, Any] = {}
    for name in order:
        pen = TTGlyphPen(None)
        # PostScript outlines run anticlockwise, TrueType ones clockwise.
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    hmtx = font["hmtx"]
    hhea, os2, head = font["hhea"], font["OS/2"], font["head"]
    builder = FontBuilder(head.unitsPerEm, isTTF=True)
    builder.setupGlyphOrder(order)
    builder.setupCharacterMap(chars)
    builder.setupGlyf(glyphs)
    builder.setupHorizontalMetrics({name: hmtx[name] for name in order})
    builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent, lineGap=hhea.lineGap)
    names = font["name"]
    builder.setupNameTable(
        {
            "familyName": _family(font) or ps_name,
            "styleName": str(names.getDebugName(17) or names.getDebugName(2) or "Regular"),
            "psName": ps_name,
        },
        mac=False,
    )
    builder.setupOS2(
        sTypoAscender=os2.sTypoAscender,
        sTypoDescender=os2.sTypoDescender,
        sTypoLineGap=os2.sTypoLineGap,
        usWinAscent=os2.usWinAscent,
        usWinDescent=os2.usWinDescent,
        sCapHeight=getattr(os2, "sCapHeight", 0),
        fsType=os2.fsType,
    )
    builder.setupPost(keepGlyphNames=False)
    builder.setupMaxp()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()
