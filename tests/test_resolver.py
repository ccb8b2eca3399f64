"""The local utterance resolver: held-out phrasings it never saw, and each behaviour the skill
relies on (the emergency, the guide's moves, what it must reject, how it reads speech)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from intents.names import EMERGENCY, FALLBACK, LAUNCH_REQUEST, NAVIGATION, STOP
from speech.content.schema import CPR_RHYTHM_INTENT, CRISIS_INTENT, REPORT_INTENT
from speech.simulator.nlu.normalise import number_words
from speech.simulator.nlu.phonetic import sound_key
from speech.simulator.nlu.resolver import Resolver, interaction_model, resolver_for
from tests.heldout import (
    FOURTH_SET,
    LEGACY_SETS,
    OPEN_SETS,
    SIXTH_SET,
    cross_validated_rejection,
    load,
    score,
    with_sensitivity,
)

# Floors per held-out set, below what the resolver measures today (tests/heldout.py prints
# the figures): accuracy (intent and labelled slots), emergencies found, out-of-domain
# requests rejected, and the most in-domain requests the out-of-domain model may reject.
FLOORS = {
    "en-US.yaml": {"accuracy": 0.965, "recall": 99, "rejected": 0, "false_rejects": 1},
    "en-US.second.yaml": {"accuracy": 0.96, "recall": 94, "rejected": 0, "false_rejects": 2},
    "en-US.third.yaml": {"accuracy": 0.96, "recall": 94, "rejected": 0, "false_rejects": 2},
    "en-US.fourth.yaml": {"accuracy": 0.985, "recall": 104, "rejected": 78, "false_rejects": 0},
    "en-US.topics.yaml": {"accuracy": 0.99, "recall": 0, "rejected": 0, "false_rejects": 0},
    "en-US.sixth.yaml": {"accuracy": 0.98, "recall": 117, "rejected": 72, "false_rejects": 0},
    "en-US.fifth.yaml": {"accuracy": 0.965, "recall": 104, "rejected": 68, "false_rejects": 1},
    "en-US.seventh.yaml": {"accuracy": 0.975, "recall": 116, "rejected": 74, "false_rejects": 2},
    "en-US.topics-second.yaml": {"accuracy": 0.98, "recall": 0, "rejected": 0, "false_rejects": 0},
    "en-US.eighth.yaml": {"accuracy": 0.98, "recall": 106, "rejected": 66, "false_rejects": 0},
    "en-US.topics-third.yaml": {"accuracy": 0.99, "recall": 0, "rejected": 0, "false_rejects": 0},
    "en-US.ninth.yaml": {"accuracy": 0.97, "recall": 106, "rejected": 66, "false_rejects": 1},
    "en-US.topics-fourth.yaml": {"accuracy": 0.96, "recall": 0, "rejected": 0, "false_rejects": 1},
    "en-US.tenth.yaml": {"accuracy": 0.965, "recall": 132, "rejected": 69, "false_rejects": 1},
    "en-US.topics-fifth.yaml": {"accuracy": 0.975, "recall": 0, "rejected": 0, "false_rejects": 0},
    "en-US.topics-sixth.yaml": {"accuracy": 0.975, "recall": 0, "rejected": 0, "false_rejects": 0},
    "en-US.eleventh.yaml": {"accuracy": 0.975, "recall": 135, "rejected": 76, "false_rejects": 0},
    "en-US.thirteenth.yaml": {"accuracy": 0.96, "recall": 138, "rejected": 72, "false_rejects": 0},
    "en-US.topics-ninth.yaml": {"accuracy": 0.975, "recall": 0, "rejected": 0, "false_rejects": 1},
    "en-US.fourteenth.yaml": {"accuracy": 0.96, "recall": 133, "rejected": 72, "false_rejects": 1},
    "en-US.topics-tenth.yaml": {"accuracy": 0.965, "recall": 0, "rejected": 0, "false_rejects": 2},
    "en-US.fifteenth.yaml": {"accuracy": 0.975, "recall": 135, "rejected": 78, "false_rejects": 1},
    "en-US.topics-eleventh.yaml": {
        "accuracy": 0.935,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.sixteenth.yaml": {"accuracy": 0.955, "recall": 134, "rejected": 74, "false_rejects": 1},
    "en-US.topics-twelfth.yaml": {
        "accuracy": 0.96,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.seventeenth.yaml": {"accuracy": 0.96, "recall": 134, "rejected": 72, "false_rejects": 3},
    "en-US.topics-thirteenth.yaml": {
        "accuracy": 0.99,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 0,
    },
    "en-US.eighteenth.yaml": {"accuracy": 0.99, "recall": 135, "rejected": 79, "false_rejects": 0},
    "en-US.topics-fourteenth.yaml": {
        "accuracy": 0.96,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.nineteenth.yaml": {"accuracy": 0.965, "recall": 138, "rejected": 73, "false_rejects": 0},
    "en-US.topics-fifteenth.yaml": {
        "accuracy": 0.98,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 1,
    },
    "en-US.twentieth.yaml": {"accuracy": 0.95, "recall": 134, "rejected": 74, "false_rejects": 3},
    "en-US.topics-sixteenth.yaml": {
        "accuracy": 0.98,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.twenty-first.yaml": {
        "accuracy": 0.97,
        "recall": 140,
        "rejected": 77,
        "false_rejects": 1,
    },
    "en-US.topics-seventeenth.yaml": {
        "accuracy": 0.965,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.twenty-second.yaml": {
        "accuracy": 0.975,
        "recall": 135,
        "rejected": 73,
        "false_rejects": 1,
    },
    "en-US.topics-eighteenth.yaml": {
        "accuracy": 0.965,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 0,
    },
    "en-US.twenty-fourth.yaml": {
        "accuracy": 0.985,
        "recall": 135,
        "rejected": 76,
        "false_rejects": 1,
    },
    "en-US.topics-twentieth.yaml": {
        "accuracy": 0.97,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 1,
    },
    "en-US.twenty-fifth.yaml": {
        "accuracy": 0.97,
        "recall": 174,
        "rejected": 63,
        "false_rejects": 1,
    },
    "en-US.twenty-sixth.yaml": {
        "accuracy": 0.925,
        "recall": 168,
        "rejected": 66,
        "false_rejects": 4,
    },
    "en-US.topics-seventh.yaml": {
        "accuracy": 0.975,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 0,
    },
    "en-US.twelfth.yaml": {
        "accuracy": 0.980,
        "recall": 138,
        "rejected": 77,
        "false_rejects": 3,
    },
    "en-US.topics-eighth.yaml": {
        "accuracy": 0.965,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.twenty-third.yaml": {
        "accuracy": 0.980,
        "recall": 139,
        "rejected": 75,
        "false_rejects": 2,
    },
    "en-US.topics-nineteenth.yaml": {
        "accuracy": 0.980,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.twenty-seventh.yaml": {
        "accuracy": 0.975,
        "recall": 169,
        "rejected": 65,
        "false_rejects": 2,
    },
    "en-US.twenty-eighth.yaml": {
        "accuracy": 0.960,
        "recall": 170,
        "rejected": 67,
        "false_rejects": 4,
    },
    "en-US.twenty-ninth.yaml": {
        "accuracy": 0.980,
        "recall": 170,
        "rejected": 66,
        "false_rejects": 2,
    },
    "en-US.thirtieth.yaml": {
        "accuracy": 0.970,
        "recall": 172,
        "rejected": 65,
        "false_rejects": 4,
    },
    "en-US.topics-twenty-first.yaml": {
        "accuracy": 0.975,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.thirty-first.yaml": {
        "accuracy": 0.980,
        "recall": 169,
        "rejected": 65,
        "false_rejects": 1,
    },
    "en-US.topics-twenty-second.yaml": {
        "accuracy": 0.990,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 1,
    },
    "en-US.thirty-second.yaml": {
        "accuracy": 0.990,
        "recall": 169,
        "rejected": 68,
        "false_rejects": 1,
    },
    "en-US.thirty-third.yaml": {
        "accuracy": 0.980,
        "recall": 170,
        "rejected": 67,
        "false_rejects": 1,
    },
    "en-US.thirty-fourth.yaml": {
        "accuracy": 0.980,
        "recall": 168,
        "rejected": 67,
        "false_rejects": 3,
    },
    "en-US.topics-twenty-third.yaml": {
        "accuracy": 0.970,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.topics-twenty-fourth.yaml": {
        "accuracy": 0.960,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.topics-twenty-fifth.yaml": {
        "accuracy": 0.970,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 3,
    },
    "en-US.thirty-sixth.yaml": {
        "accuracy": 0.965,
        "recall": 168,
        "rejected": 67,
        "false_rejects": 4,
    },
    "en-US.thirty-seventh.yaml": {
        "accuracy": 0.990,
        "recall": 170,
        "rejected": 67,
        "false_rejects": 1,
    },
    "en-US.topics-twenty-seventh.yaml": {
        "accuracy": 0.970,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.topics-twenty-eighth.yaml": {
        "accuracy": 0.995,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 1,
    },
    "en-US.topics-twenty-ninth.yaml": {
        "accuracy": 0.975,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 1,
    },
    "en-US.topics-thirtieth.yaml": {
        "accuracy": 0.970,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 1,
    },
    "en-US.topics-thirty-first.yaml": {
        "accuracy": 0.975,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.thirty-eighth.yaml": {
        "accuracy": 0.970,
        "recall": 167,
        "rejected": 64,
        "false_rejects": 3,
    },
    "en-US.thirty-ninth.yaml": {
        "accuracy": 0.975,
        "recall": 170,
        "rejected": 65,
        "false_rejects": 1,
    },
    "en-US.thirty-fifth.yaml": {
        "accuracy": 0.990,
        "recall": 170,
        "rejected": 67,
        "false_rejects": 1,
    },
    "en-US.topics-twenty-sixth.yaml": {
        "accuracy": 0.965,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 1,
    },
    "en-US.fortieth.yaml": {
        "accuracy": 0.985,
        "recall": 170,
        "rejected": 69,
        "false_rejects": 3,
    },
    "en-US.forty-first.yaml": {
        "accuracy": 0.980,
        "recall": 170,
        "rejected": 67,
        "false_rejects": 2,
    },
    "en-US.topics-thirty-second.yaml": {
        "accuracy": 0.975,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 1,
    },
    "en-US.topics-thirty-third.yaml": {
        "accuracy": 0.970,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.forty-third.yaml": {
        "accuracy": 0.945,
        "recall": 169,
        "rejected": 64,
        "false_rejects": 6,
    },
    "en-US.forty-fourth.yaml": {
        "accuracy": 0.960,
        "recall": 166,
        "rejected": 68,
        "false_rejects": 6,
    },
    "en-US.topics-thirty-fifth.yaml": {
        "accuracy": 0.970,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.topics-thirty-sixth.yaml": {
        "accuracy": 0.970,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 1,
    },
    "en-US.forty-fifth.yaml": {
        "accuracy": 0.980,
        "recall": 170,
        "rejected": 65,
        "false_rejects": 1,
    },
    "en-US.forty-sixth.yaml": {
        "accuracy": 0.975,
        "recall": 170,
        "rejected": 66,
        "false_rejects": 2,
    },
    "en-US.topics-thirty-seventh.yaml": {
        "accuracy": 0.965,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.topics-thirty-eighth.yaml": {
        "accuracy": 0.970,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 1,
    },
    "en-US.forty-seventh.yaml": {
        "accuracy": 0.980,
        "recall": 173,
        "rejected": 65,
        "false_rejects": 1,
    },
    "en-US.forty-eighth.yaml": {
        "accuracy": 0.970,
        "recall": 172,
        "rejected": 66,
        "false_rejects": 2,
    },
    "en-US.topics-thirty-ninth.yaml": {
        "accuracy": 0.915,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.topics-fortieth.yaml": {
        "accuracy": 0.950,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 3,
    },
    "en-US.forty-ninth.yaml": {
        "accuracy": 0.955,
        "recall": 170,
        "rejected": 63,
        "false_rejects": 4,
    },
    "en-US.fiftieth.yaml": {
        "accuracy": 0.980,
        "recall": 169,
        "rejected": 67,
        "false_rejects": 3,
    },
    "en-US.topics-forty-first.yaml": {
        "accuracy": 0.940,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 1,
    },
    "en-US.topics-forty-second.yaml": {
        "accuracy": 0.960,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 3,
    },
    "en-US.fifty-first.yaml": {
        "accuracy": 0.975,
        "recall": 167,
        "rejected": 66,
        "false_rejects": 3,
    },
    "en-US.fifty-second.yaml": {
        "accuracy": 0.970,
        "recall": 166,
        "rejected": 68,
        "false_rejects": 2,
    },
    "en-US.topics-forty-third.yaml": {
        "accuracy": 0.970,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 1,
    },
    "en-US.topics-forty-fourth.yaml": {
        "accuracy": 0.965,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 1,
    },
    "en-US.fifty-fourth.yaml": {
        "accuracy": 0.970,
        "recall": 171,
        "rejected": 64,
        "false_rejects": 2,
    },
    "en-US.fifty-fifth.yaml": {
        "accuracy": 0.965,
        "recall": 169,
        "rejected": 65,
        "false_rejects": 2,
    },
    "en-US.topics-forty-sixth.yaml": {
        "accuracy": 0.970,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 1,
    },
    "en-US.topics-forty-seventh.yaml": {
        "accuracy": 0.960,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 1,
    },
    "en-US.forty-second.yaml": {
        "accuracy": 0.985,
        "recall": 171,
        "rejected": 66,
        "false_rejects": 1,
    },
    "en-US.topics-thirty-fourth.yaml": {
        "accuracy": 0.985,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 1,
    },
    "en-US.fifty-sixth.yaml": {
        "accuracy": 0.975,
        "recall": 169,
        "rejected": 65,
        "false_rejects": 1,
    },
    "en-US.fifty-seventh.yaml": {
        "accuracy": 0.960,
        "recall": 169,
        "rejected": 69,
        "false_rejects": 5,
    },
    "en-US.topics-forty-eighth.yaml": {
        "accuracy": 0.965,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 1,
    },
    "en-US.topics-forty-ninth.yaml": {
        "accuracy": 0.935,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 1,
    },
    "en-US.fifty-eighth.yaml": {
        "accuracy": 0.975,
        "recall": 170,
        "rejected": 67,
        "false_rejects": 1,
    },
    "en-US.fifty-ninth.yaml": {
        "accuracy": 0.975,
        "recall": 173,
        "rejected": 63,
        "false_rejects": 1,
    },
    "en-US.topics-fiftieth.yaml": {
        "accuracy": 0.915,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.topics-fifty-first.yaml": {
        "accuracy": 0.970,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.sixtieth.yaml": {
        "accuracy": 0.950,
        "recall": 169,
        "rejected": 61,
        "false_rejects": 3,
    },
    "en-US.sixty-first.yaml": {
        "accuracy": 0.970,
        "recall": 169,
        "rejected": 67,
        "false_rejects": 5,
    },
    "en-US.topics-fifty-second.yaml": {
        "accuracy": 0.945,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 5,
    },
    "en-US.topics-fifty-third.yaml": {
        "accuracy": 0.940,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.sixty-second.yaml": {
        "accuracy": 0.975,
        "recall": 169,
        "rejected": 66,
        "false_rejects": 2,
    },
    "en-US.sixty-third.yaml": {
        "accuracy": 0.970,
        "recall": 169,
        "rejected": 66,
        "false_rejects": 4,
    },
    "en-US.topics-fifty-fourth.yaml": {
        "accuracy": 0.920,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.topics-fifty-fifth.yaml": {
        "accuracy": 0.945,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 3,
    },
    "en-US.fifty-third.yaml": {
        "accuracy": 0.985,
        "recall": 170,
        "rejected": 65,
        "false_rejects": 1,
    },
    "en-US.topics-forty-fifth.yaml": {
        "accuracy": 0.985,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.sixty-fifth.yaml": {
        "accuracy": 0.950,
        "recall": 169,
        "rejected": 64,
        "false_rejects": 3,
    },
    "en-US.topics-fifty-seventh.yaml": {
        "accuracy": 0.965,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.sixty-sixth.yaml": {
        "accuracy": 0.940,
        "recall": 168,
        "rejected": 60,
        "false_rejects": 5,
    },
    "en-US.topics-fifty-eighth.yaml": {
        "accuracy": 0.960,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 2,
    },
    "en-US.sixty-seventh.yaml": {
        "accuracy": 0.960,
        "recall": 170,
        "rejected": 63,
        "false_rejects": 3,
    },
    "en-US.topics-fifty-ninth.yaml": {
        "accuracy": 0.960,
        "recall": 0,
        "rejected": 0,
        "false_rejects": 3,
    },
}
# Out-of-domain requests never seen, rejected (5-fold over background): issue 12's goal. The
# background now holds frames the topics use ("how long ...", "how do i quit ...") about other
# things, which the folds find harder than the plain requests they replaced.
SENSITIVITY_GOAL = 0.80
SENSITIVITY_COST = 0.01  # in-domain requests it may reject


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return resolver_for("en-US")


def said(resolver: Resolver, utterance: str) -> tuple[str, dict[str, str]]:
    resolution = resolver.resolve(utterance)
    return resolution.intent, dict(resolution.slots)


# Held-out sets


@pytest.mark.parametrize("path", OPEN_SETS, ids=lambda p: p.name)
def test_heldout_set_reaches_its_floors(resolver: Resolver, path: Path) -> None:
    result = score(resolver, load(path), path.name)
    floor = FLOORS[path.name]
    wrong = [(e.utterance, r.intent) for e, r in result.wrong]
    assert result.accuracy >= floor["accuracy"], (result.summary(), wrong[:20])
    assert result.emergencies_found >= floor["recall"], result.summary()
    assert result.rejected >= floor["rejected"], result.summary()
    assert result.false_rejects <= floor["false_rejects"], result.summary()
    assert result.taken_as_navigation == 0, result.summary()


def test_no_heldout_set_is_scored_on_intents_the_model_lacks(resolver: Resolver) -> None:
    """Every intent a set names is in the model: none is left out of the score."""
    for path in OPEN_SETS:
        assert score(resolver, load(path), path.name).excluded == 0, path.name


def test_the_fallback_sensitivity_earns_its_level() -> None:
    """The level in the model rejects the goal's share of out-of-domain requests it never saw
    at a small cost in-domain; the level below it does not reach the goal."""
    language = interaction_model("en-US")["interactionModel"]["languageModel"]
    level = language["modelConfiguration"]["fallbackIntentSensitivity"]["level"]
    unseen = cross_validated_rejection(with_sensitivity(level))
    assert unseen.rate >= SENSITIVITY_GOAL and unseen.taken_as_navigation <= 1
    lost = in_domain = 0
    chosen = resolver_for("en-US")
    for path in (*LEGACY_SETS, FOURTH_SET, SIXTH_SET):
        result = score(chosen, load(path), path.name)
        lost += result.false_rejects
        in_domain += result.in_domain
    assert lost / in_domain <= SENSITIVITY_COST
    below = {"HIGH": "MEDIUM", "MEDIUM": "LOW"}.get(level)
    if below is not None:
        assert cross_validated_rejection(with_sensitivity(below)).rate < SENSITIVITY_GOAL


# The model's own samples


def test_every_sample_resolves_to_its_own_intent(resolver: Resolver) -> None:
    """Each sample, its slots filled with each type's first value, is its own intent."""
    language = interaction_model("en-US")["interactionModel"]["languageModel"]
    first = {t["name"]: t["values"][0] for t in language["types"]}
    wrong = []
    for intent in language["intents"]:
        kinds = {slot["name"]: slot["type"] for slot in intent.get("slots", [])}
        for sample in intent.get("samples", []):
            utterance, expected = sample, {}
            for slot in re.findall(r"\{(\w+)\}", sample):
                value = first[kinds[slot]]
                utterance = utterance.replace(f"{{{slot}}}", value["name"]["value"])
                expected[slot] = value["id"]
            intent_name, slots = said(resolver, utterance)
            if intent_name != intent["name"] or not expected.items() <= slots.items():
                wrong.append((sample, intent_name, slots))
    assert wrong == []


