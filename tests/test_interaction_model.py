"""Validates the Alexa skill package (interaction model, manifest, ASK CLI config).

Checks the rules and limits Alexa enforces when a model is built, the contract the guide and
the topics read (MODEL_SPEC: intents, slot names, slot types and their value ids), and that the
model is built as Alexa designers build one: custom slot types for who, what sign and what
drug, carrier phrases that combine them, short samples where people are short. Phrasings are
checked against the samples as templates, each {slot} standing for any value or synonym of its
type, the way Alexa (and virtual-alexa) read them.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from intents.names import BUILT_IN_INTENTS, EMERGENCY
from speech.content.schema import (
    CPR_RHYTHM_INTENT,
    CUSTOM_INTENTS,
    MEDICATION_INTENT,
    MEDICATION_SLOT,
    MEDICATION_SLOT_TYPE,
    QUESTION_INTENTS,
    QUESTION_SLOT,
    QUESTION_SLOT_TYPE,
    QUESTIONS,
    REPORT_INTENT,
)

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "interaction_model"
MODEL_PATH = PACKAGE / "interactionModels" / "custom" / "en-US.json"
MANIFEST_PATH = PACKAGE / "skill.json"
ASK_RESOURCES_PATH = REPO / "ask-resources.json"

INVOCATION = "heroin help"
REQUIRED_BUILTINS = list(BUILT_IN_INTENTS)

# Alexa's limits for a custom interaction model, as published in the ASK documentation
# ("Interaction model limits"); where sources differ, the stricter figure.
MAX_INTENTS = 250
MAX_SAMPLES_PER_INTENT = 1500
MAX_UTTERANCE_CHARS = 200
MAX_SLOT_VALUE_CHARS = 140
MAX_CUSTOM_SLOT_TYPES = 100
MAX_SLOT_VALUES_AND_SYNONYMS = 50_000
MAX_SLOTS_PER_INTENT = 100
MAX_MODEL_CHARS = 1_000_000  # SMAPI refused a larger modelDefinition (alexa/ask-cli#9)
SENSITIVITY_LEVELS = {"LOW", "MEDIUM", "HIGH"}

# MODEL_SPEC.md: the names are a contract with the guide and topics code.
SLOT_CONTRACT = {
    EMERGENCY: {"person": "PERSON", "sign": "SIGN", "substance": "SUBSTANCE", "need": "NEED"},
    REPORT_INTENT: {"person": "PERSON", "report": "REPORT"},
    CPR_RHYTHM_INTENT: {},
    MEDICATION_INTENT: {MEDICATION_SLOT: MEDICATION_SLOT_TYPE},
}
# The topic intents that answer a question first take the question slot too (issue 11).
for _intent in QUESTION_INTENTS:
    SLOT_CONTRACT[_intent] = {**SLOT_CONTRACT.get(_intent, {}), QUESTION_SLOT: QUESTION_SLOT_TYPE}
VALUE_IDS = {
    "PERSON": {"child", "pet", "someone"},
    "SIGN": {
        "not_breathing", "gasping", "slow_breathing", "unresponsive", "blue", "overdosing",
        "collapsed", "swallowed",
    },
    "SUBSTANCE": {
        "heroin", "fentanyl", "methadone", "buprenorphine", "oxycodone", "opioid_pills", "xylazine",
    },
    "NEED": {"naloxone_how"},
    "REPORT": {
        "has_naloxone", "no_naloxone", "gave_naloxone", "breathing", "awake", "responds",
        "no_phone", "called",
    },
    "MEDICATION": {
        "methadone", "buprenorphine", "naltrexone", "naloxone", "lofexidine", "clonidine",
    },
    QUESTION_SLOT_TYPE: set(QUESTIONS),
}  # fmt: skip

# Samples the product relies on in built-in intents (the step-by-step emergency flow).
REQUIRED_BUILTIN_SAMPLES = {
    "AMAZON.NextIntent": [
        "next", "what now", "what next", "next step", "okay what now", "done", "i did it",
        "it's done", "go on", "continue", "then what", "keep going",
    ],
    "AMAZON.PreviousIntent": ["go back", "previous step", "back", "last step"],
    "AMAZON.RepeatIntent": ["repeat", "say that again", "what", "what did you say", "again"],
    "AMAZON.MoreIntent": ["more", "tell me more", "more please"],
    "AMAZON.YesIntent": ["yeah", "yep", "i do", "we have some"],
    "AMAZON.NoIntent": ["nope", "i don't", "no we don't"],
    "AMAZON.StopIntent": ["goodbye", "i'm done", "that's all"],
}  # fmt: skip

# Phrasings a caller in an emergency uses, and the slot ids they must carry.
REQUIRED_EMERGENCY_PHRASINGS: dict[str, dict[str, str]] = {
    "my friend is overdosing": {"person": "someone", "sign": "overdosing"},
    "my boyfriend isn't breathing": {"person": "someone"},
    "my boyfriend is not breathing": {"person": "someone", "sign": "not_breathing"},
    "he's not breathing": {"sign": "not_breathing"},
    "he isn't breathing": {},
    "she won't wake up": {},
    "his lips are blue": {},
    "help he's blue": {"sign": "blue"},
    "someone is turning blue": {"person": "someone", "sign": "blue"},
    "she's barely breathing": {"sign": "slow_breathing"},
    "he's making gurgling snoring sounds and won't wake": {},
    "my son is unconscious": {"person": "someone", "sign": "unresponsive"},
    "i think my boyfriend is overdosing": {"person": "someone", "sign": "overdosing"},
    "my friend collapsed after using": {"person": "someone"},
    "what to do my friend overdosed": {"person": "someone"},
    "what do i do he took too much": {"person": "someone"},
    "help me please": {},
    "overdose": {},
    "emergency": {},
    "my son swallowed my methadone": {"person": "someone", "substance": "methadone"},
    "my two year old ate some suboxone": {"person": "child", "substance": "buprenorphine"},
    "the dog ate a fentanyl patch": {"person": "pet", "substance": "fentanyl"},
    "my toddler got into my pills": {"person": "child", "substance": "opioid_pills"},
    "my kid just swallowed some oxy": {
        "person": "child", "sign": "swallowed", "substance": "oxycodone",
    },
    "my friend took heroin and is not breathing": {
        "person": "someone", "substance": "heroin", "sign": "not_breathing",
    },
    "quick how do i use narcan": {"need": "naloxone_how"},
    "where do i spray the narcan": {"need": "naloxone_how"},
    "how do i give naloxone he's not breathing": {"need": "naloxone_how", "sign": "not_breathing"},
}  # fmt: skip

REQUIRED_REPORT_PHRASINGS = {
    "we have narcan": "has_naloxone",
    "i've got narcan": "has_naloxone",
    "we don't have narcan": "no_naloxone",
    "i gave it": "gave_naloxone",
    "i sprayed the narcan": "gave_naloxone",
    "he's breathing now": "breathing",
    "she woke up": "awake",
    "he's responding": "responds",
    "my phone is dead": "no_phone",
    "i called nine one one": "called",
    "they're on the way": "called",
}

EMERGENCY_PERSONS = [
    "he", "she", "they", "my friend", "my son", "my daughter", "my brother", "my sister",
    "my husband", "my wife", "my boyfriend", "my girlfriend", "my mom", "my dad", "my roommate",
    "someone", "this guy", "a man", "a woman", "my partner", "my baby", "my toddler", "my dog",
    "the cat", "my two year old",
]  # fmt: skip
EMERGENCY_STATES = [
    "not breathing", "barely breathing", "breathing very slowly", "won't wake up",
    "unresponsive", "passed out", "blue lips", "lips are blue", "turning blue", "grey", "pale",
    "ashy", "cold and clammy", "pinpoint pupils", "gasping", "collapsed", "nodding out",
    "overdosing", "o. d. ing", "fell out", "swallowed",
]  # fmt: skip

# Words Alexa's built-in intents already own. A bare sample equal to one of these in another
# intent would steal the built-in: a bare "help" must reach AMAZON.HelpIntent, whose answer tells
# the caller to say "emergency" (certification checks that "help" gives help).
BUILTIN_WORDS = {
    "help": "AMAZON.HelpIntent", "stop": "AMAZON.StopIntent", "quit": "AMAZON.StopIntent",
    "exit": "AMAZON.StopIntent", "shut up": "AMAZON.StopIntent", "cancel": "AMAZON.CancelIntent",
    "never mind": "AMAZON.CancelIntent", "yes": "AMAZON.YesIntent", "no": "AMAZON.NoIntent",
    "repeat": "AMAZON.RepeatIntent", "next": "AMAZON.NextIntent", "skip": "AMAZON.NextIntent",
    "previous": "AMAZON.PreviousIntent", "start over": "AMAZON.StartOverIntent",
    "restart": "AMAZON.StartOverIntent", "more": "AMAZON.MoreIntent",
    "go home": "AMAZON.NavigateHomeIntent", "home": "AMAZON.NavigateHomeIntent",
}  # fmt: skip

LAUNCH_WORDS = {
    "ask", "begin", "can you", "cancel", "do", "go", "launch", "load", "open", "play", "resume",
    "run", "set", "start", "stop", "talk to", "tell", "use", "enable", "show", "turn", "turn on",
}  # fmt: skip
WAKE_WORDS = {"alexa", "amazon", "echo", "computer", "ziggy", "skill", "app"}

UTTERANCE_RE = re.compile(r"^[a-z' .{}_]+$")
SLOT_NAMES = {MEDICATION_SLOT, QUESTION_SLOT}
SLOT_RE = re.compile(r"\{([^{}]*)\}")


def norm(text: str) -> str:
    return " ".join(text.lower().split())


@cache
def model() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    return data


@cache
def manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    return data


def language_model() -> dict[str, Any]:
    lm: dict[str, Any] = model()["interactionModel"]["languageModel"]
    return lm


def intents() -> dict[str, dict[str, Any]]:
    return {intent["name"]: intent for intent in language_model()["intents"]}


def samples(name: str) -> list[str]:
    return list(intents()[name].get("samples", []))


def all_samples() -> list[tuple[str, str]]:
    return [
        (intent["name"], sample)
        for intent in language_model()["intents"]
        for sample in intent.get("samples", [])
    ]


def types() -> dict[str, dict[str, Any]]:
    return {t["name"]: t for t in language_model().get("types", [])}


def slot_types(intent: str) -> dict[str, str]:
    return {slot["name"]: slot["type"] for slot in intents()[intent].get("slots", [])}


@cache
def spoken(type_name: str) -> dict[str, str]:
    """Every value and synonym of a custom slot type, as said, -> its id."""
    forms: dict[str, str] = {}
    for value in types()[type_name]["values"]:
        for phrase in (value["name"]["value"], *value["name"].get("synonyms", [])):
            forms.setdefault(norm(phrase), value.get("id") or value["name"]["value"])
    return forms


@cache
def template(intent: str, sample: str) -> re.Pattern[str]:
    """The sample as a pattern: each {slot} any value or synonym of its type."""
    pattern = ""
    for piece in re.split(r"(\{[^{}]+\})", norm(sample)):
        slot = SLOT_RE.fullmatch(piece)
        if slot is None:
            pattern += re.escape(piece)
            continue
        forms = sorted(spoken(slot_types(intent)[slot.group(1)]), key=len, reverse=True)
        pattern += f"(?P<{slot.group(1)}>" + "|".join(re.escape(f) for f in forms) + ")"
    return re.compile(pattern)


def matches(utterance: str) -> Iterator[tuple[int, str, dict[str, str]]]:
    """(literal characters, intent, slot ids) of every sample the utterance says."""
    said = norm(utterance)
    for intent, sample in all_samples():
        found = template(intent, sample).fullmatch(said)
        if found is None:
            continue
        kinds = slot_types(intent)
        slots = {name: spoken(kinds[name])[value] for name, value in found.groupdict().items()}
        yield len(SLOT_RE.sub("", sample)), intent, slots


def understood(utterance: str) -> tuple[str, dict[str, str]] | None:
    """What a literal matcher makes of it: the matching sample with the most literal text."""
    best = max(matches(utterance), default=None, key=lambda match: match[0])
    return None if best is None else (best[1], best[2])


# ---------------------------------------------------------------------------- structure


def test_skill_package_layout() -> None:
    assert MODEL_PATH.is_file(), f"missing interaction model at {MODEL_PATH}"
    assert MANIFEST_PATH.is_file(), f"missing skill manifest at {MANIFEST_PATH}"
    assert set(model()) == {"interactionModel"}, "top level must be just 'interactionModel'"
    assert "languageModel" in model()["interactionModel"], "missing interactionModel.languageModel"


def test_invocation_name() -> None:
    name = language_model()["invocationName"]
    assert name == INVOCATION, f"invocation name is {name!r}, expected {INVOCATION!r}"
    assert name == name.lower(), f"invocation name {name!r} must be lower case"
    assert re.fullmatch(r"[a-z]+( [a-z]+)+", name), (
        f"invocation name {name!r} must be two or more words of letters and single spaces"
    )
    padded = f" {name} "
    for word in sorted(LAUNCH_WORDS | WAKE_WORDS):
        assert f" {word} " not in padded, f"invocation name {name!r} contains {word!r}"


@pytest.mark.parametrize("name", CUSTOM_INTENTS)
def test_custom_intent_present_with_enough_samples(name: str) -> None:
    assert name in intents(), f"custom intent {name} is missing"
    count = len(samples(name))
    assert count >= 25, f"{name} has {count} samples, needs at least 25"


def test_no_unexpected_custom_intents() -> None:
    extra = [n for n in intents() if not n.startswith("AMAZON.") and n not in CUSTOM_INTENTS]
    assert not extra, f"custom intents not in the contract: {extra}"


@pytest.mark.parametrize("name", REQUIRED_BUILTINS)
def test_required_builtin_present(name: str) -> None:
    assert name in intents(), f"built-in intent {name} is missing"


def test_fallback_has_no_samples() -> None:
    assert not samples("AMAZON.FallbackIntent"), "AMAZON.FallbackIntent takes no sample utterances"


@pytest.mark.parametrize(("name", "required"), sorted(REQUIRED_BUILTIN_SAMPLES.items()))
def test_builtin_extensions(name: str, required: list[str]) -> None:
    have = {norm(s) for s in samples(name)}
    missing = [s for s in required if s not in have]
    assert not missing, f"{name} is missing samples {missing}"


def test_the_model_stays_inside_alexas_limits() -> None:
    assert len(intents()) <= MAX_INTENTS
    assert len(MODEL_PATH.read_text(encoding="utf-8")) <= MAX_MODEL_CHARS
    assert len(types()) <= MAX_CUSTOM_SLOT_TYPES
    for name, intent in intents().items():
        assert len(intent.get("samples", [])) <= MAX_SAMPLES_PER_INTENT, name
        assert len(intent.get("slots", [])) <= MAX_SLOTS_PER_INTENT, name
    forms = 0
    for type_name, slot_type in types().items():
        for value in slot_type["values"]:
            for phrase in (value["name"]["value"], *value["name"].get("synonyms", [])):
                forms += 1
                assert 0 < len(phrase) <= MAX_SLOT_VALUE_CHARS, f"{type_name}: {phrase!r}"
    assert forms <= MAX_SLOT_VALUES_AND_SYNONYMS


def test_fallback_sensitivity_is_set() -> None:
    """The level is chosen by measurement: `python -m tests.heldout --sensitivity`, and
    tests/test_resolver.py checks the chosen level still earns its place."""
    configuration = language_model()["modelConfiguration"]
    assert configuration["fallbackIntentSensitivity"]["level"] in SENSITIVITY_LEVELS


# ---------------------------------------------------------------------------- utterances


def test_utterance_characters() -> None:
    for name, sample in all_samples():
        assert sample == sample.strip(), f"{name}: {sample!r} has leading/trailing whitespace"
        assert "  " not in sample, f"{name}: {sample!r} has repeated spaces"
        assert UTTERANCE_RE.match(sample), (
            f"{name}: {sample!r} may contain only lower-case letters, spaces, apostrophes, "
            "periods and {slot} references (write numbers as words)"
        )
        # Periods only mark spoken letters: "c. b. t.", "o. d."
        for match in re.finditer(r"\.", SLOT_RE.sub("", sample)):
            before = SLOT_RE.sub("", sample)[: match.start()]
            assert re.search(r"(^|[ ])[a-z]$", before), (
                f"{name}: {sample!r} has a period that does not follow a single spoken letter"
            )
        stripped = SLOT_RE.sub("", sample)
        assert "{" not in stripped and "}" not in stripped, f"{name}: {sample!r} has stray braces"


def test_slot_references_stand_alone_never_side_by_side_and_once() -> None:
    """Alexa wants a space around each slot ("{person}'s" is refused: the possessive belongs in
    the values); two slots side by side never match in virtual-alexa (its greedy split leaves
    the second empty), so words always stand between them; a slot is used once per sample."""
    for name, sample in all_samples():
        words = sample.split()
        for word in words:
            assert SLOT_RE.fullmatch(word) or not SLOT_RE.search(word), (
                f"{name}: {sample!r} slot references must stand alone between spaces"
            )
        for first, second in itertools.pairwise(words):
            assert not (SLOT_RE.fullmatch(first) and SLOT_RE.fullmatch(second)), (
                f"{name}: {sample!r} has two slots side by side"
            )
        used = SLOT_RE.findall(sample)
        assert len(used) == len(set(used)), f"{name}: {sample!r} uses a slot twice"


def test_utterance_length() -> None:
    for name, sample in all_samples():
        assert len(sample) <= MAX_UTTERANCE_CHARS, (
            f"{name}: {sample!r} is {len(sample)} characters (max {MAX_UTTERANCE_CHARS})"
        )


def test_slots_declared_typed_and_used() -> None:
    custom_types = set(types())
    for name, intent in intents().items():
        declared = {slot["name"]: slot for slot in intent.get("slots", [])}
        for slot_name, slot in declared.items():
            slot_type = slot.get("type", "")
            assert slot_type in custom_types or slot_type.startswith("AMAZON."), (
                f"{name}: slot {slot_name} has unknown type {slot_type!r}"
            )
            assert any(f"{{{slot_name}}}" in s for s in samples(name)), (
                f"{name}: slot {slot_name} is in no sample"
            )
        for sample in intent.get("samples", []):
            for ref in SLOT_RE.findall(sample):
                assert ref in declared, f"{name}: {sample!r} uses undeclared slot {{{ref}}}"


@pytest.mark.parametrize("intent", sorted(SLOT_CONTRACT))
def test_slots_are_the_contract(intent: str) -> None:
    assert slot_types(intent) == SLOT_CONTRACT[intent]


@pytest.mark.parametrize("type_name", sorted(VALUE_IDS))
def test_slot_type_value_ids_are_the_contract(type_name: str) -> None:
    values = types()[type_name]["values"]
    assert {value["id"] for value in values} == VALUE_IDS[type_name]
    owner: dict[str, str] = {}
    for value in values:
        assert value["name"].get("synonyms"), f"{type_name} {value['id']} has no synonyms"
        for phrase in (value["name"]["value"], *value["name"]["synonyms"]):
            key = norm(phrase)
            assert re.fullmatch(r"[a-z' .]+", key), f"{type_name} {value['id']}: {phrase!r}"
            assert owner.setdefault(key, value["id"]) == value["id"], (
                f"{type_name}: {phrase!r} belongs to {owner[key]} and {value['id']}"
            )


def test_medication_synonyms_name_no_other_medicine() -> None:
    for phrase, canonical in spoken("MEDICATION").items():
        for other in VALUE_IDS["MEDICATION"] - {canonical}:
            assert other not in phrase.split(), f"{canonical}: {phrase!r} names {other!r}"


@pytest.mark.parametrize("name", QUESTION_INTENTS)
def test_question_intents_let_the_question_be_said(name: str) -> None:
    """A question slot no sample uses would never be filled: each intent that takes it has samples
    that carry it ("{question} does withdrawal last")."""
    with_question = [s for s in samples(name) if "{question}" in s]
    assert len(with_question) >= 3, f"{name}: only {len(with_question)} samples use {{question}}"


def test_question_type_holds_exactly_the_question_ids() -> None:
    values = types()[QUESTION_SLOT_TYPE]["values"]
    assert [value["id"] for value in values] == list(QUESTIONS)
    owner_of: dict[str, str] = {}
    for value in values:
        for phrase in [value["name"]["value"], *value["name"].get("synonyms", [])]:
            key = norm(phrase)
            assert re.fullmatch(r"[a-z' ]+", key), f"QUESTION {value['id']}: bad synonym {phrase!r}"
            assert key not in owner_of, f"QUESTION {phrase!r}: {owner_of[key]} and {value['id']}"
            # Disjoint from the medicines, so "is {medication} {question}" splits one way only.
            assert key not in spoken("MEDICATION"), f"QUESTION {phrase!r} is also a medicine"
            owner_of[key] = value["id"]


def test_no_duplicates_within_intent() -> None:
    for name in intents():
        seen: set[str] = set()
        for sample in samples(name):
            key = norm(sample)
            assert key not in seen, f"{name}: duplicate sample {sample!r}"
            seen.add(key)


def test_no_duplicates_across_intents() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for name, sample in all_samples():
        owners[norm(sample)].add(name)
    clashes = {s: sorted(o) for s, o in owners.items() if len(o) > 1}
    assert not clashes, f"samples in more than one intent: {clashes}"


def test_slot_samples_do_not_say_another_intents_sample() -> None:
    """A sample with any one of its slots filled (the others with their first value) must not
    equal another intent's sample word for word."""
    owners = {norm(sample): name for name, sample in all_samples() if "{" not in sample}
    for name, sample in all_samples():
        kinds = slot_types(name)
        used = SLOT_RE.findall(sample)
        first = {slot: next(iter(spoken(kinds[slot]))) for slot in used}
        for slot in used:
            for phrase in spoken(kinds[slot]):
                filled = norm(sample)
                for other in used:
                    filled = filled.replace(
                        f"{{{other}}}", phrase if other == slot else first[other]
                    )
                owner = owners.get(filled, name)
                assert owner == name, f"{name}: {sample!r} as {filled!r} is {owner}'s sample"


