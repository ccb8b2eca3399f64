"""Which of the recogniser's readings was said: the one the resolver understands best.

Word accuracy is not what matters; the intent is. The recogniser's best reading often differs
from its second or third only in a word or two ("what is are can" / "what is narcan"), and the
resolver can tell which of them makes sense. Each reading is weighed by how much less likely the
recogniser found it than its best, and by how sure the resolver is of what it means; a reading
the resolver takes as out of domain pays a penalty, since the caller is talking to this skill.
Measured on held-out utterances spoken by espeak-ng (tests/bench/voice.py, README).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from intents.names import EMERGENCY, FALLBACK
from speech.simulator.asr.recogniser import Heard, Recogniser, recogniser_for
from speech.simulator.nlu.resolver import Resolution, Resolver, resolver_for

# Measured with tests/bench/voice.py (README "Voice in"): weighing readings this way took intent
# accuracy from audio from 71% (the best reading only) to 75%, and 7 more of 160 spoken
# emergencies to the emergency. Settings tuned on a development sample (10 readings, the
# resolver weighed over the acoustic score) gained there and lost on the reported sample.
READINGS = 6  # the recogniser's best readings weighed
SCORE_SCALE = 300.0  # recogniser log-score units (base 1.0001) worth one nat of resolver doubt
OUT_OF_DOMAIN = 3.0  # nats: what it costs a reading to mean nothing to the skill
# nats a reading that is the emergency gains: CONTENT.md's routing rule ("when unsure between
# emergency and information, choose emergency") applied to what the recogniser is unsure of.
# Measured first on en-us and en-us+f3 alone: +0.5 found 4 more of 120 spoken emergencies and
# raised false alarms from 8 to 19 of 180, so it was off. Measured again with the pitch
# normalisation, over six voices and speeds (en-us, en-us+f3, en-us+f4, en-us+m1): 219 -> 226
# of 240 emergencies, false alarms 14 -> 20 of 360, intent accuracy 82.7% -> 83.7%; +1.0 found
# no more emergencies and 4 more false alarms. A missed overdose costs more than a false alarm.
EMERGENCY_BONUS = 0.5
_FLOOR = 1e-3  # a resolver confidence of zero is doubt, not impossibility


@dataclass(frozen=True, slots=True)
class Understood:
    """What was heard, and what the skill takes it to mean."""

    transcript: str
    resolution: Resolution | None  # None when nothing was heard
    heard: Heard

    @property
    def text(self) -> str:  # the web app's Transcript
        return self.transcript

    @property
    def confidence(self) -> float | None:  # the recogniser's, of its best reading
        return self.heard.confidence

    @property
    def intent(self) -> str | None:
        return None if self.resolution is None else self.resolution.intent

    @property
    def slots(self) -> Mapping[str, str]:
        return {} if self.resolution is None else dict(self.resolution.slots)

    def to_json(self, file: str) -> dict[str, Any]:
        """The `listen --wav` line: a contract that acceptance checks read; keep it stable."""
        confidence = self.confidence
        return {
            "file": file,
            "transcript": self.transcript,
            "intent": self.intent,
            "slots": dict(self.slots),
            "confidence": None if confidence is None else round(confidence, 4),
        }


class Chooser:
    """`understand(heard)`: the reading to take as said, and what it means."""

    def __init__(
        self,
        resolver: Resolver,
        readings: int = READINGS,
        *,
        scale: float = SCORE_SCALE,
        out_of_domain: float = OUT_OF_DOMAIN,
        emergency: float = EMERGENCY_BONUS,
    ) -> None:
        self.resolver = resolver
        self.readings = readings
        self.scale = scale
        self.out_of_domain = out_of_domain
        self.emergency = emergency

    def understand(self, heard: Heard) -> Understood:
        best: tuple[float, str, Resolution] | None = None
        for reading in heard.readings[: self.readings]:
            if not reading.text:
                continue
            resolution = self.resolver.resolve(reading.text)
            weight = self.weigh(reading.score, resolution)
            if best is None or weight > best[0]:
                best = (weight, reading.text, resolution)
        if best is None:
            return Understood("", None, heard)
        return Understood(best[1], best[2], heard)

    def weigh(self, score: float, resolution: Resolution) -> float:
        """How likely a reading is what was said and meant, in nats (higher is likelier)."""
        weight = score / self.scale + math.log(max(resolution.confidence, _FLOOR))
        if resolution.intent == FALLBACK:
            weight -= self.out_of_domain
        elif resolution.intent == EMERGENCY:
            weight += self.emergency
        return weight


class Listener:
    """Audio in one locale to what the skill understands; the recogniser is built (or read
    from the cache) on first use, since that takes seconds and the acoustic model is 60 MB."""

    def __init__(self, locale: str, cache_dir: Path | None = None) -> None:
        self.locale = locale
        self.cache_dir = cache_dir
        self._parts: tuple[Recogniser, Chooser] | None = None
        self._lock = threading.Lock()

    def parts(self) -> tuple[Recogniser, Chooser]:
        with self._lock:
            if self._parts is None:
                recogniser = recogniser_for(self.locale, self.cache_dir)
                self._parts = (recogniser, Chooser(resolver_for(self.locale)))
            return self._parts

    def wav(self, wav: bytes) -> Understood:
        """Any WAV file's bytes; RecognitionError when they are not a WAV it can read."""
        recogniser, chooser = self.parts()
        return chooser.understand(recogniser.hear_wav(wav))

    def pcm(self, pcm: bytes) -> Understood:
        """16 kHz mono 16-bit PCM, as the microphone and the endpointer give it."""
        recogniser, chooser = self.parts()
        return chooser.understand(recogniser.hear_pcm(pcm))


class Ears:
    """The web app's `Transcribe`: a recording and its locale to what was heard."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = cache_dir
        self._listeners: dict[str, Listener] = {}
        self._lock = threading.Lock()

    def listener(self, locale: str) -> Listener:
        with self._lock:
            found = self._listeners.get(locale)
            if found is None:
                found = self._listeners[locale] = Listener(locale, self.cache_dir)
            return found

    def __call__(self, wav: bytes, locale: str) -> Understood:
        return self.listener(locale).wav(wav)


def ears(cache_dir: Path | None = None) -> Ears | None:
    """The simulator's ears, or None when pocketsphinx (the "sim" extra) is not installed."""
    from speech.simulator.asr.recogniser import available

    return Ears(cache_dir) if available() else None