# Phrasings


@pytest.mark.parametrize(
    ("utterance", "intent", "slots"),
    [
        ("open heroin help", LAUNCH_REQUEST, {}),
        ("Alexa, open Heroin Help", LAUNCH_REQUEST, {}),
        ("heroin help", LAUNCH_REQUEST, {}),
        ("ask heroin help what to do, my friend overdosed", EMERGENCY,
         {"person": "someone", "sign": "overdosing"}),
        ("tell heroin help he isn't breathing", EMERGENCY,
         {"person": "someone", "sign": "not_breathing"}),
        ("ask heroin help about Narcan", "MedicationIntent", {"medication": "naloxone"}),
        ("WHAT IS SUBOXONE?", "MedicationIntent", {"medication": "buprenorphine"}),
        ("what's vivitrol", "MedicationIntent", {"medication": "naltrexone"}),
        ("what is lucemyra", "MedicationIntent", {"medication": "lofexidine"}),
        ("my friend is overdosing", EMERGENCY, {"person": "someone", "sign": "overdosing"}),
        ("my boyfriend isn't breathing", EMERGENCY, {"person": "someone", "sign": "not_breathing"}),
        ("she won't wake up", EMERGENCY, {"person": "someone", "sign": "unresponsive"}),
        ("his lips are blue", EMERGENCY, {"sign": "blue"}),
        ("help he's blue", EMERGENCY, {"person": "someone", "sign": "blue"}),
        ("overdose", EMERGENCY, {}),
        ("emergency", EMERGENCY, {}),
        ("overdose overdose help", EMERGENCY, {}),
        ("my friend took fentanyl and collapsed", EMERGENCY,
         {"person": "someone", "substance": "fentanyl", "sign": "collapsed"}),
        ("what are the signs of an overdose", "OverdoseSignsIntent", {}),
        ("how do you know if someone is overdosing", "OverdoseSignsIntent", {}),
        ("we have narcan", REPORT_INTENT, {"report": "has_naloxone"}),
        ("yeah he's breathing now", REPORT_INTENT, {"person": "someone", "report": "breathing"}),
        ("i gave her the second dose", REPORT_INTENT, {"report": "gave_naloxone"}),
        ("my phone is dead", REPORT_INTENT, {"report": "no_phone"}),
        ("i called nine one one", REPORT_INTENT, {"report": "called"}),
        ("i'm on the phone with 911", REPORT_INTENT, {"report": "called"}),
        ("we rang an ambulance", REPORT_INTENT, {"report": "called"}),
        ("no she's not breathing", EMERGENCY, {"person": "someone", "sign": "not_breathing"}),
        ("count for me", CPR_RHYTHM_INTENT, {}),
        ("help me keep the rhythm", CPR_RHYTHM_INTENT, {}),
        ("stop", "AMAZON.StopIntent", {}),
        ("yes", "AMAZON.YesIntent", {}),
        ("no", "AMAZON.NoIntent", {}),
        ("no thanks", "AMAZON.NoIntent", {}),
        ("help", "AMAZON.HelpIntent", {}),
        ("next", "AMAZON.NextIntent", {}),
        ("what now", "AMAZON.NextIntent", {}),
        ("repeat", "AMAZON.RepeatIntent", {}),
        ("go back", "AMAZON.PreviousIntent", {}),
        ("start over", "AMAZON.StartOverIntent", {}),
        ("set a timer for ten minutes", FALLBACK, {}),
        ("order a large pizza", FALLBACK, {}),
    ],
)  # fmt: skip
def test_phrasings(resolver: Resolver, utterance: str, intent: str, slots: dict[str, str]) -> None:
    assert said(resolver, utterance) == (intent, slots)


