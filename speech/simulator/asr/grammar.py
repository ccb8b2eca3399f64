"""A pocketsphinx recogniser that listens only for the overdose guide's words.

The grammar is built from the interaction model's own samples for the emergency and for the
words that move through the guide (yes, no, next, repeat, go back, stop, help), plus opening the
skill. Those are what a caller says hands-free; everything else is typed. Measured on espeak-ng
speech, a grammar of every sample decoded worse and took seconds per utterance, and a language
model built from the samples heard "my friend is not breathing" as "my friend is breathing".

Samples with a word that pocketsphinx's bundled en-US dictionary lacks (naloxone, fentanyl ...)
are left out. Issue 13 replaces this module with the real recogniser.
"""

from __future__ import annotations

import importlib.util
import io
import re
import threading
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from intents.names import CANCEL, EMERGENCY, HELP, NAVIGATION, STOP
from speech.simulator.nlu.lexicon import lexicon_for
from speech.simulator.nlu.resolver import interaction_model

LISTENED_FOR = frozenset({EMERGENCY, HELP, STOP, CANCEL, *NAVIGATION})
SAMPLE_RATE = 16000
_WORD = re.compile(r"[a-z']+")


class RecognitionError(RuntimeError):
    """The recording could not be decoded."""


@dataclass(frozen=True, slots=True)
class Recognised:
    text: str
    confidence: float | None  # pocketsphinx's posterior probability of the whole utterance


def grammar_recogniser() -> GrammarRecogniser | None:
    """The recogniser, or None when pocketsphinx (in the "sim" extra) is not installed."""
    if importlib.util.find_spec("pocketsphinx") is None:
        return None
    return GrammarRecogniser()


class GrammarRecogniser:
    """WAV bytes (16 kHz mono 16-bit) and a locale to what was said; one decoder per locale,
    built on first use (about a second)."""

    def __init__(self) -> None:
        self._decoders: dict[str, Any] = {}
        self._lock = threading.Lock()  # a pocketsphinx decoder decodes one utterance at a time

    def __call__(self, wav: bytes, locale: str) -> Recognised:
        pcm = _pcm(wav)
        with self._lock:
            decoder = self._decoder(locale)
            decoder.start_utt()
            decoder.process_raw(pcm, full_utt=True)
            decoder.end_utt()
            hypothesis = decoder.hyp()
            if hypothesis is None:  # nothing in the grammar fits what was heard
                return Recognised("", None)
            return Recognised(str(hypothesis.hypstr), float(decoder.get_prob()))

    def _decoder(self, locale: str) -> Any:
        decoder = self._decoders.get(locale)
        if decoder is None:
            from pocketsphinx import Decoder

            # No language model: only the grammar is searched (and start-up skips loading one).
            decoder = Decoder(samprate=SAMPLE_RATE, lm=None, loglevel="FATAL")
            known = [s for s in sentences(locale) if all(decoder.lookup_word(w) for w in s.split())]
            decoder.add_jsgf_string("samples", jsgf(known))
            decoder.activate_search("samples")
            self._decoders[locale] = decoder
        return decoder


def sentences(locale: str) -> Iterator[str]:
    """What the grammar accepts: the samples listened for, as said and with contractions
    spelled out ("isn't" and "is not"), and opening the skill."""
    language = interaction_model(locale)["interactionModel"]["languageModel"]
    lexicon = lexicon_for(locale)
    said: list[str] = [f"{verb} {language['invocationName']}" for verb in lexicon.launch_verbs]
    for intent in language["intents"]:
        if intent["name"] in LISTENED_FOR:
            said += [*intent.get("samples", []), *lexicon.builtins.get(intent["name"], ())]
    seen: set[str] = set()
    for sample in said:
        if "{" in sample:  # a slot: none of the intents listened for has one
            continue
        words = _WORD.findall(str(sample).lower())
        for form in (words, [lexicon.contractions.get(w, w) for w in words]):
            sentence = " ".join(form)
            if sentence and sentence not in seen:
                seen.add(sentence)
                yield sentence


def jsgf(known: list[str]) -> str:
    return "#JSGF V1.0;\ngrammar samples;\npublic <sample> = " + " | ".join(known) + ";\n"


def _pcm(wav: bytes) -> bytes:
    try:
        with wave.open(io.BytesIO(wav), "rb") as reader:
            shape = (reader.getframerate(), reader.getnchannels(), reader.getsampwidth())
            frames = reader.readframes(reader.getnframes())
    except (wave.Error, EOFError) as error:
        raise RecognitionError(f"not a WAV file: {error}") from None
    if shape != (SAMPLE_RATE, 1, 2):
        raise RecognitionError(f"expected 16 kHz mono 16-bit audio, got {shape}")
    return frames
