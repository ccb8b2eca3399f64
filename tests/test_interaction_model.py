"""Validates the Alexa skill package (interaction model, manifest, ASK CLI config).

Checks the rules Alexa enforces when a model is built, plus the product's own contract:
which intents exist, how many samples they have, and that the overdose emergency intent
is reachable by the way a frightened caller actually talks.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from intents.names import BUILT_IN_INTENTS, EMERGENCY
from speech.content.schema import (
    CUSTOM_INTENTS,
    MEDICATION_INTENT,
    MEDICATION_SLOT,
    MEDICATION_SLOT_TYPE,
    QUESTION_INTENTS,
    QUESTION_SLOT,
    QUESTION_SLOT_TYPE,
    QUESTIONS,
)

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "interaction_model"
MODEL_PATH = PACKAGE / "interactionModels" / "custom" / "en-US.json"
MANIFEST_PATH = PACKAGE / "skill.json"
ASK_RESOURCES_PATH = REPO / "ask-resources.json"

INVOCATION = "heroin help"
# The contract is what the skill answers (every topic and guide) and the built-ins it routes.
REQUIRED_BUILTINS = list(BUILT_IN_INTENTS)

# Samples the product relies on in built-in intents (the step-by-step emergency flow).
REQUIRED_BUILTIN_SAMPLES = {
    "AMAZON.NextIntent": [
        "next",
        "what now",
        "what next",
        "next step",
        "okay what now",
        "done",
        "i did it",
        "it's done",
        "i called them",
        "i called nine one one",
        "they're on the way",
        "go on",
        "continue",
        "then what",
    ],
    "AMAZON.PreviousIntent": ["go back", "previous step", "back", "last step"],
    "AMAZON.RepeatIntent": ["repeat", "say that again", "what", "what did you say", "again"],
    "AMAZON.MoreIntent": ["more", "tell me more", "keep going"],
    "AMAZON.YesIntent": ["yeah", "yep", "i do", "we have some"],
    "AMAZON.NoIntent": ["nope", "i don't", "we don't have any", "no we don't"],
}

# Phrasings a caller in an emergency uses that must route to the emergency intent.
REQUIRED_EMERGENCY_SAMPLES = [
    "he isn't breathing",
    "she won't wake up",
    "his lips are blue",
    "my friend collapsed after using",
    "someone is turning blue",
    "he's not responding",
    "she's barely breathing",
    "he's making gurgling snoring sounds and won't wake",
    "my son is unconscious",
    "i think my boyfriend is overdosing",
    "help me please",
    "oh my god he's not breathing",
    "what do i do he took too much",
    "what to do my friend overdosed",
    "what do i do my friend overdosed",
    "my friend overdosed",
]

EMERGENCY_PERSONS = [
    "he",
    "she",
    "they",
    "my friend",
    "my son",
    "my daughter",
    "my brother",
    "my sister",
    "my husband",
    "my wife",
    "my boyfriend",
    "my girlfriend",
    "my mom",
    "my dad",
    "my roommate",
    "someone",
    "this guy",
    "a man",
    "a woman",
    "my partner",
]

EMERGENCY_STATES = [
    "not breathing",
    "barely breathing",
    "breathing very slowly",
    "won't wake up",
    "unresponsive",
    "passed out",
    "blue lips",
    "lips are blue",
    "turning blue",
    "grey",
    "pale",
    "ashy",
    "cold and clammy",
    "pinpoint pupils",
    "snoring",
    "collapsed",
    "nodding out",
    "overdosing",
    "o. d.",
]

# Words Alexa's built-in intents already own. A bare sample equal to one of these in another
# intent would steal the built-in: a bare "help" must reach AMAZON.HelpIntent, whose answer tells
# the caller to say "emergency" (certification checks that "help" gives help).
BUILTIN_WORDS = {
    "help": "AMAZON.HelpIntent",
    "stop": "AMAZON.StopIntent",
    "quit": "AMAZON.StopIntent",
    "exit": "AMAZON.StopIntent",
    "shut up": "AMAZON.StopIntent",
    "cancel": "AMAZON.CancelIntent",
    "never mind": "AMAZON.CancelIntent",
    "yes": "AMAZON.YesIntent",
    "no": "AMAZON.NoIntent",
    "repeat": "AMAZON.RepeatIntent",
    "next": "AMAZON.NextIntent",
    "skip": "AMAZON.NextIntent",
    "previous": "AMAZON.PreviousIntent",
    "start over": "AMAZON.StartOverIntent",
    "restart": "AMAZON.StartOverIntent",
    "more": "AMAZON.MoreIntent",
    "go home": "AMAZON.NavigateHomeIntent",
    "home": "AMAZON.NavigateHomeIntent",
}
BUILTIN_WORD_OVERRIDES: set[tuple[str, str]] = set()

MEDICATION_VALUES = {
    "methadone",
    "buprenorphine",
    "naltrexone",
    "naloxone",
    "lofexidine",
    "clonidine",
}

LAUNCH_WORDS = {
    "ask",
    "begin",
    "can you",
    "cancel",
    "do",
    "go",
    "launch",
    "load",
    "open",
    "play",
    "resume",
    "run",
    "set",
    "start",
    "stop",
    "talk to",
    "tell",
    "use",
    "enable",
    "show",
    "turn",
    "turn on",
}
WAKE_WORDS = {"alexa", "amazon", "echo", "computer", "ziggy", "skill", "app"}

UTTERANCE_RE = re.compile(r"^[a-z' .{}_]+$")
SLOT_NAMES = {MEDICATION_SLOT, QUESTION_SLOT}
SLOT_RE = re.compile(r"\{([^{}]*)\}")
MAX_UTTERANCE_CHARS = 200


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


def medication_phrases() -> list[str]:
    phrases: list[str] = []
    for value in types()["MEDICATION"]["values"]:
        phrases.append(value["name"]["value"])
        phrases.extend(value["name"].get("synonyms", []))
    return [norm(p) for p in phrases]


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


def test_emergency_intent_has_far_more_samples() -> None:
    emergency = len(samples(EMERGENCY))
    assert emergency >= 150, f"{EMERGENCY} has {emergency} samples, needs at least 150"
    for name in intents():
        if name == EMERGENCY:
            continue
        other = len(samples(name))
        assert emergency >= 3 * other, (
            f"{EMERGENCY} ({emergency} samples) must have far more than {name} ({other})"
        )


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


# ---------------------------------------------------------------------------- utterances


def test_utterance_characters() -> None:
    for name, sample in all_samples():
        assert sample == sample.strip(), f"{name}: {sample!r} has leading/trailing whitespace"
        assert "  " not in sample, f"{name}: {sample!r} has repeated spaces"
        assert UTTERANCE_RE.match(sample), (
            f"{name}: {sample!r} may contain only lower-case letters, spaces, apostrophes, "
            "periods and {medication} (write numbers as words)"
        )
        # Periods only mark spoken letters: "c. b. t.", "o. d."
        for match in re.finditer(r"\.", sample):
            before = sample[: match.start()]
            assert re.search(r"(^|[ ])[a-z]$", before), (
                f"{name}: {sample!r} has a period that does not follow a single spoken letter"
            )
        for slot in SLOT_RE.findall(sample):
            assert slot in SLOT_NAMES, f"{name}: {sample!r} references unknown slot {{{slot}}}"
        stripped = SLOT_RE.sub("", sample)
        assert "{" not in stripped and "}" not in stripped, f"{name}: {sample!r} has stray braces"
        assert re.fullmatch(r"(\{[a-z]+\}|[^{} ]+)( (\{[a-z]+\}|[^{} ]+))*", sample), (
            f"{name}: {sample!r} slot references must stand alone between spaces"
        )
        slots = SLOT_RE.findall(sample)
        assert len(slots) == len(set(slots)), f"{name}: {sample!r} uses a slot twice"
        assert SLOT_RE.sub("", sample).strip(), f"{name}: {sample!r} is only a slot reference"


def test_utterance_length() -> None:
    for name, sample in all_samples():
        assert len(sample) <= MAX_UTTERANCE_CHARS, (
            f"{name}: {sample!r} is {len(sample)} characters (max {MAX_UTTERANCE_CHARS})"
        )


def test_slots_declared_and_typed() -> None:
    custom_types = set(types())
    for name, intent in intents().items():
        declared = {slot["name"]: slot for slot in intent.get("slots", [])}
        for slot_name, slot in declared.items():
            slot_type = slot.get("type", "")
            assert slot_type in custom_types or slot_type.startswith("AMAZON."), (
                f"{name}: slot {slot_name} has unknown type {slot_type!r}"
            )
        for sample in intent.get("samples", []):
            for ref in SLOT_RE.findall(sample):
                assert ref in declared, f"{name}: {sample!r} uses undeclared slot {{{ref}}}"


def expected_slots(name: str) -> list[dict[str, str]]:
    """The slots the contract gives an intent: the medicine, then the question asked."""
    slots = []
    if name == MEDICATION_INTENT:
        slots.append({"name": MEDICATION_SLOT, "type": MEDICATION_SLOT_TYPE})
    if name in QUESTION_INTENTS:
        slots.append({"name": QUESTION_SLOT, "type": QUESTION_SLOT_TYPE})
    return slots


@pytest.mark.parametrize("name", CUSTOM_INTENTS)
def test_slots_follow_the_contract(name: str) -> None:
    slots = intents()[name].get("slots", [])
    assert slots == expected_slots(name), f"{name}: slots {slots}, expected {expected_slots(name)}"


def test_medication_intent_slot() -> None:
    with_slot = [s for s in samples("MedicationIntent") if "{medication}" in s]
    total = len(samples("MedicationIntent"))
    assert 2 * len(with_slot) >= total, (
        f"MedicationIntent: only {len(with_slot)} of {total} samples use {{medication}}"
    )
    for name, sample in all_samples():
        declared = {slot["name"] for slot in intents()[name].get("slots", [])}
        for slot in SLOT_RE.findall(sample):
            assert slot in declared, f"{name}: {sample!r} uses {{{slot}}} but declares no such slot"


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
            assert key not in medication_phrases(), f"QUESTION {phrase!r} is also a medicine"
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


def slot_phrases(slot_type: str) -> list[str]:
    phrases: list[str] = []
    for value in types()[slot_type]["values"]:
        phrases.append(value["name"]["value"])
        phrases.extend(value["name"].get("synonyms", []))
    return [norm(p) for p in phrases]


def test_slot_samples_do_not_shadow_other_intents() -> None:
    """A sample with a slot filled in must not equal another intent's sample."""
    owners = {norm(sample): name for name, sample in all_samples()}
    fillers = {
        MEDICATION_SLOT: slot_phrases(MEDICATION_SLOT_TYPE),
        QUESTION_SLOT: slot_phrases(QUESTION_SLOT_TYPE),
    }
    for name, sample in all_samples():
        for slot, phrases in fillers.items():
            if "{" + slot + "}" not in sample:
                continue
            for phrase in phrases:
                filled = norm(sample.replace("{" + slot + "}", phrase))
                owner = owners.get(filled, name)
                assert owner == name, f"{name}: {sample!r} with {phrase!r} equals {owner}'s sample"