# Inside a guide only clear navigation or a report moves the steps


@pytest.mark.parametrize("utterance", ["goodbye", "i'm done", "that's all", "i'm done goodbye"])
def test_leaving_words_stop_rather_than_move_on(resolver: Resolver, utterance: str) -> None:
    assert resolver.resolve(utterance).intent == STOP


@pytest.mark.parametrize(
    "utterance",
    [
        "call mom", "tell me a joke", "turn on the lights", "play some music",
        "translate good morning into spanish", "what time is it in sydney", "next episode please",
        "skip this song", "yes play it", "no not that one play the other album",
        "tell me more about the weather", "repeat the playlist", "start the podcast over",
    ],
)  # fmt: skip
def test_requests_for_the_speaker_never_move_the_guide(resolver: Resolver, utterance: str) -> None:
    intent = resolver.resolve(utterance).intent
    assert intent == FALLBACK, intent
    assert intent not in NAVIGATION


# Swallowing and naloxone now: CONTENT.md's routing rule


@pytest.mark.parametrize(
    ("utterance", "person", "substance"),
    [
        ("my toddler swallowed one of my methadone pills", "child", "methadone"),
        ("the baby chewed on a suboxone strip", "child", "buprenorphine"),
        ("my three year old got into my oxycodone", "child", "oxycodone"),
        ("our dog ate a fentanyl patch", "pet", "fentanyl"),
        ("the cat licked some heroin off the table", "pet", "heroin"),
        ("my grandma swallowed too many of her pain pills", "someone", "opioid_pills"),
        ("my kid might have eaten one of my percocets", "child", "oxycodone"),
    ],
)
def test_swallowing_an_opioid_is_the_emergency(
    resolver: Resolver, utterance: str, person: str, substance: str
) -> None:
    intent, slots = said(resolver, utterance)
    assert intent == EMERGENCY
    assert slots.get("person") == person and slots.get("substance") == substance
    assert slots.get("sign") == "swallowed"


