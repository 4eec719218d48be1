"""Feedback a picker takes in without reading: a large colour band and a distinct sound.

Every screen reports an outcome with one `Feedback` call (`ok`, `attention`, `error`, `done`,
`prompt`); the band shows it and the matching sound plays. Colour never carries the meaning
alone: each level has its own glyph, so a colour-blind operator can tell ok from error.
Sound degrades silently where the machine has no audio (no QtMultimedia, no output device).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, QUrl
from PySide6.QtGui import QColor, QFont, QFontDatabase, QFontMetrics
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QWidget

log = logging.getLogger(__name__)

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
SOUNDS_DIR = RESOURCES / "sounds"
BAND_FONT = RESOURCES / "fonts" / "DejaVuSans-Bold.ttf"
MIN_POINT_SIZE = 28  # smallest type still readable at arm's length on a 1280x800 handheld
GLYPH_SCALE = 1.3


class FeedbackLevel(StrEnum):
    """What the band is saying: all is well, look here, something is wrong, or what to do next."""

    OK = "ok"
    ATTENTION = "attention"
    ERROR = "error"
    PROMPT = "prompt"


@dataclass(frozen=True, slots=True)
class BandLook:
    """Colours and glyph of one level; text colours give at least 4.5:1 contrast (WCAG AA)."""

    background: str
    foreground: str
    glyph: str


LOOKS: dict[FeedbackLevel, BandLook] = {
    FeedbackLevel.OK: BandLook("#1B7F3B", "#FFFFFF", "✔"),
    FeedbackLevel.ATTENTION: BandLook("#F2B705", "#1A1A1A", "⚠"),
    FeedbackLevel.ERROR: BandLook("#C62828", "#FFFFFF", "✖"),
    FeedbackLevel.PROMPT: BandLook("#3C4650", "#FFFFFF", "➜"),
}


@cache
def _band_font_family() -> str:
    """The bundled DejaVu Sans Bold, so the glyphs render the same on every workstation."""
    font_id = QFontDatabase.addApplicationFont(str(BAND_FONT))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.debug("band font %s not loaded; using the default font", BAND_FONT.name)
        return QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).family()
    return families[0]


class FeedbackBand(QFrame):
    """A full-width colour band with one message in big bold type, shared by every screen."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        point_size: int = 32,
        ok_fades_after_ms: int = 4000,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("FeedbackBand")
        self._point_size = max(MIN_POINT_SIZE, point_size)
        self._glyph = QLabel()
        self._glyph.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # As wide as the widest glyph, so the message does not shift when the level changes.
        glyph_font = QFont(_band_font_family(), self._glyph_size())
        glyph_font.setBold(True)
        metrics = QFontMetrics(glyph_font)
        self._glyph.setFixedWidth(max(metrics.horizontalAdvance(g.glyph) for g in LOOKS.values()))
        self._text = QLabel()
        # Scanned and imported text is shown as text, never interpreted as markup.
        self._text.setTextFormat(Qt.TextFormat.PlainText)
        self._text.setWordWrap(True)  # a long message wraps rather than being cut off
        self._text.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        self._text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(24, 12, 24, 12)
        layout.setSpacing(20)
        layout.addWidget(self._glyph, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self._text, 1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self._fade = QTimer(self)
        self._fade.setSingleShot(True)
        self._fade.timeout.connect(self._on_fade_due)
        self._ok_fades_after_ms = ok_fades_after_ms
        self._level = FeedbackLevel.PROMPT
        self._message = ""
        self._prompt = ""  # what the band falls back to once an ok has faded
        self._apply(FeedbackLevel.PROMPT, "")

    @property
    def level(self) -> FeedbackLevel:
        """The level showing now."""
        return self._level

    @property
    def message(self) -> str:
        """The message showing now, without its glyph."""
        return self._message

    @property
    def glyph(self) -> str:
        """The glyph in front of the message; it tells the levels apart without colour."""
        return LOOKS[self._level].glyph

    @property
    def display_text(self) -> str:
        """Glyph and message as an operator (or a screen reader) gets them."""
        return f"{self.glyph} {self._message}".rstrip()

    @property
    def background(self) -> QColor:
        """The band colour showing now."""
        return QColor(LOOKS[self._level].background)

    @property
    def foreground(self) -> QColor:
        """The text colour showing now."""
        return QColor(LOOKS[self._level].foreground)

    @property
    def point_size(self) -> int:
        """Size of the message type in points."""
        return self._point_size

    def show_ok(self, message: str) -> None:
        """Green: the scan or action succeeded; fades back to the prompt after a while."""
        self._apply(FeedbackLevel.OK, message)
        if self._ok_fades_after_ms > 0:
            self._fade.start(self._ok_fades_after_ms)

    def show_attention(self, message: str) -> None:
        """Amber: nothing is wrong yet, but the operator must look or decide."""
        self._apply(FeedbackLevel.ATTENTION, message)

    def show_error(self, message: str) -> None:
        """Red: refused, nothing changed; stays until the next feedback (usually the next scan)."""
        self._apply(FeedbackLevel.ERROR, message)

    def show_prompt(self, message: str) -> None:
        """Neutral grey: what to do next; also what an ok fades back to."""
        self._prompt = message
        self._apply(FeedbackLevel.PROMPT, message)

    def set_prompt(self, message: str) -> None:
        """What to do next, shown when the current message fades (not repainted now)."""
        self._prompt = message
        if self._level is FeedbackLevel.PROMPT:
            self._apply(FeedbackLevel.PROMPT, message)

    def _glyph_size(self) -> int:
        return round(self._point_size * GLYPH_SCALE)  # a bit bigger: the glyph is read first

    def _on_fade_due(self) -> None:
        if self._level is FeedbackLevel.OK:
            self._apply(FeedbackLevel.PROMPT, self._prompt)

    def release_height(self) -> None:
        """Let the band take the height of its message again (a new screen is shown)."""
        self.setMinimumHeight(0)

    def _apply(self, level: FeedbackLevel, message: str) -> None:
        self._fade.stop()
        if self.isVisible():
            # The band grows for a longer message but does not shrink back on the same screen:
            # a band changing height moves, relays and repaints the whole screen below it, and
            # makes the operator's eyes jump, on every other scan.
            self.setMinimumHeight(max(self.minimumHeight(), self.height()))
        look = LOOKS[level]
        if level is not self._level or not self.styleSheet():
            self.setStyleSheet(
                f"#FeedbackBand {{ background-color: {look.background}; border-radius: 8px; }}"
            )
            # On the labels themselves: a label's own sheet beats an application-wide
            # `QWidget { font-size: ... }`, which would otherwise shrink the message.
            sheet = (
                f"color: {look.foreground}; background: transparent;"
                f" font-family: '{_band_font_family()}'; font-weight: 700;"
            )
            self._text.setStyleSheet(f"{sheet} font-size: {self._point_size}pt;")
            self._glyph.setStyleSheet(f"{sheet} font-size: {self._glyph_size()}pt;")
        self._level = level
        self._message = message
        self._glyph.setText(look.glyph)
        self._text.setText(message)
        self.setAccessibleName(self.display_text)


class Sound(StrEnum):
    """The sounds a station plays; each is `resources/sounds/<value>.wav`."""

    OK = "ok"
    ATTENTION = "attention"
    ERROR = "error"
    DONE = "done"


def _multimedia() -> ModuleType | None:
    """QtMultimedia, or None where it cannot be imported (a slim install, no audio libraries)."""
    try:
        return importlib.import_module("PySide6.QtMultimedia")
    except ImportError:
        return None


class SoundPlayer(QObject):
    """Plays the ok / attention / error / done sounds; silently nothing where there is no audio."""

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        enabled: bool = True,
        volume: float = 0.8,
        directory: Path = SOUNDS_DIR,
    ) -> None:
        super().__init__(parent)
        self.enabled = enabled  # a workstation setting: sound on or off
        self.last_played: Sound | None = None  # what was last asked for while enabled
        self._effects: dict[Sound, Any] = self._load(directory, volume)

    @property
    def available(self) -> bool:
        """Whether sounds can actually be heard on this machine."""
        return bool(self._effects)

    def play(self, sound: Sound) -> None:
        """Play one sound (unless sound is off); never raises for want of audio."""
        if not self.enabled:
            return
        self.last_played = sound
        effect = self._effects.get(sound)
        if effect is not None:
            effect.play()

    def _load(self, directory: Path, volume: float) -> dict[Sound, Any]:
        # Logged once, here, at debug level: a silent CI runner or a handheld without a
        # sound card is normal, not a fault to report on every scan.
        multimedia = _multimedia()
        if multimedia is None:
            log.debug("QtMultimedia cannot be imported: sounds are off")
            return {}
        try:
            if not multimedia.QMediaDevices.audioOutputs():
                log.debug("no audio output device: sounds are off")
                return {}
            effects: dict[Sound, Any] = {}
            for sound in Sound:
                path = directory / f"{sound.value}.wav"
                if not path.is_file():
                    log.debug("sound file %s missing: that sound is off", path.name)
                    continue
                effect = multimedia.QSoundEffect(self)
                effect.setSource(QUrl.fromLocalFile(str(path)))
                effect.setVolume(volume)
                effects[sound] = effect
            return effects
        except Exception:
            # Audio back ends fail in platform-specific ways; silence is the promise.
            log.debug("audio unavailable: sounds are off", exc_info=True)
            return {}


