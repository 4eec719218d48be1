"""The feedback band (colour, glyph, big type, contrast), the sound player, and the facade."""

from __future__ import annotations

import importlib.util
import logging
import sys
import wave
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.ui import feedback
from app.ui.feedback import (
    LOOKS,
    MIN_POINT_SIZE,
    SOUNDS_DIR,
    Feedback,
    FeedbackBand,
    FeedbackLevel,
    Sound,
    SoundPlayer,
)

# The station stylesheet sets a small size on every widget; the band must win against it.
APP_WIDE_SMALL_TYPE = "QWidget { font-size: 14pt; }"


def _contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return (
            0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())
        )

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.fixture
def station_style(qapp: QApplication) -> Any:
    previous = qapp.styleSheet()
    qapp.setStyleSheet(APP_WIDE_SMALL_TYPE)
    yield
    qapp.setStyleSheet(previous)


@pytest.fixture
def band(qtbot: QtBot, station_style: None) -> FeedbackBand:
    band = FeedbackBand()
    qtbot.addWidget(band)
    band.resize(1280, band.sizeHint().height())
    band.show()
    qtbot.waitExposed(band)
    return band


SHOW = {
    FeedbackLevel.OK: FeedbackBand.show_ok,
    FeedbackLevel.ATTENTION: FeedbackBand.show_attention,
    FeedbackLevel.ERROR: FeedbackBand.show_error,
    FeedbackLevel.PROMPT: FeedbackBand.show_prompt,
}
MESSAGES = {
    FeedbackLevel.OK: "Picked 3 × 4006381333931 from A03-12-2",
    FeedbackLevel.ATTENTION: "Short pick: 2 of 3 found. Confirm the shortage.",
    FeedbackLevel.ERROR: "Wrong item: expected 4006381333931",
    FeedbackLevel.PROMPT: "Scan the location A03-12-2",
}