@pytest.mark.parametrize(
    "utterance", ["the baby ate some dirt", "my dog ate a grape", "my toddler swallowed a penny"]
)
def test_swallowing_something_else_is_not(resolver: Resolver, utterance: str) -> None:
    assert resolver.resolve(utterance).intent != EMERGENCY


@pytest.mark.parametrize(
    "utterance",
    [
        "quick how do i use narcan",
        "where do i spray the nar can",
        "does the narcan go in the nose or the leg hurry",
        "he's going grey how do i use the naloxone",
        "i've got the narcan right here how do i give it",
    ],
)
def test_naloxone_needed_now_is_the_emergency(resolver: Resolver, utterance: str) -> None:
    assert said(resolver, utterance)[0] == EMERGENCY
    assert (
        said(resolver, utterance)[1].get("need") == "naloxone_how"
        or "sign" in said(resolver, utterance)[1]
    )


@pytest.mark.parametrize(
    ("utterance", "question"),
    [
        ("what is narcan", None),
        ("what does naloxone do", None),
        ("is narcan safe for kids", "safety"),
    ],
)
def test_naloxone_questions_stay_questions(
    resolver: Resolver, utterance: str, question: str | None
) -> None:
    asked = {"question": question} if question else {}
    assert said(resolver, utterance) == ("MedicationIntent", {"medication": "naloxone", **asked})


