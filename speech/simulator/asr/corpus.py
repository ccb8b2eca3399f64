"""The sentences the recogniser's language model learns from, derived from what the resolver
already knows, so nothing is written twice and a new sample is heard as soon as it exists:

- every sample of the interaction model, and Alexa's built-in phrases for its built-in
  intents, with each {slot} filled by the slot type's values and synonyms: each carrier phrase
  with a few values, and every value in a few carriers (bounded: the full cross product of
  "{person} is {sign}" alone is tens of thousands of sentences);
- opening the skill as the resolver reads it ("open the heroin help skill", "please start
  heroin help now", "heroin help start") and one-shot requests ("alexa ask heroin help ...");
- the resolver's slang said where its meaning is ("signs of an od", "fent"), some sentences
  after a filler ("um my brother won't wake up"), and "my partner is" also said "my partner's";
- some emergency sentences again with the routing rule's urgency said before or after them
  ("hurry", "quick", "right now"): frightened callers add it, and the samples rarely do;
- the out-of-domain background, so the recogniser can hear what is not the skill's business
  instead of forcing it into the skill's words;
- every sentence again with its contractions swapped (`twins` in `<locale>.yaml`): both
  "isn't breathing" and "is not breathing", so a negation is never a rare word;
- every sentence with a number said digit by digit ("nine one one") again with each of its
  other spoken forms (`numbers`: "nine eleven", "nine hundred eleven").
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from intents.names import EMERGENCY
from speech.simulator.nlu.lexicon import Lexicon
from speech.simulator.nlu.normalise import fold, number_words

PER_CARRIER = 6  # values tried in each carrier phrase
PER_VALUE = 3  # carrier phrases each slot value is heard in, at least
ONE_SHOT_EVERY = 6  # one sample in this many is also said as "ask heroin help ..."
FILLER_EVERY = 8  # one sentence in this many is also said after a filler ("um", "hey")
URGENT_EVERY = 3  # one emergency sentence in this many is also said with urgency ("hurry")
PER_ALIAS = 4  # sentences each of the resolver's slang forms ("od", "fent") is heard in
_SLOT = re.compile(r"\{(\w+)\}")
_WORD = re.compile(r"[a-z']+")


@dataclass(frozen=True, slots=True)
class Sources:
    """What the corpus is derived from, for one locale."""

    model: Mapping[str, Any]  # the interaction model, as deployed
    lexicon: Lexicon  # the resolver's: built-in phrases, wake words, launch verbs
    background: Mapping[str, Sequence[str]]  # out-of-domain requests by kind
    twins: Mapping[str, str]  # contraction -> spelled out
    numbers: Mapping[str, Sequence[str]] = field(default_factory=dict)  # digits -> other forms


def words_of(text: str) -> list[str]:
    """Text as the recogniser writes it: lower case, numbers in words, no punctuation."""
    text = re.sub(r"\d+", lambda m: f" {number_words(m.group())} ", fold(text))
    return [w.strip("'") for w in _WORD.findall(text) if w.strip("'")]


def sentences(sources: Sources) -> list[str]:
    """The corpus: each sentence once, in a fixed order (the build's cache key depends on it)."""
    said: list[str] = []
    language = sources.model["interactionModel"]["languageModel"]
    values = _slot_values(language)
    for intent in language["intents"]:
        slot_types = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        samples = [*intent.get("samples", []), *sources.lexicon.builtins.get(intent["name"], ())]
        filled = list(_filled(samples, slot_types, values, seed=intent["name"]))
        said += filled
        said += _one_shots(filled[::ONE_SHOT_EVERY], language["invocationName"], sources.lexicon)
        if intent["name"] == EMERGENCY:
            said += _urgent(filled[::URGENT_EVERY], sources.lexicon)
    said += _aliased(said, sources.lexicon, sources.twins)
    said += _possessed(said, values.get("PERSON", ()))
    said += _openings(language["invocationName"], sources.lexicon)
    for examples in sources.background.values():
        said += examples
    said += _after_fillers(said, sources.lexicon)
    out: dict[str, None] = {}
    swap = _Twins(sources.twins)
    for sentence in said:
        text = " ".join(words_of(sentence))
        if text:
            for form in swap.forms(text):
                out.update(dict.fromkeys(_numbers_said(form, sources.numbers)))
    return list(out)


def _numbers_said(sentence: str, numbers: Mapping[str, Sequence[str]]) -> list[str]:
    """The sentence, and once more with each other spoken form of a number in it."""
    forms = [sentence]
    padded = f" {sentence} "
    for digits, others in numbers.items():
        if f" {digits} " in padded:
            forms += [padded.replace(f" {digits} ", f" {other} ").strip() for other in others]
    return forms


def _slot_values(language: Mapping[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for slot_type in language.get("types", []):
        spoken: list[str] = []
        for value in slot_type.get("values", []):
            name = value["name"]
            spoken += [name["value"], *name.get("synonyms", [])]
        found[slot_type["name"]] = list(dict.fromkeys(spoken))
    return found


def _filled(
    samples: Sequence[str],
    slot_types: Mapping[str, str],
    values: Mapping[str, Sequence[str]],
    seed: str,
) -> Iterator[str]:
    """Each sample with its slots filled: PER_CARRIER values per carrier, each slot's values
    taken in turn (shuffled once, so no carrier gets only the first few), then more carriers
    until every value has been heard PER_VALUE times."""
    shuffle = random.Random(seed)
    queues: dict[str, _Queue] = {}
    for name, type_name in slot_types.items():
        pool = list(values.get(type_name, ()))
        shuffle.shuffle(pool)
        queues[name] = _Queue(pool)
    carriers = [s for s in samples if _SLOT.search(s)]
    yield from (s for s in samples if not _SLOT.search(s))
    if not carriers:
        return
    for carrier in carriers:
        for _ in range(PER_CARRIER):
            yield _fill(carrier, queues)
    turn = 0
    while any(q.rounds < PER_VALUE for q in queues.values() if q.values) and turn < 10_000:
        carrier = carriers[turn % len(carriers)]
        if any(queues[n].rounds < PER_VALUE for n in _SLOT.findall(carrier) if n in queues):
            yield _fill(carrier, queues)
        turn += 1


class _Queue:
    """A slot's values, taken in turn; `rounds` counts how often all of them were taken."""

    def __init__(self, values: list[str]) -> None:
        self.values = values
        self.next = 0
        self.rounds = 0

    def take(self) -> str:
        value = self.values[self.next]
        self.next += 1
        if self.next == len(self.values):
            self.next, self.rounds = 0, self.rounds + 1
        return value


def _fill(carrier: str, queues: Mapping[str, _Queue]) -> str:
    def value(match: re.Match[str]) -> str:
        queue = queues.get(match.group(1))
        return queue.take() if queue is not None and queue.values else ""

    return _SLOT.sub(value, carrier)


def _openings(invocation: str, lexicon: Lexicon) -> Iterator[str]:
    """Opening the skill as the resolver reads it: "open heroin help", "alexa, launch heroin
    help", "heroin help", "open the heroin help skill", "please start heroin help now",
    "heroin help start"; each verb with each way round, the openers and closers in turn."""
    yield invocation
    openers, closers = lexicon.launch_openers, lexicon.launch_closers
    for number, verb in enumerate(lexicon.launch_verbs):
        yield f"{verb} {invocation}"
        for wake in lexicon.wake_words[:1]:
            yield f"{wake} {verb} {invocation}"
        yield f"{verb} the {invocation} {('skill', 'app')[number % 2]}"
        yield f"{lexicon.wake_words[0]} {verb} the {invocation} {('app', 'skill')[number % 2]}"
        yield f"{invocation} {verb}"
        if openers:
            yield f"{openers[number % len(openers)]} {verb} {invocation}"
        if closers:
            yield f"{verb} {invocation} {closers[number % len(closers)]}"


def _urgent(said: Sequence[str], lexicon: Lexicon) -> Iterator[str]:
    """Each sentence with one of the routing rule's short urgency cues, in turn, said after it
    and before it by turns: "do i push the plunger all the way hurry please"."""
    cues = [cue for cue in lexicon.routing.urgency if len(cue.split()) <= 2 and "{" not in cue]
    for number, sentence in enumerate(said):
        cue = cues[number % len(cues)]
        yield f"{sentence} {cue}" if number % 2 == 0 else f"{cue} {sentence}"


def _after_fillers(said: Sequence[str], lexicon: Lexicon) -> Iterator[str]:
    """Every FILLER_EVERY-th sentence again after a filler, the fillers in turn: callers say
    "um my brother won't wake up", and the resolver drops the filler."""
    fillers = sorted(lexicon.fillers)
    for number, sentence in enumerate(said[::FILLER_EVERY]):
        yield f"{fillers[number % len(fillers)]} {sentence}"


def _aliased(said: Sequence[str], lexicon: Lexicon, twins: Mapping[str, str]) -> Iterator[str]:
    """The resolver's slang and other spellings ("od" for overdose, "fent", "smack") that the
    samples never say, in PER_ALIAS sentences that have what they stand for, spread over the
    corpus. Forms spelled as letters ("o d") are left to the letters the recogniser already
    hears; a form the samples already say ("oded") is not made likelier, since each extra
    sentence of a rare spelling is one more place for the decoder to hear it ("go ahead" as
    "oded"); and a typed form that sounds like a known word ("isnt", "hes") would only fill
    the recogniser's readings with spellings of one sound."""
    known = {w for sentence in said for w in words_of(sentence)}
    known |= {*twins, *(w for w in lexicon.contractions if not w.startswith(("'", "n'")))}
    sounds = {w.replace("'", "") for w in known}  # "isnt" is "isn't" typed: the same sound
    for alias, meaning in sorted(lexicon.phrases.items()):
        if alias == meaning or any(len(w) < 2 for w in alias.split()):
            continue
        if all(w in known or w.replace("'", "") in sounds for w in words_of(alias)):
            continue
        pattern = re.compile(rf"\b{re.escape(meaning)}\b")
        having = [s for s in said if pattern.search(s)]
        step = max(1, len(having) // PER_ALIAS)
        for sentence in having[::step][:PER_ALIAS]:
            yield pattern.sub(alias, sentence, count=1)


def _possessed(said: Sequence[str], people: Sequence[str]) -> Iterator[str]:
    """A person's "is" said short: "my partner is not breathing" as "my partner's not
    breathing", the contraction the twins cannot swap for every noun (it is also a
    possessive)."""
    nouns = sorted({p.split()[-1] for p in people if " " in p and not p.endswith("'s")})
    pattern = re.compile(rf"\b(?:my|the|this|a|me) ({'|'.join(map(re.escape, nouns))}) is\b")
    if not nouns:
        return
    for sentence in said:
        if pattern.search(sentence):
            yield pattern.sub(lambda m: m.group(0)[: -len(" is")] + "'s", sentence, count=1)


def _one_shots(samples: Iterable[str], invocation: str, lexicon: Lexicon) -> Iterator[str]:
    """A request said with the skill's name: "alexa ask heroin help what do i do ...", and
    "heroin help, ..." as people also say it."""
    verbs = [v for v in lexicon.one_shot_verbs if " " not in v]
    for number, sample in enumerate(samples):
        verb = verbs[number % len(verbs)]
        wake = lexicon.wake_words[0] + " " if number % 2 else ""
        yield f"{wake}{verb} {invocation} {sample}"
        if number % 3 == 0:
            yield f"{invocation} {sample}"


class _Twins:
    """A sentence's forms with contractions spelled out, and with spelled-out forms
    contracted: "he's not breathing", "he is not breathing", "he isn't breathing"."""

    def __init__(self, twins: Mapping[str, str]) -> None:
        self.expand = dict(twins)
        longest = sorted(twins.items(), key=lambda pair: -len(pair[1]))
        self._contract = [(re.compile(rf"\b{re.escape(long)}\b"), short) for short, long in longest]

    def forms(self, sentence: str) -> list[str]:
        expanded = " ".join(self.expand.get(w, w) for w in sentence.split())
        contracted = expanded
        for pattern, short in self._contract:
            contracted = pattern.sub(short, contracted)
        return list(dict.fromkeys((sentence, expanded, contracted)))
