"""The background data the resolver rejects out-of-domain requests with: what it may hold."""

from __future__ import annotations

from collections import Counter

import pytest
from rapidfuzz import fuzz, process

from intents.names import EMERGENCY, FALLBACK
from speech.simulator.nlu.background import background_for
from speech.simulator.nlu.lexicon import lexicon_for
from speech.simulator.nlu.resolver import Resolver, interaction_model, resolver_for
from tests.heldout import OPEN_SETS, load

NEAR_COPY_OF_OUT_OF_DOMAIN = 80  # edit ratio to a held-out out-of-domain request
NEAR_COPY_OF_ANY = 90  # edit ratio to any held-out utterance
BACKGROUND = background_for("en-US")
LINES = [line for lines in BACKGROUND.values() for line in lines]


def test_there_are_enough_examples_of_many_kinds() -> None:
    assert len(LINES) >= 500
    assert len(BACKGROUND) >= 15
    assert all(len(lines) >= 10 for lines in BACKGROUND.values())
    assert [line for line, n in Counter(LINES).items() if n > 1] == []


def test_no_line_copies_a_heldout_utterance() -> None:
    """The background trains rejection; held-out sets measure it. Neither borrows from the
    other: no line is a copy or a near-copy of an utterance in an open held-out set."""
    entries = [entry for path in OPEN_SETS for entry in load(path)]
    out_of_domain = [e.utterance for e in entries if e.intent == FALLBACK]
    anything = [e.utterance for e in entries]
    copies = []
    for line in LINES:
        close = process.extractOne(line, out_of_domain, scorer=fuzz.ratio)
        any_close = process.extractOne(line, anything, scorer=fuzz.ratio)
        if (close and close[1] >= NEAR_COPY_OF_OUT_OF_DOMAIN) or (
            any_close and any_close[1] >= NEAR_COPY_OF_ANY
        ):
            copies.append(line)
    assert copies == []


def test_no_line_is_a_sample_of_the_model() -> None:
    resolver = resolver_for("en-US")
    samples = set(resolver.samples)
    assert [line for line in LINES if resolver.normalise(line) in samples] == []


@pytest.mark.parametrize("line", LINES[::7])
def test_every_line_is_rejected(line: str) -> None:
    assert resolver_for("en-US").resolve(line).intent == FALLBACK


def test_no_line_describes_a_person_in_danger() -> None:
    """Read by the model alone (no background), no line is an emergency with a person and a
    sign of danger: those must never be taught as out-of-domain."""
    bare = Resolver(interaction_model("en-US"), lexicon_for("en-US"), {})
    dangerous = []
    for line in LINES:
        resolution = bare.resolve(line)
        sign = resolution.slots.get("sign")
        if resolution.intent == EMERGENCY and "person" in resolution.slots and sign:
            dangerous.append((line, sign))
    assert [(line, sign) for line, sign in dangerous if sign != "swallowed"] == []
