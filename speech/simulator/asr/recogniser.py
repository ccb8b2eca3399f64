"""pocketsphinx over the skill's own language model: audio in, what was said out, with the
recogniser's other readings of it.

One decoder per locale and cache folder in a process (loading the acoustic model takes about
a second, and it is 60 MB), used by one caller at a time: a pocketsphinx decoder holds one
utterance.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from speech.simulator.asr.audio import (
    RATE,
    BadAudio,
    pcm_for_recogniser,
    pcm_seconds,
    voice_normalised,
)
from speech.simulator.asr.build import Build, acoustic_model, build_for

NBEST = 12  # readings kept for the resolver to choose among
# Measured on espeak-ng speech of held-out utterances (tests/bench/voice.py); the rest are
# pocketsphinx's defaults.
# topn: Gaussians scored per frame and mixture, 4 by default; 8 (six voices and speeds): intent
# 85.2% -> 86.3%, the same 228 of 240 emergencies, false alarms 19 -> 11, CPU time +5%.
SETTINGS: dict[str, Any] = {"wip": 0.2, "topn": 8}
# The acoustic model's feat.params override these when given to the Decoder, so they are set
# afterwards. Its spectral noise subtraction off: WER 30.6% to 26.1% for en-us at 150 words a
# minute, 49.6% to 47.2% for en-us+f3 (the recording's own noise floor is audio.NOISE_FLOOR).
FRONT_END: dict[str, Any] = {"remove_noise": False}
_LETTERS = re.compile(r"(?<![\w'])(?:[b-hj-z] )+[b-hj-z](?![\w'])")


class RecognitionError(RuntimeError):
    """The audio could not be decoded; the message says why, for a person."""


@dataclass(frozen=True, slots=True)
class Reading:
    text: str
    score: float  # log probability relative to the best reading (0 for the best, negative)


@dataclass(frozen=True, slots=True)
class Heard:
    """What the recogniser heard: its best reading and the others it weighed."""

    text: str
    confidence: float | None  # posterior probability of the best reading; None: nothing heard
    readings: tuple[Reading, ...]  # best first; the best is readings[0] when any
    seconds: float  # of audio
    decoding_seconds: float  # CPU time spent decoding


class Recogniser:
    """Audio to text for one locale."""

    def __init__(self, build: Build, locale: str) -> None:
        from pocketsphinx import Decoder

        self.locale = locale
        self.build = build
        self._decoder = Decoder(
            hmm=str(acoustic_model(locale)),
            lm=str(build.lm),
            dict=str(build.dictionary),
            samprate=RATE,
            loglevel="FATAL",
            **SETTINGS,
        )
        if FRONT_END:
            for key, value in FRONT_END.items():
                self._decoder.config[key] = value
            self._decoder.reinit_feat()
        self._lock = threading.Lock()

    def hear_wav(self, wav: bytes) -> Heard:
        try:
            pcm = pcm_for_recogniser(wav)
        except BadAudio as error:
            raise RecognitionError(str(error)) from None
        return self._decode(pcm)

    def hear_pcm(self, pcm: bytes) -> Heard:
        """16 kHz mono 16-bit PCM to what was said."""
        return self._decode(voice_normalised(pcm))

    def _decode(self, pcm: bytes) -> Heard:
        seconds = pcm_seconds(pcm)
        with self._lock:
            started = time.process_time()
            decoder = self._decoder
            decoder.start_utt()
            decoder.process_raw(pcm, full_utt=True)
            decoder.end_utt()
            best = decoder.hyp()
            if best is None:
                return Heard("", None, (), seconds, time.process_time() - started)
            confidence = float(best.prob)
            readings = _readings(decoder, spoken(best.hypstr))
            spent = time.process_time() - started
        return Heard(readings[0].text, confidence, readings, seconds, spent)


def _readings(decoder: Any, best: str) -> tuple[Reading, ...]:
    found: dict[str, float] = {best: 0.0}
    logmath = decoder.get_logmath()
    top: float | None = None
    try:
        for number, hypothesis in enumerate(decoder.nbest()):
            if hypothesis is None or number >= 4 * NBEST or len(found) >= NBEST:
                break  # the lattice's A* search can run dry
            score = float(logmath.log(hypothesis.score)) if hypothesis.score > 0 else None
            text = spoken(hypothesis.hypstr)
            if top is None and score is not None:
                top = score
            if text not in found and score is not None and top is not None:
                found[text] = score - top
    except RuntimeError:  # no lattice (an utterance too short for one): the best reading only
        pass
    return tuple(Reading(text, score) for text, score in found.items())


def spoken(hypothesis: str) -> str:
    """pocketsphinx's words as the resolver reads them: no fillers or silences, no
    pronunciation numbers, and spelled letters as "c. b. t." """
    words = [
        re.sub(r"\(\d+\)$", "", word)
        for word in hypothesis.split()
        if not (word.startswith("<") or word.startswith("["))
    ]
    text = " ".join(words)
    return _LETTERS.sub(lambda m: " ".join(f"{letter}." for letter in m.group().split()), text)


@cache
def recogniser_for(locale: str, cache_dir: Path | None = None) -> Recogniser:
    """The process's recogniser for a locale, built (or read from the cache) on first use."""
    return Recogniser(build_for(locale, cache_dir), locale)


def available() -> bool:
    """Whether pocketsphinx (the "sim" extra) is installed."""
    import importlib.util

    return importlib.util.find_spec("pocketsphinx") is not None