def test_builtin_words_not_stolen() -> None:
    for name, sample in all_samples():
        owner = BUILTIN_WORDS.get(norm(sample))
        if owner is None or owner == name or (norm(sample), name) in BUILTIN_WORD_OVERRIDES:
            continue
        pytest.fail(f"{name}: {sample!r} is {owner}'s own word and would steal it")


# ---------------------------------------------------------------------------- emergency


def test_emergency_required_phrasings() -> None:
    have = {norm(s) for s in samples(EMERGENCY)}
    missing = [s for s in REQUIRED_EMERGENCY_SAMPLES if s not in have]
    assert not missing, f"{EMERGENCY} is missing samples {missing}"


def test_emergency_descriptions_without_the_word_overdose() -> None:
    plain = [s for s in samples(EMERGENCY) if "overdos" not in s and "o. d" not in s]
    assert len(plain) >= 50, (
        f"{EMERGENCY} has only {len(plain)} samples that describe an overdose without saying "
        "'overdose' or 'o. d.'; needs at least 50"
    )


@pytest.mark.parametrize("person", EMERGENCY_PERSONS)
def test_emergency_covers_person(person: str) -> None:
    pattern = re.compile(rf"(^| ){re.escape(person)}('s)?( |$)")
    hits = [s for s in samples(EMERGENCY) if pattern.search(s)]
    assert len(hits) >= 3, f"{EMERGENCY}: only {len(hits)} samples mention {person!r}"


