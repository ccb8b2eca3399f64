"""Phrasings by category of error (`tests/data/phrasings/en-US.yaml`), written here from the
categories the open held-out sets showed, never from their utterances: accidental swallowing,
naloxone asked for by its parts, signs said in many dialects, urgency, and the questions and
requests for the speaker that must stay what they are."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from rapidfuzz import fuzz, process

from intents.names import EMERGENCY, FALLBACK
from speech.simulator.nlu.resolver import Resolver, resolver_for
from tests.heldout import OPEN_SETS, load

PHRASINGS = Path(__file__).parent / "data" / "phrasings" / "en-US.yaml"
CATEGORIES: dict[str, dict[str, Any]] = yaml.safe_load(PHRASINGS.read_text(encoding="utf-8"))
CASES = [
    (category, str(data["intent"]), str(utterance))
    for category, data in CATEGORIES.items()
    for utterance in data["utterances"]
]
NEAR_COPY_OF_OUT_OF_DOMAIN = 80  # tests/test_background.py's rule, for the same reason
NEAR_COPY_OF_ANY = 90


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return resolver_for("en-US")


@pytest.mark.parametrize(("category", "intent", "utterance"), CASES, ids=lambda v: str(v)[:60])
def test_phrasing_reaches_its_intent(
    resolver: Resolver, category: str, intent: str, utterance: str
) -> None:
    """An intent of "" means anything but the emergency: a question about danger may be read as
    one of several topics, or not understood, but never as an overdose happening now."""
    resolution = resolver.resolve(utterance)
    if intent:
        assert resolution.intent == intent, (category, resolution)
    else:
        assert resolution.intent != EMERGENCY, (category, resolution)


def test_swallowing_and_naloxone_now_carry_the_slots_the_rule_read(resolver: Resolver) -> None:
    """A swallowed opioid is the emergency's sign "swallowed"; naloxone asked for by its parts
    is its need "naloxone_how", though no slot value says either."""
    for utterance in CATEGORIES["swallowed"]["utterances"]:
        slots = resolver.resolve(utterance).slots
        assert "substance" in slots, utterance
    for utterance in CATEGORIES["naloxone_now"]["utterances"]:
        slots = resolver.resolve(utterance).slots
        assert slots.get("need") == "naloxone_how" or "sign" in slots, utterance


def test_no_phrasing_copies_a_heldout_utterance() -> None:
    """The held-out sets measure the rules these phrasings pin; none is a copy or near-copy of
    an utterance in an open held-out set."""
    entries = [entry for path in OPEN_SETS for entry in load(path)]
    out_of_domain = [e.utterance for e in entries if e.intent == FALLBACK]
    anything = [e.utterance for e in entries]
    copies = []
    for _, intent, utterance in CASES:
        close = process.extractOne(utterance, anything, scorer=fuzz.ratio)
        if close and close[1] >= NEAR_COPY_OF_ANY:
            copies.append((utterance, close[0]))
        if intent == FALLBACK:
            close = process.extractOne(utterance, out_of_domain, scorer=fuzz.ratio)
            if close and close[1] >= NEAR_COPY_OF_OUT_OF_DOMAIN:
                copies.append((utterance, close[0]))
    assert copies == []