@pytest.mark.parametrize(
    "utterance",
    ["quick question what is methadone", "how quickly does narcan work", "play blue by eiffel 65"],
)
def test_urgency_and_signs_in_other_senses_are_no_emergency(
    resolver: Resolver, utterance: str
) -> None:
    """Speed asked about, a question announced as short, a song: not a person in danger."""
    assert resolver.resolve(utterance).intent != EMERGENCY


# Reading speech


@pytest.mark.parametrize(
    ("utterance", "medication"),
    [
        ("what is naloxóne", "naloxone"),
        ("WHAT IS ＮＡＲＣＡＮ", "naloxone"),
        ("what is nar can", "naloxone"),
        ("what is sub oxone", "buprenorphine"),
        ("tell me about meth a done", "methadone"),
        ("what is lucy mira", "lofexidine"),
        ("what's naloxon", "naloxone"),
    ],
)
def test_unicode_and_split_words_are_read_back(
    resolver: Resolver, utterance: str, medication: str
) -> None:
    assert said(resolver, utterance) == ("MedicationIntent", {"medication": medication})


def test_full_width_emergency(resolver: Resolver) -> None:
    assert resolver.resolve("ＯＶＥＲＤＯＳＥ").intent == EMERGENCY


def test_known_words_are_not_rejoined_by_sound(resolver: Resolver) -> None:
    assert sound_key("her own") == sound_key("heroin")
    assert resolver.normalise("she did it on her own") == "she did it on her own"
    assert resolver.normalise("i can do it") == "i can do it"


