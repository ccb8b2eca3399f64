"""Utterance to intent, built from the interaction model, so the skill can be tried without Alexa.

What Alexa's NLU does for us in production, approximated the way Bespoken's virtual-alexa does
but past the literal samples:

1. normalise: case, punctuation, contractions, digits, spoken abbreviations, slang (lexicon);
2. fill slots: the longest slot value or synonym in the utterance, resolved to its canonical id;
3. score every sample: TF-IDF cosine over words and word pairs (generalises to new phrasings)
   blended with a character edit ratio (forgives typos), plus the intent's centroid;
4. fall back to AMAZON.FallbackIntent under a threshold, and prefer the emergency when it is a
   close second: when unsure between emergency and information, choose emergency.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from intents.names import EMERGENCY, FALLBACK, LAUNCH_REQUEST, NAVIGATION
from speech.simulator.nlu.lexicon import Lexicon, lexicon_for
from speech.simulator.nlu.normalise import Normaliser, alternation, features

MODELS_DIR = Path(__file__).parent / "models"

# Weights and thresholds, measured on the held-out sets in tests/data/heldout/.
COSINE_WEIGHT = 0.7
EDIT_WEIGHT = 0.3
CENTROID_WEIGHT = 1.5
FALLBACK_BELOW = 0.25
MIN_COSINE = 0.16  # below this no sample shares meaningful words: not something we cover
EMERGENCY_MARGIN = 0.06
EMERGENCY_CUE_BOOST = 0.25
CANDIDATES = 40


@dataclass(frozen=True, slots=True)
class Resolution:
    utterance: str
    intent: str
    slots: Mapping[str, str] = field(default_factory=dict)
    score: float = 1.0
    launch: bool = False  # the utterance opened the skill ("open heroin help", "ask heroin help…")

    def to_json(self) -> dict[str, Any]:
        return {"utterance": self.utterance, "intent": self.intent, "slots": dict(self.slots)}


@dataclass(frozen=True, slots=True)
class SlotType:
    name: str
    values: Mapping[str, str]  # every spoken form (normalised) -> canonical id

    def pattern(self) -> re.Pattern[str]:
        return alternation(self.values)


class Resolver:
    def __init__(self, model: Mapping[str, Any], lexicon: Lexicon) -> None:
        language = model["interactionModel"]["languageModel"]
        self.invocation = str(language["invocationName"]).lower()
        self.normalise = Normaliser(lexicon)
        self.lexicon = lexicon
        self.slot_types = {t["name"]: self._slot_type(t) for t in language.get("types", [])}
        self.intent_slots: dict[str, dict[str, SlotType]] = {}
        samples: dict[str, str] = {}  # normalised sample -> intent (first intent wins)
        for intent in language["intents"]:
            name = intent["name"]
            self.intent_slots[name] = {
                slot["name"]: self.slot_types[slot["type"]]
                for slot in intent.get("slots", [])
                if slot["type"] in self.slot_types
            }
            for sample in (*intent.get("samples", []), *lexicon.builtins.get(name, ())):
                samples.setdefault(self.normalise(sample), name)
        self.samples = list(samples)
        self.labels = [samples[s] for s in self.samples]
        self._exact = samples
        self._index_samples()
        # Every slot name once, with its type: filling looks for each in the utterance.
        declared = {
            name: kind for slots in self.intent_slots.values() for name, kind in slots.items()
        }
        self._slot_fillers = [(name, kind, kind.pattern()) for name, kind in declared.items()]
        self._launch = self._launch_pattern()
        self._emergency_cues = alternation(self.normalise(cue) for cue in lexicon.emergency_cues)
        self._priorities = [
            (rule, self._cues(rule.cues), self._cues(rule.not_cues), self._cues(rule.unless_cues))
            for rule in lexicon.priorities
        ]

    @classmethod
    def for_locale(cls, locale: str = "en-US") -> Resolver:
        """The resolver for the interaction model that ships with this package."""
        return cls(interaction_model(locale), lexicon_for(locale))

    def _slot_type(self, data: Mapping[str, Any]) -> SlotType:
        values: dict[str, str] = {}
        for value in data.get("values", []):
            canonical = str(value.get("id") or value["name"]["value"])
            for spoken in (value["name"]["value"], *value["name"].get("synonyms", [])):
                values[self.normalise(spoken)] = canonical
        return SlotType(data["name"], values)

    def _launch_pattern(self) -> re.Pattern[str]:
        words = "|".join(re.escape(w) for w in self.lexicon.wake_words)
        launch = "|".join(re.escape(v) for v in self.lexicon.launch_verbs)
        one_shot = "|".join(re.escape(v) for v in self.lexicon.one_shot_verbs)
        joiners = "|".join(re.escape(j) for j in self.lexicon.one_shot_joiners)
        name = re.escape(self.invocation)
        return re.compile(
            rf"^(?:(?:{words}) )?(?:(?P<launch>{launch}) {name}$"
            rf"|(?:{one_shot}) {name}(?: (?:{joiners}))?(?: (?P<rest>.+))?$"
            rf"|(?P<rest2>.+?) (?:using|with|on|from) {name}$)"
        )

    def _index_samples(self) -> None:
        documents = [features(sample, self.lexicon.stopwords) for sample in self.samples]
        frequency = Counter(term for doc in documents for term in set(doc))
        count = len(documents)
        self._idf = {term: math.log((count + 1) / (n + 1)) + 1 for term, n in frequency.items()}
        self._unknown_idf = math.log(count + 1) + 1
        self._vectors = [self._vector(doc) for doc in documents]
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, vector in enumerate(self._vectors):
            for term, weight in vector.items():
                self._postings[term].append((index, weight))
        sums: dict[str, Counter[str]] = defaultdict(Counter)
        for vector, label in zip(self._vectors, self.labels, strict=True):
            sums[label].update(vector)
        self._centroids = {label: _unit(dict(total)) for label, total in sums.items()}

    def _vector(self, terms: list[str]) -> dict[str, float]:
        counts = Counter(terms)
        return _unit({t: n * self._idf.get(t, self._unknown_idf) for t, n in counts.items()})

    # Resolving

    def resolve(self, utterance: str) -> Resolution:
        text = self.normalise(utterance)
        launch = self._launch.match(text)
        if launch is not None:
            rest = launch.group("rest") or launch.group("rest2")
            if not rest:
                return Resolution(utterance, LAUNCH_REQUEST, launch=True)
            resolved = self._resolve_text(utterance, rest)
            return Resolution(utterance, resolved.intent, resolved.slots, resolved.score, True)
        return self._resolve_text(utterance, text)

    def _resolve_text(self, utterance: str, text: str) -> Resolution:
        if not text:
            return Resolution(utterance, FALLBACK, score=0.0)
        filled, slots = self._fill_slots(text)
        outranking = self._outranking(text)
        if outranking is not None:  # a crisis statement, whatever else was said
            return self._resolution(utterance, outranking, slots)
        for candidate in (text, filled):
            if candidate in self._exact:  # a sample said word for word: what Alexa trusts most
                return self._resolution(utterance, self._exact[candidate], slots)
        answer = self.lexicon.answer_words.get(text.split(" ", 1)[0])
        if answer is not None:
            return Resolution(utterance, answer)
        scores, overlap = self._score(text)
        if filled != text:
            filled_scores, filled_overlap = self._score(filled)
            overlap = max(overlap, filled_overlap)
            for intent, score in filled_scores.items():
                if self.intent_slots.get(intent) and score > scores.get(intent, 0.0):
                    scores[intent] = score
        emergency_cue = self._emergency_cues.search(f" {text} ") is not None
        if emergency_cue:
            scores[EMERGENCY] = scores.get(EMERGENCY, 0.0) + EMERGENCY_CUE_BOOST
        if not scores or (overlap < MIN_COSINE and not emergency_cue):
            return Resolution(utterance, FALLBACK, score=0.0)
        intent, best = max(scores.items(), key=lambda item: item[1])
        close_second = scores.get(EMERGENCY, 0.0) >= best - EMERGENCY_MARGIN
        # "I called 911, what do I do till they get here" is not a request to move on: with a
        # sign of an emergency in it, navigation gives way (a reply led by "yes" or "no" was
        # taken as an answer above).
        if intent != EMERGENCY and (close_second or (emergency_cue and intent in NAVIGATION)):
            intent, best = EMERGENCY, scores[EMERGENCY]
        if best < FALLBACK_BELOW:
            return Resolution(utterance, FALLBACK, score=best)
        return self._resolution(utterance, intent, slots, round(best, 3))

    def _cues(self, phrases: tuple[str, ...]) -> re.Pattern[str] | None:
        return alternation(self.normalise(p) for p in phrases) if phrases else None

    def _outranking(self, text: str) -> str | None:
        """The intent of a priority rule whose cue was said (see `priority` in the lexicon)."""
        for rule, cues, not_cues, unless_cues in self._priorities:
            padded = f" {text} " if not_cues is None else not_cues.sub(" ", f" {text} ")
            if cues is None or cues.search(padded) is None:
                continue
            # The cue itself is not the exception: "overdosing or withdrawing" asks a question.
            rest = cues.sub(" ", padded)
            overdose_now = unless_cues is not None and unless_cues.search(rest) is not None
            return rule.unless_intent if overdose_now else rule.intent
        return None

    def _resolution(
        self, utterance: str, intent: str, slots: Mapping[str, str], score: float = 1.0
    ) -> Resolution:
        """The intent, with only the slots it declares (a filled slot may belong to another)."""
        declared = self.intent_slots.get(intent, {})
        kept = {name: value for name, value in slots.items() if name in declared}
        return Resolution(utterance, intent, kept, score)

    def _fill_slots(self, text: str) -> tuple[str, dict[str, str]]:
        slots: dict[str, str] = {}
        padded = f" {text} "
        for slot_name, slot_type, pattern in self._slot_fillers:
            match = pattern.search(padded)
            if match:
                slots[slot_name] = slot_type.values[match.group(1)]
                padded = padded[: match.start()] + f"{{{slot_name}}}" + padded[match.end() :]
        return padded.strip(), slots

    def _score(self, text: str) -> tuple[dict[str, float], float]:
        """Each intent's best score, and the best word overlap (cosine) with any sample."""
        query = self._vector(features(text, self.lexicon.stopwords))
        cosines: dict[int, float] = defaultdict(float)
        for term, weight in query.items():
            for index, sample_weight in self._postings.get(term, ()):
                cosines[index] += weight * sample_weight
        # The closest samples by edit ratio, with their ratios, and the closest by words.
        ratios = {
            index: ratio
            for _, ratio, index in process.extract(
                text, self.samples, scorer=fuzz.ratio, limit=CANDIDATES
            )
        }
        for index in sorted(cosines, key=cosines.__getitem__, reverse=True)[:CANDIDATES]:
            if index not in ratios:
                ratios[index] = fuzz.ratio(text, self.samples[index])
        best: dict[str, float] = {}
        for index, ratio in ratios.items():
            score = COSINE_WEIGHT * cosines.get(index, 0.0) + EDIT_WEIGHT * ratio / 100
            label = self.labels[index]
            if score > best.get(label, 0.0):
                best[label] = score
        for label in best:
            best[label] += CENTROID_WEIGHT * _dot(query, self._centroids[label])
        return best, max(cosines.values(), default=0.0)


def _unit(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
    return {term: weight / norm for term, weight in vector.items()}


def _dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(term, 0.0) for term, weight in a.items())


def interaction_model(locale: str) -> dict[str, Any]:
    """The skill's interaction model for a locale, as deployed with the ASK CLI.

    `models/` is the skill package's `interactionModels/custom/`, shipped as package data.
    """
    path = MODELS_DIR / f"{locale}.json"
    model: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return model


@cache
def resolver_for(locale: str = "en-US") -> Resolver:
    return Resolver.for_locale(locale)
