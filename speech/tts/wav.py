"""WAV files: how long one lasts, and joining rendered pieces with real silence between them."""

from __future__ import annotations

import itertools
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


def onsets(path: Path, *, frame_ms: int = 10, quiet_ms: int = 120) -> list[float]:
    """Seconds at which sound starts after at least `quiet_ms` of quiet: where each beat of a
    rhythm, or each word spoken alone, begins. Quiet is under a tenth of the loudest frame."""
    with wave.open(str(path), "rb") as wav:
        channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    if width != 2:
        raise WavFormatError(f"{path.name}: expected 16-bit samples, got {8 * width}-bit")
    samples = memoryview(frames).cast("h")[::channels]
    step = rate * frame_ms // 1000
    levels = [
        max(abs(sample) for sample in samples[start : start + step]) or 0
        for start in range(0, len(samples) - step + 1, step)
    ]
    if not levels:
        return []
    threshold = max(levels) / 10
    found: list[float] = []
    quiet_frames = quiet_ms // frame_ms
    quiet_run = quiet_frames  # the file's start counts as quiet
    for index, level in enumerate(levels):
        if level < threshold:
            quiet_run += 1
            continue
        if quiet_run >= quiet_frames:
            found.append(index * frame_ms / 1000)
        quiet_run = 0
    return found


def beats_per_minute(times: Sequence[float]) -> float:
    """The tempo of evenly spaced onsets: 60 over the median gap between neighbours."""
    gaps = _gaps(times)
    if not gaps:
        raise ValueError("a tempo needs at least two onsets")
    return 60 / _median(gaps)


def steady_run(times: Sequence[float], tolerance: float = 0.15) -> list[float]:
    """The longest run of onsets whose gaps stay within `tolerance` of their median: the beat,
    without the words said before and after it."""
    best: list[float] = list(times[:1])
    start = 0
    for end in range(1, len(times)):
        while not _steady(_gaps(times[start : end + 1]), tolerance):
            start += 1
        if end + 1 - start > len(best):
            best = list(times[start : end + 1])
    return best


def _gaps(times: Sequence[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def _median(values: Sequence[float]) -> float:
    return sorted(values)[len(values) // 2]


def _steady(gaps: Sequence[float], tolerance: float) -> bool:
    if not gaps:
        return True
    middle = _median(gaps)
    return all(abs(gap - middle) <= tolerance * middle for gap in gaps)
