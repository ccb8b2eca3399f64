"""Utterance to intent and slots, built from the interaction model, so the skill can be tried
without Alexa; an approximation of Alexa's NLU that also says when it does not know.

1. normalise: Unicode, case, punctuation, digits, contractions, slang, and words speech
   recognition split ("nar can") joined back by sound (`normalise`, `phonetic`);
2. tag slot values: every custom slot type's values and synonyms (`slots`);
3. classify (`index`): every intent of the model, whatever it declares, and every kind of
   out-of-domain request in the background data (`background`) is a class; the utterance,
   filled with each intent's slots, is scored against each class's samples. A background class
   winning is AMAZON.FallbackIntent. `modelConfiguration.fallbackIntentSensitivity` moves the
   background's prior, as it moves Alexa's;
4. CONTENT.md's routing rule (`routing`): a person in danger (a sign said of someone, an
   opioid swallowed by someone it was not meant for, naloxone needed now, named or shown by its
   parts) goes to the emergency with the slots the rule read, urgency said of a person raises
   it, and so does doubt between it and anything else;
5. inside a guide only clear navigation moves the steps: a navigation intent whose utterance
   holds words its samples never use ("next episode", "call mom") is not navigation.

The resolution carries a confidence: the winning class's share of a softmax over all classes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from intents.names import (
    CANCEL,
    CRISIS,
    EMERGENCY,
    FALLBACK,
    HOME,
    LAUNCH_REQUEST,
    NAVIGATION,
    REPORT_INTENT,
    STOP,
)
from speech.simulator.nlu.background import background_for, is_background
from speech.simulator.nlu.index import Group, Sample, SampleIndex
from speech.simulator.nlu.lexicon import Lexicon, Priority, lexicon_for
from speech.simulator.nlu.normalise import NUMBER_WORDS, Normaliser, alternation, in_order
from speech.simulator.nlu.phonetic import Joiner
from speech.simulator.nlu.routing import (
    PERSON,
    SIGN,
    SUBSTANCE,
    Cues,
    Danger,
    RoutingRule,
    Verdict,
)
from speech.simulator.nlu.slots import Candidates, SlotTagger, SlotType, Span

MODELS_DIR = Path(__file__).parent / "models"

# Measured on the held-out sets (tests/heldout.py); see the README's resolver section.
EMERGENCY_MARGIN = 0.06  # the emergency within this of the best wins (doubt -> emergency)
# A crisis within this of the best wins, unless an overdose is happening now: CONTENT.md's rule
# that a crisis outranks all else, applied to doubt. Measured on the open sets with the crisis cue
# list taken out, so the samples alone decide: 1,191 -> 1,249 of 1,496 crisis statements, and
# 5 -> 7 other utterances taken as crisis; 0.08: 1,275 and 11; 0.10: 1,292 and 18.
CRISIS_MARGIN = 0.05
DANGER_BOOST = 0.25  # a sign, a swallowed opioid or naloxone needed now: a person in danger
URGENT_BOOST = 0.25  # "hurry, my son used": urgency said of a person
ASKING_PENALTY = 0.15  # "how do you know if someone is overdosing" asks about one
# A drug named with nobody, no sign, no urgency and nothing swallowed is asked about, not an
# emergency ("can fentanyl be smoked"): the emergency's samples say the drug too.
NAMED_ONLY_PENALTY = 0.1
NOT_OURS_PENALTY = 0.3  # "the dog ate chocolate": swallowed, but nothing the skill is about
SHIFTS = {
    Danger.NOW: DANGER_BOOST,
    Danger.URGENT: URGENT_BOOST,
    Danger.ASKING: -ASKING_PENALTY,
    Danger.NOT_OURS: -NOT_OURS_PENALTY,
}
# A kind of out-of-domain request that never says the drug, medicine or domain word said ("where
# can i buy naloxone" against "where can i buy a money order"): the frame it shares is not
# what the request is about. A kind that does say it ("caffeine withdrawal") is not held back.
OFF_TOPIC_PENALTY = 0.35
# An intent about one thing (`anchors` in the lexicon) asked without a word that says it: the
# frame it shares ("how long is ...", "where can i get ...") is not what the question is about.
ANCHOR_PENALTY = 0.25
# Another addiction or medicine named with no drug of ours ("how long does caffeine withdrawal
# last", "how can i quit smoking"): the skill's topics answer about opioids, not about it.
FOREIGN_PENALTY = 0.3
TEMPERATURE = 0.1  # softmax temperature turning class scores into a confidence
# fallbackIntentSensitivity: how much more likely an utterance is taken as out-of-domain.
FALLBACK_BIAS = {"LOW": -0.1, "MEDIUM": 0.0, "HIGH": 0.1}
# Replies a guide takes as a move or that leave it: clear, not merely the closest class.
MOVES = NAVIGATION | {STOP, CANCEL, HOME}
# What a named subject does not move: someone in danger whatever they took, a report, a move.
UNTOUCHED_BY_SUBJECT = MOVES | {EMERGENCY, REPORT_INTENT}
CLEAR_MOVE = 0.5  # ...the move must be the likelier reading, not one of several close ones


@dataclass(frozen=True, slots=True)
class Resolution:
    utterance: str
    intent: str
    slots: Mapping[str, str] = field(default_factory=dict)
    confidence: float = 1.0
    launch: bool = False  # the utterance opened the skill ("open heroin help", "ask heroin help…")

    @property
    def score(self) -> float:
        return self.confidence

    def to_json(self) -> dict[str, Any]:
        return {
            "utterance": self.utterance,
            "intent": self.intent,
            "slots": dict(self.slots),
            "confidence": round(self.confidence, 3),
        }


@dataclass(frozen=True, slots=True)
class Decision:
    intent: str
    confidence: float
    out_of_domain: bool = False  # a background class won
    unknown: bool = False  # no word of it is in any sample
    implied: Mapping[str, str] = field(default_factory=dict)  # the routing rule's slots


class Reading:
    """One utterance's words, the slot values found in them for each set of slot types, and
    the words read for each group (kept: one utterance is read for several intents)."""

    __slots__ = ("_candidates", "_spans", "filled", "tagger", "text", "words")

    def __init__(self, words: tuple[str, ...], tagger: SlotTagger) -> None:
        self.words = words
        self.text = " ".join(words)
        self.tagger = tagger
        self._candidates: Candidates | None = None
        self._spans: dict[frozenset[str], list[Span]] = {}
        self.filled: dict[Group, tuple[str, dict[str, str]]] = {}

    def spans(self, types: frozenset[str]) -> list[Span]:
        if types not in self._spans:
            if self._candidates is None:
                self._candidates = self.tagger.candidates(self.words)
            self._spans[types] = self.tagger.spans(self._candidates, types)
        return self._spans[types]


class Resolver:
    def __init__(
        self,
        model: Mapping[str, Any],
        lexicon: Lexicon,
        background: Mapping[str, Iterable[str]],
    ) -> None:
        language = model["interactionModel"]["languageModel"]
        self.invocation = str(language["invocationName"]).lower()
        self.lexicon = lexicon
        plain = Normaliser(lexicon)
        types = {t["name"]: _slot_type(t, plain) for t in language.get("types", [])}
        self.tagger = SlotTagger(
            types.values(),
            lexicon.intensifiers,
            lexicon.negatable_types,
            lexicon.inner_words,
            lexicon.denied,
        )
        self._all_types = frozenset(types)
        self._states = frozenset(lexicon.negatable_types) & self._all_types
        self._domain_types = frozenset(t for t in lexicon.domain_types if t in types)
        self.intent_slots: dict[str, dict[str, SlotType]] = {}
        self.groups: dict[str, Group] = {}
        for intent in language["intents"]:
            declared = {
                slot["name"]: types[slot["type"]]
                for slot in intent.get("slots", [])
                if slot["type"] in types
            }
            self.intent_slots[intent["name"]] = declared
            self.groups[intent["name"]] = self._group(declared, types)
        level = language.get("modelConfiguration", {}).get("fallbackIntentSensitivity", {})
        self.fallback_bias = FALLBACK_BIAS[str(level.get("level", "LOW"))]

        samples: list[Sample] = []
        self._exact: dict[tuple[Group, str], str] = {}
        self._vocabulary: dict[str, set[str]] = {}  # label -> words its samples use
        known: set[str] = set()
        for label, group, text in self._training(language, background, plain):
            words = text.split()
            known.update(words)
            self._vocabulary.setdefault(label, set()).update(words)
            tokens = {f"{{{name}}}": f"{{{t}}}" for t, name in group if name}
            words = [tokens.get(word, word) for word in words]
            filled, _ = self._fill(Reading(tuple(words), self.tagger), group)
            self._exact.setdefault((group, filled), label)
            samples.append(Sample(filled, label, group))
        self.samples = [s.text for s in samples if not is_background(s.label)]  # the model's
        # Intents every sample of which carries a slot ("we {report}"): without one, not them.
        slotless = {sample.label for sample in samples if "{" not in sample.text}
        self._needs_slots = {name for name in self.groups if name not in slotless}
        # Model order, emergency first: a sample said word for word in two groups is its
        # first intent's.
        self._group_order = list(dict.fromkeys(sample.group for sample in samples))
        self.index = SampleIndex(samples, lexicon.stopwords, frozenset(background))
        self._moves_vocabulary = set().union(
            *(self._vocabulary.get(name, set()) for name in MOVES), lexicon.wake_words
        )
        spoken: dict[str, set[str]] = {}  # each word of the slot values -> the values it is in
        for slot_type in types.values():
            for said, canonical in slot_type.values.items():
                for word in said.split():
                    spoken.setdefault(word, set()).add(f"{slot_type.name}:{canonical}")
        known.update(w for phrase in lexicon.phrases for w in phrase.split())
        known.update(w for filler in lexicon.fillers for w in filler.split())  # "like kicking"
        # A word a priority rule says is heard as said: "staring at my pistol" is not "stirring".
        known.update(w for rule in lexicon.priorities for w in rule.words())
        subjects = (*lexicon.foreign_subjects, *lexicon.other_emergencies)  # "stairs", no "stirs"
        known.update(w for subject in subjects for w in subject.split())
        self.normalise = Normaliser(lexicon, Joiner(spoken, known, lexicon.domain_types))
        self._launch = self._launch_pattern()
        self.routing = RoutingRule(lexicon, plain)
        self._priorities = [
            (
                rule,
                _said(plain, rule),
                _cues(plain, rule.not_cues),
                _cues(plain, rule.unless_cues),
            )
            for rule in lexicon.priorities
        ]
        self._topics = [(topic, _cues(plain, topic.cues)) for topic in lexicon.topics]
        self._foreign = _cues(plain, (*lexicon.foreign_subjects, *lexicon.other_emergencies))
        self._other_emergencies = _cues(plain, lexicon.other_emergencies)
        self._drug_words = _cues(plain, lexicon.drug_words)
        self._question_tails = Cues(plain, lexicon.question_tails)
        self._anchors = {
            intent: (
                frozenset(w[1:-1] for w in words if w.startswith("{")),
                _cues(plain, [w for w in words if not w.startswith("{")]),
            )
            for intent, words in lexicon.anchors.items()
        }

    def _group(self, declared: Mapping[str, SlotType], types: Mapping[str, SlotType]) -> Group:
        """The slot types an intent's utterances are read with: its own, and those read for
        every intent (who is talked about says little about what is asked)."""
        group = [(t.name, name) for name, t in declared.items()]
        mine = {t for t, _ in group}
        group += [(t, "") for t in self.lexicon.abstract_types if t in types and t not in mine]
        return tuple(group)

    @classmethod
    def for_locale(cls, locale: str = "en-US") -> Resolver:
        """The resolver for the interaction model and background data shipped with this package."""
        return cls(interaction_model(locale), lexicon_for(locale), background_for(locale))

    def _training(
        self,
        language: Mapping[str, Any],
        background: Mapping[str, Iterable[str]],
        plain: Normaliser,
    ) -> Iterable[tuple[str, Group, str]]:
        """Every sample as (class, group, normalised text): the model's, Alexa's built-in
        phrases, and the background's."""
        for intent in language["intents"]:
            name = intent["name"]
            for sample in (*intent.get("samples", []), *self.lexicon.builtins.get(name, ())):
                yield name, self.groups[name], plain(sample)
        for label, examples in background.items():
            for example in examples:
                yield label, self._group({}, self.tagger.types), plain(example)

    def _launch_pattern(self) -> re.Pattern[str]:
        words = "|".join(re.escape(w) for w in self.lexicon.wake_words)
        launch = "|".join(re.escape(v) for v in self.lexicon.launch_verbs)
        one_shot = "|".join(re.escape(v) for v in self.lexicon.one_shot_verbs)
        joiners = "|".join(re.escape(j) for j in self.lexicon.one_shot_joiners)
        openers = "|".join(re.escape(w) for w in self.lexicon.launch_openers) or "(?!)"
        closers = "|".join(re.escape(w) for w in self.lexicon.launch_closers) or "(?!)"
        name = re.escape(self.invocation)
        name = rf"(?:the )?{name}(?: skill| app)?"
        before, after = rf"(?:(?:{openers}) )*", rf"(?: (?:{closers}))*"
        return re.compile(
            rf"^(?:(?:{words}) )?(?:{before}(?:(?P<launch>{launch}) )?{name}{after}$"
            rf"|{name} (?:{launch}){after}$"
            rf"|(?:{one_shot}) {name}(?: (?:{joiners}))?(?: (?P<rest>.+))?$"
            rf"|(?P<rest2>.+?) (?:using|with|on|from) {name}$)"
        )

    # Resolving

    def resolve(self, utterance: str) -> Resolution:
        text = self.normalise(utterance)
        launch = self._launch.match(text)
        if launch is not None:
            rest = launch.group("rest") or launch.group("rest2")
            if not rest:
                return Resolution(utterance, LAUNCH_REQUEST, launch=True)
            resolved = self._resolve_text(utterance, rest)
            return Resolution(
                utterance, resolved.intent, resolved.slots, resolved.confidence, launch=True
            )
        return self._resolve_text(utterance, text)

    def _resolve_text(self, utterance: str, text: str, *, answering: bool = True) -> Resolution:
        words = tuple(text.split())
        while len(words) > 1 and words[0] in self.lexicon.wake_words:
            words = words[1:]  # "alexa, stop": the wake word is not part of the request
        while len(words) > 1 and words[-1] in self.lexicon.wake_words:
            words = words[:-1]
        if not words:
            return Resolution(utterance, FALLBACK)
        reading = Reading(words, self.tagger)
        outranking = self._outranking(reading.text)
        if outranking is not None:  # a crisis statement, whatever else was said
            return self._resolution(utterance, outranking, reading, 1.0)
        exact = self._exact_match(reading)
        if exact == REPORT_INTENT:
            verdict = self._verdict(reading)
            if verdict.danger is Danger.NOW:  # "i got the narcan, what now": how, not a fact
                return self._resolution(utterance, EMERGENCY, reading, 1.0, verdict.implied)
        if exact is not None:
            return self._resolution(utterance, exact, reading, 1.0)
        answer = self.lexicon.answer_words.get(words[0]) if answering else None
        if answer is not None and any(span.start == 0 for span in reading.spans(self._states)):
            answer = None  # "no rise and fall of the chest": a sign said with its own "no"
        if answer is not None:
            return self._answer(utterance, answer, words[1:])
        twice = _at_most_twice(words)
        if twice != words:  # "help help help" is the emergency's "help help", not "help"
            return self._resolve_text(utterance, " ".join(twice), answering=answering)
        fluent = _without_repeats(words)
        if fluent != words:  # "how do i how do i use it", "overdose overdose"
            return self._resolve_text(utterance, " ".join(fluent), answering=answering)
        decision = self._decide(reading)
        if decision.intent == FALLBACK:
            return Resolution(utterance, FALLBACK, confidence=decision.confidence)
        return self._resolution(
            utterance, decision.intent, reading, decision.confidence, decision.implied
        )

    def _decide(self, reading: Reading) -> Decision:
        foreign = self._about_something_else(reading)
        scores = self._scores(reading, foreign)
        if not scores:
            return Decision(FALLBACK, 1.0, unknown=True)  # no word of it is in any sample
        verdict = self._verdict(reading)
        danger = verdict.danger
        if danger is Danger.NOW and foreign and self._explained(reading):
            danger = Danger.NOT_OURS  # "grandpa fell down the stairs", "took too much tylenol"
        if EMERGENCY in scores:
            if danger in SHIFTS:
                scores[EMERGENCY] += SHIFTS[danger]
            if foreign and danger is not Danger.NOW:
                scores[EMERGENCY] -= FOREIGN_PENALTY  # "my diabetic dad is shaky, what do i do"
            elif danger is Danger.NONE:  # (another subject names no drug of ours to ask about)
                _, said = self._fill(reading, self.groups[EMERGENCY])
                # a question put first, or last: "my ex is using something called tranq, what
                # is that"
                asked = reading.words[0] in self.lexicon.question_openers
                asked = asked or self._question_tails.ends(f" {reading.text} ")
                if said.keys() == {SUBSTANCE} or (asked and said.keys() == {SUBSTANCE, PERSON}):
                    # "can fentanyl be smoked", "why do they call methadone liquid handcuffs":
                    # a drug asked about, by whoever
                    scores[EMERGENCY] -= NAMED_ONLY_PENALTY
        for name in self._needs_slots & scores.keys():
            if not self._fill(reading, self.groups[name])[1]:
                del scores[name]  # "alright" is no report: a report says what
        if not scores:
            return Decision(FALLBACK, 1.0, unknown=True)
        intent = max(scores, key=scores.__getitem__)
        close = scores.get(EMERGENCY, -1.0) >= scores[intent] - EMERGENCY_MARGIN
        if intent != EMERGENCY and (danger is Danger.NOW or (danger is Danger.LIKELY and close)):
            scores.setdefault(EMERGENCY, scores[intent])  # no emergency sample came close
            intent = EMERGENCY
        elif intent != EMERGENCY and scores.get(CRISIS, -1.0) >= scores[intent] - CRISIS_MARGIN:
            intent = CRISIS  # "i hope the next bag is the one", a close second to fentanyl
        if is_background(intent):
            return Decision(FALLBACK, _background_share(scores), out_of_domain=True)
        confidence = _softmax_share(scores, intent)
        if intent in MOVES and (confidence < CLEAR_MOVE or not self._clear(intent, reading)):
            return Decision(FALLBACK, 1.0 - confidence)
        return Decision(intent, confidence, implied=verdict.implied)

    def _outranking(self, text: str) -> str | None:
        """The intent of a priority rule whose cue was said (`priority` in the lexicon): a
        crisis statement outranks everything but an overdose happening now."""
        for rule, cues, not_cues, unless_cues in self._priorities:
            padded = f" {text} " if not_cues is None else not_cues.sub(" ", f" {text} ")
            if cues is None or cues.search(padded) is None:
                continue
            # The cue itself is not the exception: "overdosing or withdrawing" asks a question.
            rest = cues.sub(" ", padded)
            overdose_now = unless_cues is not None and unless_cues.search(rest) is not None
            return rule.unless_intent if overdose_now else rule.intent
        return None

    def _exact_match(self, reading: Reading) -> str | None:
        """A sample said word for word (slot values aside): what Alexa trusts most."""
        for group in self._group_order:
            filled, _ = self._fill(reading, group)
            label = self._exact.get((group, filled))
            if label is not None:
                return FALLBACK if is_background(label) else label
        return None

    def _answer(self, utterance: str, answer: str, rest: tuple[str, ...]) -> Resolution:
        """A reply led by "yes" or "no" answers the question, unless what follows reports
        something or stops ("yeah he's breathing" is a report, "no thanks" a no), or is a
        request for something else ("yes play it", "no not that song")."""
        if not rest:
            return Resolution(utterance, answer)
        after = self._resolve_text(utterance, " ".join(rest), answering=False)
        declared = self.intent_slots.get(after.intent, {})
        states = [name for name in after.slots if declared[name].name in self.tagger.negatable]
        if after.intent in (STOP, CANCEL) or (states and after.intent not in MOVES):
            return after  # "yes we have narcan" reports a state; "yes he is" only says who
        reading = Reading(rest, self.tagger)
        if after.intent == EMERGENCY and self._verdict(reading).danger is Danger.NOW:
            return after  # "yes, they said narcan, how do i use it"
        if self._decide(reading).out_of_domain and not self._clear(answer, reading):
            return Resolution(utterance, FALLBACK, confidence=after.confidence)
        return Resolution(utterance, answer)

    def _scores(self, reading: Reading, foreign: bool) -> dict[str, float]:
        """Each class's score; `foreign`: another subject named (`_about_something_else`)."""
        scores: dict[str, float] = {}
        filled_by_group: dict[Group, str] = {}
        for group in self._group_order:
            filled_by_group[group], _ = self._fill(reading, group)
        topics = [] if self.routing.names_media(reading.text) else self._domain_terms(reading)
        for label, score in self.index.scores(filled_by_group).items():
            if foreign and label not in UNTOUCHED_BY_SUBJECT and not is_background(label):
                score -= FOREIGN_PENALTY
            if is_background(label):
                score += self.fallback_bias
                vocabulary = self._vocabulary.get(label, set())
                if any(vocabulary.isdisjoint(term) for term in topics):
                    score -= OFF_TOPIC_PENALTY
            elif label in self._anchors and not self._anchored(label, reading):
                score -= ANCHOR_PENALTY
            scores[label] = score
        return scores

    def _about_something_else(self, reading: Reading) -> bool:
        """Another addiction or medicine named, and no drug or medicine of ours."""
        padded = f" {reading.text} "
        if self._foreign is None or self._foreign.search(padded) is None:
            return False
        if self._drug_words is not None and self._drug_words.search(padded) is not None:
            return False
        return not reading.spans(self._domain_types)

    def _explained(self, reading: Reading) -> bool:
        """Another emergency named, and no sign said but those it explains: a fall explains a
        collapse, not breathing that has stopped (the guide's steps hold for that, whatever
        the cause)."""
        pattern = self._other_emergencies
        if pattern is None or pattern.search(f" {reading.text} ") is None:
            return False
        sign = self.intent_slots[EMERGENCY][SIGN].name
        said = {span.ids[sign] for span in reading.spans(frozenset({sign}))}
        return said <= self.lexicon.explained_signs

    def _anchored(self, intent: str, reading: Reading) -> bool:
        """Whether the words say what the intent is about (`anchors` in the lexicon)."""
        types, words = self._anchors[intent]
        if words is not None and words.search(f" {reading.text} ") is not None:
            return True
        return bool(types) and bool(reading.spans(types))

    def _domain_terms(self, reading: Reading) -> list[frozenset[str]]:
        """What the words are about in this skill's terms: each drug or medicine named (its
        words) and each domain word."""
        terms = [frozenset((w,)) for w in reading.words if w in self.lexicon.domain_words]
        if self._domain_types:
            for span in reading.spans(self._domain_types):
                terms.append(frozenset(reading.words[span.start : span.end]))
        return terms

    def _verdict(self, reading: Reading) -> Verdict:
        filled, slots = self._fill(reading, self.groups.get(EMERGENCY, ()))
        named = {v for span in reading.spans(self._all_types) for v in span.ids.values()}
        # A medicine inside a longer value is still named: "i've never used narcan before"
        # (a report, denied) names naloxone.
        named |= {v for span in reading.spans(self._domain_types) for v in span.ids.values()}
        return self.routing.verdict(reading.text, filled, slots, named)

    def _clear(self, intent: str, reading: Reading) -> bool:
        """Every word that carries meaning is one the guide's moves use: "next episode" and
        "call mom" are not navigation."""
        vocabulary = self._vocabulary.get(intent, set())
        content = [w for w in reading.words if w not in self.lexicon.stopwords]
        return all(w in vocabulary or w in self._moves_vocabulary for w in content)

    def _resolution(
        self,
        utterance: str,
        intent: str,
        reading: Reading,
        confidence: float,
        implied: Mapping[str, str] | None = None,
    ) -> Resolution:
        if intent == FALLBACK:
            return Resolution(utterance, FALLBACK, confidence=confidence)
        _, slots = self._fill(reading, self.groups.get(intent, ()))
        topic = self._topic(intent, slots, reading.text)
        if topic is not None:  # "where can i find narcan": getting it, not the medicine
            intent = topic
            _, slots = self._fill(reading, self.groups.get(intent, ()))
        if intent == EMERGENCY:  # what the routing rule read and no slot value says
            if implied is None:
                implied = self._verdict(reading).implied
            slots = {**implied, **slots}
        return Resolution(utterance, intent, slots, round(confidence, 3))

    def _topic(self, intent: str, slots: Mapping[str, str], text: str) -> str | None:
        """The intent a slot value's own topic goes to, when its cue was said (`topics` in the
        lexicon)."""
        for topic, cues in self._topics:
            if (
                topic.intent == intent
                and (topic.slot is None or slots.get(topic.slot) == topic.value)
                and cues is not None
                and cues.search(f" {text} ") is not None
            ):
                return topic.topic
        return None

    def _fill(self, reading: Reading, group: Group) -> tuple[str, dict[str, str]]:
        """The words with this group's slot values replaced by {TYPE}, and the ids of the
        slots the intent declares."""
        filled = reading.filled.get(group)
        if filled is None:
            filled = reading.filled[group] = self._read(reading, group)
        return filled

    def _read(self, reading: Reading, group: Group) -> tuple[str, dict[str, str]]:
        if not group:
            return reading.text, {}
        spans = reading.spans(frozenset(t for t, _ in group))
        if not spans:
            return reading.text, {}
        words: list[str] = []
        found: dict[str, list[tuple[str, str]]] = {}
        cursor = 0
        for span in spans:
            slot = next(((t, name) for t, name in group if t in span.ids), None)
            if slot is None:
                continue
            type_name, name = slot
            words.extend(reading.words[cursor : span.start])
            words.append(f"{{{type_name}}}")
            if name:
                found.setdefault(name, []).append((type_name, span.ids[type_name]))
            cursor = span.end
        words.extend(reading.words[cursor:])
        slots = {
            name: self.tagger.most_urgent(values[0][0], (v for _, v in values))
            for name, values in found.items()
        }
        return " ".join(words), slots


