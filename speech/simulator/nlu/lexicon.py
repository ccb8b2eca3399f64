"""The words around the words: how people open a skill, fill their sentences, contract and
shorten, per locale, from `<locale>.yaml` beside this module."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

LEXICON_DIR = Path(__file__).parent


@dataclass(frozen=True, slots=True)
class Priority:
    """An intent that outranks every other when one of its cues is said (a crisis statement),
    unless the utterance also holds one of `unless_cues`, which send it to `unless_intent`."""

    intent: str
    cues: tuple[str, ...]
    not_cues: tuple[str, ...]  # phrases taken out first: "i don't want to die when i use"
    unless_intent: str
    unless_cues: tuple[str, ...]

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Priority:
        unless = data["unless"]
        return cls(
            intent=str(data["intent"]),
            cues=tuple(str(cue) for cue in data["cues"]),
            not_cues=tuple(str(cue) for cue in data.get("not", ())),
            unless_intent=str(unless["intent"]),
            unless_cues=tuple(str(cue) for cue in unless["cues"]),
        )


@dataclass(frozen=True, slots=True)
class Lexicon:
    wake_words: tuple[str, ...]
    launch_verbs: tuple[str, ...]
    one_shot_verbs: tuple[str, ...]
    one_shot_joiners: tuple[str, ...]
    fillers: frozenset[str]
    stopwords: frozenset[str]
    phrases: Mapping[str, str]
    contractions: Mapping[str, str]
    builtins: Mapping[str, tuple[str, ...]]
    emergency_cues: tuple[str, ...]
    hypothetical: tuple[str, ...]  # "if", "how do you know": asking about danger, not in it
    urgency: tuple[str, ...]  # "quick", "right now": with naloxone named, it is needed now
    urgent_values: frozenset[str]  # slot value ids that, said with urgency, are the emergency
    holding_values: frozenset[str]  # "i have narcan": with a how-to question, needed now
    asking_how: tuple[str, ...]  # "what do i do", "walk me through it"
    intensifiers: frozenset[str]  # "really", "super": skipped inside slot values
    abstract_types: tuple[str, ...]  # slot types read as {TYPE} for every intent when scoring
    negatable_types: frozenset[str]  # slot types whose values a negation denies ("not awake")
    answer_words: Mapping[str, str]  # first word -> AMAZON.YesIntent / AMAZON.NoIntent
    priorities: tuple[Priority, ...] = ()

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            wake_words=tuple(data["wake_words"]),
            launch_verbs=tuple(data["launch_verbs"]),
            one_shot_verbs=tuple(data["one_shot_verbs"]),
            one_shot_joiners=tuple(data["one_shot_joiners"]),
            fillers=frozenset(data["fillers"]),
            stopwords=frozenset(data["stopwords"]),
            phrases={str(k): str(v) for k, v in data["phrases"].items()},
            contractions={str(k): str(v) for k, v in data["contractions"].items()},
            builtins={k: tuple(str(s) for s in v) for k, v in data["builtins"].items()},
            emergency_cues=tuple(str(cue) for cue in data["emergency_cues"]),
            hypothetical=tuple(str(cue) for cue in data["hypothetical"]),
            urgency=tuple(str(cue) for cue in data["urgency"]),
            urgent_values=frozenset(str(v) for v in data["urgent_values"]),
            holding_values=frozenset(str(v) for v in data["holding_values"]),
            asking_how=tuple(str(cue) for cue in data["asking_how"]),
            intensifiers=frozenset(str(w) for w in data["intensifiers"]),
            abstract_types=tuple(str(t) for t in data["abstract_types"]),
            negatable_types=frozenset(str(t) for t in data["negatable_types"]),
            answer_words={
                str(word): intent
                for intent, words in data["answer_words"].items()
                for word in words
            },
            priorities=tuple(Priority.of(rule) for rule in data.get("priority", ())),
        )


def lexicon_for(locale: str) -> Lexicon:
    return Lexicon.load(LEXICON_DIR / f"{locale}.yaml")