@pytest.mark.parametrize(
    "utterance",
    [
        "she's oding in the kitchen",
        "my brother fell out and won't come to",
        "he did some gear and won't wake",
        "me mate's gone blue in the dunny",
        "um uh my my friend is like not breathing",
        "so we were at this party and my cousin went to the bathroom and was in there for ages "
        "and when we finally got the door open he was on the floor and his lips were kind of "
        "blue and he is not really breathing what do we do",
    ],
)
def test_slang_dialect_disfluency_and_run_ons_stay_emergencies(
    resolver: Resolver, utterance: str
) -> None:
    assert resolver.resolve(utterance).intent == EMERGENCY


def test_normalisation(resolver: Resolver) -> None:
    assert resolver.normalise("He ISN'T breathing!!") == resolver.normalise("he is not breathing")
    assert resolver.normalise("what is C.B.T.") == resolver.normalise("what is c. b. t.")
    assert number_words("911") == "nine one one"
    assert number_words("90") == "ninety"
    assert number_words("30") == "thirty"
    assert resolver.normalise("call 911") == "call nine one one"


@pytest.mark.parametrize(
    ("said", "read"),
    [
        ("my boy 5 years swallow the pill", "my five year old swallow the pill"),
        ("daughter two year old chewed a patch", "two year old chewed a patch"),
        ("my granddaughter eleven months ate methadone", "my eleven month old ate methadone"),
    ],
)
def test_a_childs_age_said_without_old_names_the_child(
    resolver: Resolver, said: str, read: str
) -> None:
    """Second-language English leaves out "old": the age alone is read, as the PERSON type names
    it, and the child is found without every noun-and-number pairing listed as a synonym."""
    assert resolver.normalise(said) == read
    resolution = resolver.resolve(said)
    assert resolution.intent == EMERGENCY and resolution.slots["person"] == "child"


