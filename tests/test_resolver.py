"""The local utterance resolver: accuracy on held-out phrasings it never saw, and the samples."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from intents.names import EMERGENCY, FALLBACK, LAUNCH_REQUEST
from speech.content.schema import CRISIS_INTENT
from speech.simulator.nlu.normalise import number_words
from speech.simulator.nlu.resolver import Resolver, resolver_for

HELDOUT_DIR = Path(__file__).parent / "data" / "heldout"
# The sets the model was first built against (the fourth set names intents of issue 12's model).
HELDOUT_FILES = [HELDOUT_DIR / f"en-US{name}.yaml" for name in ("", ".second", ".third")]
ACCURACY_FLOOR = 0.95
# The development half of the new-topic phrasings, written blind from INTENTS.md (its sealed half
# is kept for the end). Used to find errors, never copied into the model. The floor is what the
# resolver reaches on the utterances that are not also samples (90 of 97; 97 of all 104), below
# the 95% aimed at; every crisis statement must reach crisis.
TOPICS_FILE = HELDOUT_DIR / "en-US.topics.yaml"
TOPICS_FLOOR = 0.92
# The held-out writers labelled the medicine only (INTENTS.md); the question slot is checked by
# the phrasings below.
LABELLED_SLOTS = {"medication"}
# The first sets were labelled before issue 11 gave these meanings intents of their own (INTENTS.md:
# quitting for yourself, fentanyl and test strips, where to get naloxone, getting a loved one into
# treatment). The files stay as written; the test reads these entries with the new labels.
RELABELLED = {
    "i want to quit": "QuitIntent",
    "i need help getting off heroin": "QuitIntent",
    "i need help getting off dope": "QuitIntent",
    "i'm ready to get clean where do i start": "QuitIntent",
    "i want to stop using fent": "QuitIntent",
    "are fentanyl test strips reliable": "FentanylIntent",
    "is there fentanyl in heroin now": "FentanylIntent",
    "do fentanyl test strips work": "FentanylIntent",
    "what are fentanyl test strips for": "FentanylIntent",
    "can i buy narcan without a prescription": "GetNaloxoneIntent",
    "should i keep naloxone in the house": "GetNaloxoneIntent",
    "should i keep narcan in the house": "GetNaloxoneIntent",
    "how do i get my son into treatment": "FamilyHelpIntent",
}


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return resolver_for("en-US")


def heldout(path: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    if path in HELDOUT_FILES:
        for entry in entries:
            if entry["utterance"] in RELABELLED:
                entry["intent"] = RELABELLED[entry["utterance"]]
                entry.pop("slots", None)
    return entries


def correct(resolver: Resolver, entry: dict[str, Any]) -> bool:
    resolution = resolver.resolve(str(entry["utterance"]))
    slots = {name: value for name, value in resolution.slots.items() if name in LABELLED_SLOTS}
    return resolution.intent == entry["intent"] and slots == (entry.get("slots") or {})


def unseen(resolver: Resolver, paths: list[Path]) -> list[dict[str, Any]]:
    """Held-out utterances that are not, once normalised, also a sample of the model.

    The sets were written without sight of the model, but common phrasings ("he isn't
    breathing") occur in both; only the others measure generalisation.
    """
    samples = set(resolver.samples)
    return [
        entry
        for path in paths
        for entry in heldout(path)
        if resolver.normalise(str(entry["utterance"])) not in samples
    ]


def test_accuracy_on_unseen_heldout_utterances_reaches_the_floor(resolver: Resolver) -> None:
    entries = unseen(resolver, HELDOUT_FILES)
    assert len(entries) >= 800
    wrong = [e["utterance"] for e in entries if not correct(resolver, e)]
    accuracy = 1 - len(wrong) / len(entries)
    assert accuracy >= ACCURACY_FLOOR, f"{accuracy:.3f}: {wrong[:20]}"


def test_accuracy_on_the_new_topic_phrasings_reaches_its_floor(resolver: Resolver) -> None:
    entries = unseen(resolver, [TOPICS_FILE])
    assert len(entries) >= 90
    wrong = [(e["utterance"], e["intent"]) for e in entries if not correct(resolver, e)]
    accuracy = 1 - len(wrong) / len(entries)
    assert accuracy >= TOPICS_FLOOR, f"{accuracy:.3f}: {wrong}"


def test_every_heldout_crisis_statement_reaches_crisis(resolver: Resolver) -> None:
    crises = [e["utterance"] for e in heldout(TOPICS_FILE) if e["intent"] == CRISIS_INTENT]
    assert len(crises) >= 10
    missed = [u for u in crises if resolver.resolve(u).intent != CRISIS_INTENT]
    assert missed == []


@pytest.mark.parametrize("path", [*HELDOUT_FILES, TOPICS_FILE], ids=lambda p: p.name)
def test_every_heldout_emergency_resolves_to_the_emergency(resolver: Resolver, path: Path) -> None:
    missed = [
        e["utterance"]
        for e in heldout(path)
        if e["intent"] == EMERGENCY and resolver.resolve(e["utterance"]).intent != EMERGENCY
    ]
    assert missed == []


def test_every_sample_resolves_to_its_own_intent(resolver: Resolver) -> None:
    model = orjson.loads(
        (
            Path(__file__).parent.parent / "interaction_model/interactionModels/custom/en-US.json"
        ).read_bytes()
    )["interactionModel"]["languageModel"]
    # Each slot said as a caller would say it, and the id Alexa would resolve it to. A sample
    # that says a question in words ("how long") must use the slot, as Alexa fills it only there.
    fillers = {"medication": ("suboxone", "buprenorphine"), "question": ("how long", "how_long")}
    wrong = []
    for intent in model["intents"]:
        for sample in intent.get("samples", []):
            utterance, expected_slots = sample, {}
            for slot, (said, value) in fillers.items():
                if "{" + slot + "}" in sample:
                    utterance = utterance.replace("{" + slot + "}", said)
                    expected_slots[slot] = value
            resolution = resolver.resolve(utterance)
            if resolution.intent != intent["name"] or dict(resolution.slots) != expected_slots:
                wrong.append((sample, resolution.intent, dict(resolution.slots)))
    assert wrong == []


@pytest.mark.parametrize(
    ("utterance", "intent", "slots"),
    [
        ("open heroin help", LAUNCH_REQUEST, {}),
        ("Alexa, open Heroin Help", LAUNCH_REQUEST, {}),
        ("ask heroin help what to do, my friend overdosed", EMERGENCY, {}),
        ("tell heroin help he isn't breathing", EMERGENCY, {}),
        ("ask heroin help about Narcan", "MedicationIntent", {"medication": "naloxone"}),
        ("WHAT IS SUBOXONE?", "MedicationIntent", {"medication": "buprenorphine"}),
        ("what's vivitrol", "MedicationIntent", {"medication": "naltrexone"}),
        ("what is lucemyra", "MedicationIntent", {"medication": "lofexidine"}),
        ("she won't wake up", EMERGENCY, {}),
        ("his lips are blue", EMERGENCY, {}),
        ("he isn't breathing", EMERGENCY, {}),
        ("what are the signs of an overdose", "OverdoseSignsIntent", {}),
        ("stop", "AMAZON.StopIntent", {}),
        ("yes", "AMAZON.YesIntent", {}),
        ("no", "AMAZON.NoIntent", {}),
        ("help", "AMAZON.HelpIntent", {}),
        ("next", "AMAZON.NextIntent", {}),
        ("what now", "AMAZON.NextIntent", {}),
        ("repeat", "AMAZON.RepeatIntent", {}),
        ("go back", "AMAZON.PreviousIntent", {}),
        ("start over", "AMAZON.StartOverIntent", {}),
        ("set a timer for ten minutes", FALLBACK, {}),
        ("order a large pizza", FALLBACK, {}),
        # Issue 11: the questions the skill could not answer, each to the topic that answers it.
        ("i want to kill myself", CRISIS_INTENT, {}),
        ("ask heroin help i want to kill myself", CRISIS_INTENT, {}),
        ("will i get arrested if i call 911", "GoodSamaritanIntent", {}),
        ("what is the good samaritan law", "GoodSamaritanIntent", {}),
        ("i'm scared the police will come", "GoodSamaritanIntent", {}),
        ("what is fentanyl", "FentanylIntent", {}),
        ("does narcan work on xylazine", "XylazineIntent", {}),
        ("where can i get narcan", "GetNaloxoneIntent", {}),
        ("how do i quit heroin", "QuitIntent", {}),
        ("how do i help my son who uses heroin", "FamilyHelpIntent", {}),
        ("what is nar-anon", "FamilyHelpIntent", {}),
        ("is it withdrawal or overdose", "WithdrawalOrOverdoseIntent", {}),
        ("where can i get clean needles", "HarmReductionIntent", {"question": "where"}),
        ("how long does withdrawal last", "WithdrawalIntent", {"question": "how_long"}),
        (
            "is methadone safe",
            "MedicationIntent",
            {"medication": "methadone", "question": "safety"},
        ),
        (
            "what are the side effects of suboxone",
            "MedicationIntent",
            {"medication": "buprenorphine", "question": "side_effects"},
        ),
        ("are fentanyl test strips legal", "FentanylIntent", {"question": "legal"}),
    ],
)
def test_phrasings(resolver: Resolver, utterance: str, intent: str, slots: dict[str, str]) -> None:
    resolution = resolver.resolve(utterance)
    assert (resolution.intent, dict(resolution.slots)) == (intent, slots)


def test_normalisation(resolver: Resolver) -> None:
    assert resolver.normalise("He ISN'T breathing!!") == resolver.normalise("he is not breathing")
    assert resolver.normalise("what is C.B.T.") == resolver.normalise("what is c. b. t.")
    assert number_words("911") == "nine one one"
    assert number_words("90") == "ninety"
    assert number_words("30") == "thirty"
    assert resolver.normalise("call 911") == "call nine one one"


def test_resolve_command_prints_one_json_object_per_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "skill.cli", "resolve"],
        input="what is suboxone\n\nmy friend isn't breathing\n",
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    lines = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert lines == [
        {
            "utterance": "what is suboxone",
            "intent": "MedicationIntent",
            "slots": {"medication": "buprenorphine"},
        },
        {"utterance": "my friend isn't breathing", "intent": EMERGENCY, "slots": {}},
    ]
    assert all(re.fullmatch(r"\{.*\}", line) for line in result.stdout.splitlines())


@pytest.mark.parametrize(
    ("utterance", "intent"),
    [
        # Crisis outranks whatever else the words resemble ("help me" is an emergency sample) ...
        ("help me i want to die", CRISIS_INTENT),
        ("my son overdosed last year and now he says he wants to kill himself", CRISIS_INTENT),
        ("i feel like hurting myself tonight", CRISIS_INTENT),
        # ... except an overdose happening now, which is the emergency ...
        ("i took all my pills and i want to die", EMERGENCY),
        ("he's not breathing and he said he wanted to die", EMERGENCY),
        # ... and a sentence that only sounds like one is not a crisis.
        ("i don't want to die when i use", "NeverUseAloneIntent"),
        ("my sister nodded off and won't wake up", EMERGENCY),
        # Asking which it is, or about one that is over, is a question; happening now is not.
        ("is she overdosing or withdrawing", "WithdrawalOrOverdoseIntent"),
        ("is he overdosing or withdrawing he's not breathing", EMERGENCY),
        ("my brother overdosed last week what do we do now", "AfterOverdoseIntent"),
        ("she overdosed last night and now she won't wake up", EMERGENCY),
    ],
)
def test_priority_rules(resolver: Resolver, utterance: str, intent: str) -> None:
    assert resolver.resolve(utterance).intent == intent