def test_builtin_words_not_stolen() -> None:
    for name, sample in all_samples():
        owner = BUILTIN_WORDS.get(norm(sample))
        assert owner is None or owner == name, (
            f"{name}: {sample!r} is {owner}'s own word and would steal it"
        )


# ---------------------------------------------------------------------------- emergency


def test_the_emergency_is_built_from_carrier_phrases() -> None:
    """Slots carry who, what sign, what drug and what need; whole sentences are the exception,
    and none repeats what a carrier already says."""
    emergency = samples(EMERGENCY)
    carriers = [s for s in emergency if "{" in s]
    assert len(carriers) >= 0.6 * len(emergency), f"{len(carriers)} of {len(emergency)}"
    combined = [set(SLOT_RE.findall(s)) for s in carriers]
    for needed in ({"person", "sign"}, {"person", "substance"}, {"person", "substance", "sign"},
                   {"need"}, {"need", "sign"}):  # fmt: skip
        assert any(needed <= slots for slots in combined), f"no carrier combines {needed}"
    for sample in emergency:
        if "{" in sample:
            continue
        said_by = [s for s in carriers if template(EMERGENCY, s).fullmatch(norm(sample))]
        assert not said_by, f"{sample!r} repeats the carrier {said_by[0]!r}"


def test_short_samples_where_people_are_short() -> None:
    emergency = {norm(s) for s in samples(EMERGENCY)}
    assert {"overdose", "emergency", "help he's {sign}"} <= emergency
    assert sum(1 for s in emergency if len(SLOT_RE.sub("x", s).split()) <= 2) >= 10