def _cues(normalise: Normaliser, phrases: Iterable[str]) -> re.Pattern[str] | None:
    said = [normalise(phrase) for phrase in phrases]
    return alternation(said) if said else None


def _said(normalise: Normaliser, rule: Priority) -> re.Pattern[str]:
    """A priority rule's cues: whole, in two parts (`Near`), or as two things set against each
    other (`Pairs`)."""
    pairs = rule.pairs
    return in_order(
        (normalise(cue) for cue in rule.cues),
        (
            ([normalise(p) for p in near.first], [normalise(p) for p in near.then], near.within)
            for near in rule.near
        ),
        None
        if pairs is None
        else (
            [normalise(p) for p in pairs.either],
            [normalise(p) for p in pairs.or_],
            [normalise(j) for j in pairs.joined_by],
        ),
    )


def _at_most_twice(words: tuple[str, ...]) -> tuple[str, ...]:
    """A word said three times or more in a row, said twice (a number's digits aside)."""
    out = list(words)
    i = 0
    while i + 2 < len(out):
        if out[i] == out[i + 1] == out[i + 2] and out[i] not in NUMBER_WORDS:
            del out[i + 2]
        else:
            i += 1
    return tuple(out)


def _without_repeats(words: tuple[str, ...]) -> tuple[str, ...]:
    """Disfluency out: a run of one to four words said again at once is said once ("how do i
    how do i"), but not a digit of a number ("nine one one")."""
    out = list(words)
    for size in (4, 3, 2, 1):
        i = 0
        while i + 2 * size <= len(out):
            run = out[i : i + size]
            if run == out[i + size : i + 2 * size] and not (size == 1 and run[0] in NUMBER_WORDS):
                del out[i + size : i + 2 * size]
            else:
                i += 1
    return tuple(out)


def _slot_type(data: Mapping[str, Any], normalise: Normaliser) -> SlotType:
    values: dict[str, str] = {}
    order: dict[str, int] = {}
    for value in data.get("values", []):
        canonical = str(value.get("id") or value["name"]["value"])
        order.setdefault(canonical, len(order))
        for spoken in (value["name"]["value"], *value["name"].get("synonyms", [])):
            values.setdefault(normalise(spoken), canonical)
    return SlotType(data["name"], values, order)


def _softmax_share(scores: Mapping[str, float], label: str) -> float:
    top = max(scores.values())
    weights = {k: math.exp((v - top) / TEMPERATURE) for k, v in scores.items()}
    return weights[label] / sum(weights.values())


def _background_share(scores: Mapping[str, float]) -> float:
    top = max(scores.values())
    weights = {k: math.exp((v - top) / TEMPERATURE) for k, v in scores.items()}
    return sum(w for k, w in weights.items() if is_background(k)) / sum(weights.values())


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
