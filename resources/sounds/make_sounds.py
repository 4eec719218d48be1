"""Synthesise the station feedback sounds (ok, attention, error, done) as small WAV files.

Run `python resources/sounds/make_sounds.py` to regenerate them; the output is deterministic,
so regenerating changes no bytes unless the recipes below change.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22_050  # plenty for beeps below 4 kHz, and it keeps each file small
PEAK = 0.6  # head-room: loud enough on a cart speaker without clipping
FADE_S = 0.006  # short ramps stop the clicks that a hard start or stop would make

# Each sound is a list of (frequency Hz, seconds, harmonics); frequency 0 is a pause.
# Harmonics are odd overtones: a few of them turn a pure beep into a rough buzz.
Tone = tuple[float, float, int]
RECIPES: dict[str, list[Tone]] = {
    # short high beep: "got it"
    "ok": [(1000.0, 0.12, 1)],
    # two mid notes, rising: "look at the screen"
    "attention": [(660.0, 0.10, 1), (0.0, 0.04, 1), (880.0, 0.14, 1)],
    # low double buzz: unmistakably different from the ok beep, even in a noisy aisle
    "error": [(220.0, 0.16, 5), (0.0, 0.07, 1), (220.0, 0.16, 5)],
    # rising three-note chime (C6, E6, G6): "finished"
    "done": [(1046.5, 0.10, 2), (1318.5, 0.10, 2), (1568.0, 0.20, 2)],
}


def _tone(frequency: float, seconds: float, harmonics: int) -> list[float]:
    count = round(RATE * seconds)
    if frequency <= 0:
        return [0.0] * count
    fade = max(1, round(RATE * FADE_S))
    overtones = [n for n in range(1, 2 * harmonics, 2) if frequency * n < RATE / 2]
    scale = sum(1.0 / n for n in overtones)
    samples: list[float] = []
    for i in range(count):
        t = i / RATE
        value = sum(math.sin(2 * math.pi * frequency * n * t) / n for n in overtones) / scale
        envelope = min(1.0, i / fade, (count - 1 - i) / fade)
        samples.append(value * envelope)
    return samples


def render(recipe: list[Tone]) -> bytes:
    """16-bit mono PCM frames for one recipe."""
    samples = [s for tone in recipe for s in _tone(*tone)]
    return b"".join(struct.pack("<h", round(s * PEAK * 32767)) for s in samples)


def write_all(directory: Path) -> list[Path]:
    """Write every sound into directory and return the paths."""
    written = []
    for name, recipe in RECIPES.items():
        path = directory / f"{name}.wav"
        with wave.open(str(path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(RATE)
            out.writeframes(render(recipe))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all(Path(__file__).resolve().parent):
        print(f"{path.name}: {path.stat().st_size} bytes")