@pytest.mark.parametrize(("phrase", "slots"), sorted(REQUIRED_EMERGENCY_PHRASINGS.items()))
def test_emergency_phrasings_match_a_sample(phrase: str, slots: dict[str, str]) -> None:
    reading = understood(phrase)
    assert reading is not None, f"{phrase!r} matches no sample"
    intent, found = reading
    assert intent == EMERGENCY, f"{phrase!r} is {intent}"
    assert slots.items() <= found.items(), f"{phrase!r}: {found}"


@pytest.mark.parametrize(("phrase", "report"), sorted(REQUIRED_REPORT_PHRASINGS.items()))
def test_report_phrasings_match_a_sample(phrase: str, report: str) -> None:
    assert understood(phrase) is not None, f"{phrase!r} matches no sample"
    intent, found = understood(phrase) or ("", {})
    assert (intent, found.get("report")) == (REPORT_INTENT, report)


@pytest.mark.parametrize("person", EMERGENCY_PERSONS)
def test_emergency_covers_person(person: str) -> None:
    assert person in spoken("PERSON"), f"{person!r} is not a PERSON value or synonym"


@pytest.mark.parametrize("state", EMERGENCY_STATES)
def test_emergency_covers_state(state: str) -> None:
    as_sample = any(state in s for s in samples(EMERGENCY))
    assert state in spoken("SIGN") or as_sample, f"{state!r} is no sign and in no sample"