# Confidence


def test_a_resolution_carries_a_confidence(resolver: Resolver) -> None:
    sure = resolver.resolve("my friend is overdosing")
    assert sure.confidence == 1.0
    unsure = resolver.resolve("what do people do when the stuff runs out")
    assert 0.0 <= unsure.confidence < 1.0
    rejected = resolver.resolve("what's the weather in paris")
    assert rejected.intent == FALLBACK and rejected.confidence > 0.5


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
            "confidence": 1.0,
        },
        {
            "utterance": "my friend isn't breathing",
            "intent": EMERGENCY,
            "slots": {"person": "someone", "sign": "not_breathing"},
            "confidence": 1.0,
        },
    ]


@pytest.mark.parametrize(
    ("utterance", "intent", "slots"),
    [
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
def test_the_questions_the_seeds_miss(
    resolver: Resolver, utterance: str, intent: str, slots: dict[str, str]
) -> None:
    """Issue 11: the questions the skill could not answer, each to the topic that answers it."""
    resolution = resolver.resolve(utterance)
    assert (resolution.intent, dict(resolution.slots)) == (intent, slots)


def test_every_heldout_crisis_statement_reaches_crisis(resolver: Resolver) -> None:
    """Issue 11: crisis statements 100%, in every open set (625 of them, in 42 sets)."""
    crises = [e.utterance for path in OPEN_SETS for e in load(path) if e.intent == CRISIS_INTENT]
    assert len(crises) >= 100
    missed = [u for u in crises if resolver.resolve(u).intent != CRISIS_INTENT]
    assert missed == []


@pytest.mark.parametrize(
    ("utterance", "intent"),
    [
        # Crisis outranks whatever else the words resemble ("help me" is an emergency sample) ...
        ("help me i want to die", CRISIS_INTENT),
        ("my son overdosed last year and now he says he wants to kill himself", CRISIS_INTENT),
        ("i feel like hurting myself tonight", CRISIS_INTENT),
        # ... said in two parts with other words between them ...
        ("i left a note on the table for my mum that says goodbye", CRISIS_INTENT),
        ("i've been stashing pills for weeks, enough to not wake up", CRISIS_INTENT),
        # ... or as self-harm other than cutting, or a last night ...
        ("sometimes i burn my arms with cigarettes", CRISIS_INTENT),
        ("tonight is my last night on this earth", CRISIS_INTENT),
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
        ("my friend was brought back with narcan, what happens now", "AfterOverdoseIntent"),
        ("she overdosed last night and now she won't wake up", EMERGENCY),
    ],
)
def test_priority_rules(resolver: Resolver, utterance: str, intent: str) -> None:
    assert resolver.resolve(utterance).intent == intent


@pytest.mark.parametrize("name", ["en-US.yaml", "background/en-US.yaml"])
def test_the_resolver_data_holds_only_words(name: str) -> None:
    """YAML reads a bare yes, no, on or off as a boolean: the resolver would then read the word
    "True" where the file meant "off" (a stop word, a treatment's anchor)."""
    import yaml

    data = yaml.safe_load((Path(__file__).parents[1] / "speech/simulator/nlu" / name).read_text())
    found: list[str] = []

    def walk(value: object, where: str) -> None:
        if isinstance(value, bool) or value is None:
            found.append(where)
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, bool):
                    found.append(f"{where} (a key)")
                walk(item, f"{where}/{key}")
        elif isinstance(value, list):
            for number, item in enumerate(value):
                walk(item, f"{where}[{number}]")

    walk(data, name)
    assert found == []
