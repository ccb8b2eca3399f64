"""How high a voice is, and how far to move it towards the voices the acoustic model knows.

pocketsphinx's en-US acoustic model hears low, adult voices best. Played slower, a recording's
pitch and formants fall together (a crude vocal-tract-length normalisation that also lowers the
pitch, which pocketsphinx's own frequency warping, `-warp_params`, cannot). A voice is moved by
its median fundamental frequency: (TARGET_HZ / f0) ** STRENGTH, within [SLOWEST, FASTEST].

Measured with tests/bench/voice.py on espeak-ng's female variants (README "Voice in"):
en-us+f3 at 185 words a minute went from 69% intent accuracy to 86%, en-us+f4 from 65% to 75%;
pocketsphinx's warping alone (0.85 to 1.3, or the best-scoring of several) gained nothing.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Samples = npt.NDArray[np.float32]  # mono, full scale = 1.0 (as speech.simulator.asr.audio)

TARGET_HZ = 120.0  # the median pitch voices are moved towards
STRENGTH = 0.25  # how far: formants move much less than pitch between speakers
SLOWEST, FASTEST = 0.8, 1.0  # measured: 0.95 already cost en-us (108 Hz) 6 points
_LOW_HZ, _HIGH_HZ = 60.0, 400.0  # the fundamental frequencies looked for
_VOICED = 0.5  # normalised autocorrelation at the period for a frame to count as voiced


def median_f0(samples: Samples, rate: int) -> float | None:
    """The median fundamental frequency (Hz) of the loud, voiced 40 ms frames; None when too
    few frames are voiced to say."""
    frame, hop = int(0.04 * rate), int(0.01 * rate)
    if len(samples) < frame or hop < 1:
        return None
    count = 1 + (len(samples) - frame) // hop
    frames = samples[np.arange(frame)[None, :] + hop * np.arange(count)[:, None]]
    frames = frames.astype(np.float64) - frames.mean(axis=1, keepdims=True)
    energy = (frames * frames).sum(axis=1)
    frames = frames[energy > 0.05 * np.percentile(energy, 95)] * np.hanning(frame)
    if not len(frames):
        return None
    correlation = np.fft.irfft(np.abs(np.fft.rfft(frames, 2 * frame)) ** 2)[:, :frame]
    correlation /= np.maximum(correlation[:, :1], 1e-12)
    shortest, longest = int(rate / _HIGH_HZ), int(rate / _LOW_HZ)
    lag = shortest + np.argmax(correlation[:, shortest:longest], axis=1)
    voiced = correlation[np.arange(len(lag)), lag] > _VOICED
    if voiced.sum() < 3:
        return None
    return float(np.median(rate / lag[voiced]))


def stretch(samples: Samples, rate: int) -> float:
    """The factor to play a recording at (below 1: slower and lower) before it is heard."""
    f0 = median_f0(samples, rate)
    if f0 is None:
        return 1.0
    return float(min(FASTEST, max(SLOWEST, (TARGET_HZ / f0) ** STRENGTH)))