def test_informational_intents_do_not_hold_present_tense_emergencies() -> None:
    danger = re.compile(
        r"\b(isn't breathing|not breathing|won't wake|turning blue|lips are blue|unresponsive)\b"
    )
    for name, sample in all_samples():
        if name != EMERGENCY:
            assert not danger.search(sample), (
                f"{name}: {sample!r} describes an emergency; it belongs in {EMERGENCY}"
            )


# ---------------------------------------------------------------------------- manifest


def en_us() -> dict[str, Any]:
    locale: dict[str, Any] = manifest()["manifest"]["publishingInformation"]["locales"]["en-US"]
    return locale


def test_manifest_basics() -> None:
    m = manifest()["manifest"]
    assert m["manifestVersion"] == "1.0", "manifestVersion must be '1.0'"
    info = m["publishingInformation"]
    assert info["category"] == "HEALTH_AND_FITNESS", f"category is {info['category']!r}"
    locale = en_us()
    assert locale["name"] == "Heroin Help", f"en-US name is {locale['name']!r}"
    assert 0 < len(locale["summary"]) <= 160, "en-US summary must be 1-160 characters"
    assert 0 < len(locale["description"]) <= 4000, "en-US description must be 1-4000 characters"
    assert "not medical advice" in locale["description"].lower(), (
        "en-US description must say the skill gives general information, not medical advice"
    )
    keywords = locale.get("keywords", [])
    assert 0 < len(keywords) <= 30, "en-US keywords must be 1-30 entries"
    assert all(isinstance(k, str) and k for k in keywords), "keywords must be non-empty strings"
    endpoint = m["apis"]["custom"]["endpoint"]
    assert endpoint["uri"].startswith("https://"), f"endpoint {endpoint['uri']!r} must be https"
    assert endpoint["sslCertificateType"] in {"Wildcard", "SelfSigned", "Trusted"}, (
        f"bad sslCertificateType {endpoint['sslCertificateType']!r}"
    )
    privacy = m["privacyAndCompliance"]
    for key in ("allowsPurchases", "usesPersonalInfo", "isChildDirected", "containsAds"):
        assert isinstance(privacy.get(key), bool), f"privacyAndCompliance.{key} must be a bool"