class Feedback:
    """One call per outcome for every screen: the band shows it and the matching sound plays."""

    def __init__(self, band: FeedbackBand | None = None, sound: SoundPlayer | None = None) -> None:
        self.band = band if band is not None else FeedbackBand()
        self.sound = sound if sound is not None else SoundPlayer()

    def prompt(self, message: str) -> None:
        """Say what to do next (grey, no sound)."""
        self.band.show_prompt(message)

    def next(self, message: str) -> None:
        """What to do next once the outcome about to be shown has faded (one repaint, not two)."""
        self.band.set_prompt(message)

    def ok(self, message: str) -> None:
        """A scan or action succeeded (green, short beep)."""
        self.band.show_ok(message)
        self.sound.play(Sound.OK)

    def attention(self, message: str) -> None:
        """The operator must look or decide (amber, two-note call)."""
        self.band.show_attention(message)
        self.sound.play(Sound.ATTENTION)

    def error(self, message: str) -> None:
        """Refused, nothing changed (red, low double buzz)."""
        self.band.show_error(message)
        self.sound.play(Sound.ERROR)

    def done(self, message: str) -> None:
        """A unit of work is finished: list picked, carton closed (green, rising chime)."""
        self.band.show_ok(message)
        self.sound.play(Sound.DONE)