@pytest.mark.parametrize("state", EMERGENCY_STATES)
def test_emergency_covers_state(state: str) -> None:
    hits = [s for s in samples(EMERGENCY) if state in s]
    assert len(hits) >= 2, f"{EMERGENCY}: only {len(hits)} samples describe {state!r}"


def test_informational_intents_do_not_hold_present_tense_emergencies() -> None:
    danger = re.compile(
        r"\b(isn't breathing|not breathing|won't wake|turning blue|lips are blue|unresponsive)\b"
    )
    # Answers to the guide's "Are they breathing?" may say it: "no, he's not breathing".
    answers = {"AMAZON.NoIntent", "AMAZON.YesIntent"}
    for name, sample in all_samples():
        if name != EMERGENCY and name not in answers:
            assert not danger.search(sample), (
                f"{name}: {sample!r} describes an emergency; it belongs in {EMERGENCY}"
            )


# ---------------------------------------------------------------------------- slot type


def test_medication_type() -> None:
    assert "MEDICATION" in types(), "slot type MEDICATION is missing"
    values = types()["MEDICATION"]["values"]
    names = [v["name"]["value"] for v in values]
    assert sorted(names) == sorted(MEDICATION_VALUES), (
        f"MEDICATION values must be exactly {sorted(MEDICATION_VALUES)}, got {names}"
    )
    owner_of: dict[str, str] = {}
    for value in values:
        canonical = value["name"]["value"]
        assert value.get("id") == canonical, f"MEDICATION {canonical}: id must equal the value"
        synonyms = value["name"].get("synonyms", [])
        assert synonyms, f"MEDICATION {canonical} has no synonyms"
        for phrase in [canonical, *synonyms]:
            key = norm(phrase)
            assert re.fullmatch(r"[a-z' .]+", key), (
                f"MEDICATION {canonical}: bad synonym {phrase!r}"
            )
            assert key not in owner_of, (
                f"MEDICATION synonym {phrase!r} is shared by {owner_of[key]} and {canonical}"
            )
            owner_of[key] = canonical
    for phrase, canonical in owner_of.items():
        for other in MEDICATION_VALUES - {canonical}:
            assert other not in phrase.split(), (
                f"MEDICATION {canonical}: synonym {phrase!r} contains another value {other!r}"
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


def phrase_matches_a_sample(utterance: str) -> bool:
    meds = "|".join(re.escape(p) for p in sorted(medication_phrases(), key=len, reverse=True))
    for _, sample in all_samples():
        pattern = re.escape(norm(sample)).replace(re.escape("{medication}"), f"(?:{meds})")
        if re.fullmatch(pattern, utterance):
            return True
    return False


def test_example_phrases() -> None:
    phrases = en_us()["examplePhrases"]
    assert 1 <= len(phrases) <= 3, f"examplePhrases must have 1-3 entries, got {len(phrases)}"
    assert phrases[0] == f"Alexa, open {INVOCATION}", (
        f"first example phrase {phrases[0]!r} must be 'Alexa, open {INVOCATION}'"
    )
    for phrase in phrases[1:]:
        match = re.fullmatch(rf"Alexa, ask {re.escape(INVOCATION)} (.+?)[.?!]?", phrase)
        assert match, f"example phrase {phrase!r} must start 'Alexa, ask {INVOCATION} ...'"
        assert phrase_matches_a_sample(norm(match.group(1))), (
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