def test_example_phrases() -> None:
    phrases = en_us()["examplePhrases"]
    assert 1 <= len(phrases) <= 3, f"examplePhrases must have 1-3 entries, got {len(phrases)}"
    assert phrases[0] == f"Alexa, open {INVOCATION}", (
        f"first example phrase {phrases[0]!r} must be 'Alexa, open {INVOCATION}'"
    )
    for phrase in phrases[1:]:
        match = re.fullmatch(rf"Alexa, ask {re.escape(INVOCATION)} (.+?)[.?!]?", phrase)
        assert match, f"example phrase {phrase!r} must start 'Alexa, ask {INVOCATION} ...'"
        assert understood(match.group(1)) is not None, (
            f"example phrase {phrase!r} does not match any sample utterance"
        )


def test_ask_resources() -> None:
    data = json.loads(ASK_RESOURCES_PATH.read_text(encoding="utf-8"))
    assert data["askcliResourcesVersion"] == "2020-03-31", (
        "askcliResourcesVersion must be 2020-03-31"
    )
    src = data["profiles"]["default"]["skillMetadata"]["src"]
    assert src == "./interaction_model", (
        f"skillMetadata.src is {src!r}, expected ./interaction_model"
    )
    assert (REPO / src / "skill.json").is_file(), f"{src}/skill.json does not exist"