@pytest.mark.parametrize("level", list(FeedbackLevel))
def test_each_level_shows_its_colour_glyph_and_message(
    band: FeedbackBand, level: FeedbackLevel, tmp_path: Path
) -> None:
    SHOW[level](band, MESSAGES[level])
    look = LOOKS[level]
    assert band.level is level
    assert band.message == MESSAGES[level]
    assert band.glyph == look.glyph
    assert band.display_text == f"{look.glyph} {MESSAGES[level]}"
    assert band.background == QColor(look.background)
    assert band.foreground == QColor(look.foreground)
    labels = band.findChildren(QLabel)
    assert {label.text() for label in labels} == {look.glyph, MESSAGES[level]}
    image = band.grab().toImage()
    assert image.pixelColor(12, image.height() // 2) == QColor(look.background)
    path = tmp_path / f"band_{level}.png"
    assert band.grab().save(str(path))
    assert path.stat().st_size > 0


def test_colour_never_carries_the_meaning_alone() -> None:
    glyphs = [LOOKS[level].glyph for level in FeedbackLevel]
    assert len(set(glyphs)) == len(glyphs)
    assert all(glyph.strip() for glyph in glyphs)


@pytest.mark.parametrize("level", list(FeedbackLevel))
def test_text_contrast_is_at_least_wcag_aa(level: FeedbackLevel) -> None:
    look = LOOKS[level]
    assert _contrast(QColor(look.background), QColor(look.foreground)) >= 4.5


def test_type_is_big_and_bold_despite_an_app_wide_small_font(band: FeedbackBand) -> None:
    band.show_error("Wrong item")
    for label in band.findChildren(QLabel):
        label.ensurePolished()
        assert label.font().pointSize() >= MIN_POINT_SIZE
        assert label.font().bold()
    assert band.height() >= 2 * MIN_POINT_SIZE


def test_too_small_a_size_is_raised_to_the_minimum(qtbot: QtBot) -> None:
    band = FeedbackBand(point_size=12)
    qtbot.addWidget(band)
    assert band.point_size == MIN_POINT_SIZE


def test_ok_fades_back_to_the_prompt_but_an_error_stays(qtbot: QtBot) -> None:
    fading = FeedbackBand(ok_fades_after_ms=60)
    staying = FeedbackBand(ok_fades_after_ms=20)
    for widget in (fading, staying):
        qtbot.addWidget(widget)
    fading.show_prompt("Scan the next item")
    fading.show_ok("Picked")
    staying.show_ok("Picked")
    staying.show_error("Wrong item")  # the error replaces the ok and its fade
    qtbot.waitUntil(lambda: fading.level is FeedbackLevel.PROMPT, timeout=2000)
    assert fading.message == "Scan the next item"
    assert (staying.level, staying.message) == (FeedbackLevel.ERROR, "Wrong item")


def test_samples_render_readably_on_handheld_and_bench_widths(
    qtbot: QtBot, station_style: None, tmp_path: Path
) -> None:
    for width in (1280, 1920):
        screen = QWidget()
        qtbot.addWidget(screen)
        layout = QVBoxLayout(screen)
        bands = []
        for level in FeedbackLevel:
            band = FeedbackBand()
            SHOW[level](band, MESSAGES[level])
            layout.addWidget(band)
            bands.append(band)
        layout.addStretch(1)
        screen.resize(width, 800)
        screen.show()
        qtbot.waitExposed(screen)
        path = tmp_path / f"bands_{width}.png"
        assert screen.grab().save(str(path))
        assert all(band.width() > width * 0.9 for band in bands)


# -- sound ------------------------------------------------------------------------------


class FakeEffect:
    """Stands in for QSoundEffect: records what it was given and asked to do."""

    def __init__(self, parent: object) -> None:
        self.source = ""
        self.volume = -1.0
        self.plays = 0

    def setSource(self, url: Any) -> None:  # mirrors the Qt API
        self.source = url.toLocalFile()

    def setVolume(self, volume: float) -> None:  # mirrors the Qt API
        self.volume = volume

    def play(self) -> None:
        self.plays += 1


def _fake_multimedia(outputs: list[object]) -> ModuleType:
    module = ModuleType("FakeQtMultimedia")
    module.QSoundEffect = FakeEffect  # type: ignore[attr-defined]
    module.QMediaDevices = SimpleNamespace(audioOutputs=lambda: outputs)  # type: ignore[attr-defined]
    return module


def test_requesting_sounds_never_raises_and_is_recorded(qapp: QApplication) -> None:
    player = SoundPlayer()
    for sound in Sound:
        player.play(sound)
        assert player.last_played is sound


def test_sound_off_plays_nothing(qapp: QApplication) -> None:
    player = SoundPlayer(enabled=False)
    player.play(Sound.ERROR)
    assert player.last_played is None


def test_without_qtmultimedia_sound_is_silently_skipped(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "PySide6.QtMultimedia", None)  # import now fails
    with caplog.at_level(logging.DEBUG, logger=feedback.__name__):
        player = SoundPlayer()
        for _ in range(3):
            player.play(Sound.OK)
    assert player.available is False
    assert player.last_played is Sound.OK
    assert [r.levelno for r in caplog.records] == [logging.DEBUG]  # said once, quietly


def test_without_an_audio_device_sound_is_silently_skipped(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feedback, "_multimedia", lambda: _fake_multimedia([]))
    player = SoundPlayer()
    player.play(Sound.DONE)
    assert (player.available, player.last_played) == (False, Sound.DONE)


def test_a_failing_audio_back_end_is_silently_skipped(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> list[object]:
        raise RuntimeError("audio server gone")

    module = _fake_multimedia([])
    module.QMediaDevices = SimpleNamespace(audioOutputs=broken)  # type: ignore[attr-defined]
    monkeypatch.setattr(feedback, "_multimedia", lambda: module)
    player = SoundPlayer()
    player.play(Sound.ERROR)
    assert player.available is False


def test_with_an_audio_device_each_sound_plays_its_own_file(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feedback, "_multimedia", lambda: _fake_multimedia([object()]))
    player = SoundPlayer(volume=0.5)
    assert player.available is True
    player.play(Sound.ERROR)
    player.play(Sound.ERROR)
    effects: dict[Sound, FakeEffect] = player._effects
    assert {s: Path(e.source).name for s, e in effects.items()} == {
        s: f"{s.value}.wav" for s in Sound
    }
    assert [effects[s].plays for s in Sound] == [0, 0, 2, 0]
    assert {e.volume for e in effects.values()} == {0.5}


def test_bundled_sounds_are_small_valid_wavs_made_by_the_script(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_sounds", SOUNDS_DIR / "make_sounds.py")
    assert spec is not None and spec.loader is not None
    make_sounds = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_sounds)
    regenerated = {p.name: p.read_bytes() for p in make_sounds.write_all(tmp_path)}
    for sound in Sound:
        path = SOUNDS_DIR / f"{sound.value}.wav"
        assert path.stat().st_size < 50_000
        with wave.open(str(path), "rb") as wav:
            assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
            assert 0.05 < wav.getnframes() / wav.getframerate() < 1.0
        assert path.read_bytes() == regenerated[path.name]  # committed files are up to date


# -- the facade -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "level", "sound"),
    [
        ("ok", FeedbackLevel.OK, Sound.OK),
        ("attention", FeedbackLevel.ATTENTION, Sound.ATTENTION),
        ("error", FeedbackLevel.ERROR, Sound.ERROR),
        ("done", FeedbackLevel.OK, Sound.DONE),
    ],
)
def test_one_call_sets_the_band_and_plays_the_sound(
    qtbot: QtBot, call: str, level: FeedbackLevel, sound: Sound
) -> None:
    fb = Feedback()
    qtbot.addWidget(fb.band)
    getattr(fb, call)("Carton 7 closed")
    assert (fb.band.level, fb.band.message) == (level, "Carton 7 closed")
    assert fb.sound.last_played is sound


def test_a_prompt_is_silent(qtbot: QtBot) -> None:
    sound = SoundPlayer()
    fb = Feedback(FeedbackBand(), sound)
    qtbot.addWidget(fb.band)
    fb.prompt("Scan your badge to log in.")
    assert (fb.band.level, sound.last_played) == (FeedbackLevel.PROMPT, None)
