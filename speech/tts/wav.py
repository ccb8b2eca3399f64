"""WAV files: how long one lasts, and joining rendered pieces with real silence between them."""

from __future__ import annotations

import wave
from collections.abc import Sequence
from pathlib import Path

# What the espeak driver writes; used only when an answer is nothing but pauses.
_FALLBACK_PARAMS = (1, 2, 22050)  # channels, sample width in bytes, frames per second


class WavFormatError(ValueError):
    """Pieces to join do not share one audio format."""


def wav_duration(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def concatenate(parts: Sequence[tuple[Path | None, int]], path: Path) -> None:
    """Join rendered pieces, each followed by `pause_ms` of silence, into one WAV."""
    params = _FALLBACK_PARAMS
    for part, _ in parts:
        if part is not None:
            with wave.open(str(part), "rb") as wav:
                params = (wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
            break
    channels, width, framerate = params
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(framerate)
        for part, pause_ms in parts:
            if part is not None:
                with wave.open(str(part), "rb") as wav:
                    if (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) != params:
                        raise WavFormatError(f"{part.name}: audio format changed between segments")
                    out.writeframes(wav.readframes(wav.getnframes()))
            # Zero is silence only for signed samples; 8-bit WAV is unsigned, centred on 128.
            silence = b"\x80" if width == 1 else b"\x00" * width
            out.writeframes(silence * channels * (framerate * pause_ms // 1000))
