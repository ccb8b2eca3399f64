"""Scoring the resolver on held-out utterances written blind, by people who never saw the model.

    python -m tests.heldout [PATH ...]            every open set, with the utterances it gets wrong
    python -m tests.heldout --aggregate-only PATH  numbers only (the only way a sealed set is read)
    python -m tests.heldout --sensitivity          fallbackIntentSensitivity: each level measured

An entry is `{utterance, intent, slots?}`. It counts as correct when the intent matches and so do
the slots the set labels: a set that never labels a slot of an intent (the legacy sets predate
the emergency's slots) does not score that slot, and one that labels it anywhere scores it
everywhere, absence included. Intents the model does not declare are left out (the new topic
intents live on another branch), and the number left out is reported.
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from intents.names import EMERGENCY, FALLBACK, LAUNCH_REQUEST, NAVIGATION
from speech.simulator.nlu.background import background_for
from speech.simulator.nlu.lexicon import lexicon_for
from speech.simulator.nlu.resolver import Resolution, Resolver, interaction_model, resolver_for

HELDOUT_DIR = Path(__file__).parent / "data" / "heldout"
SEALED_DIR = HELDOUT_DIR / "sealed"
LEGACY_SETS = tuple(HELDOUT_DIR / f"en-US{name}.yaml" for name in ("", ".second", ".third"))
FOURTH_SET = HELDOUT_DIR / "en-US.fourth.yaml"
TOPICS_SET = HELDOUT_DIR / "en-US.topics.yaml"
SIXTH_SET = HELDOUT_DIR / "en-US.sixth.yaml"
# Each opened for finding errors, in the order they were added.
LATER_SETS = tuple(
    HELDOUT_DIR / f"en-US.{name}.yaml"
    for name in (
        "fifth", "seventh", "topics-second",  # sealed once, scored and reported, then opened
        "eighth", "topics-third",  # a third writer's, open from the start
        "ninth", "topics-fourth",  # that writer's sealed twins, scored and reported, then opened
        "tenth", "topics-fifth",  # a fourth writer's sealed pair, scored, its misses read: opened
        "topics-sixth",  # a fifth writer's sealed set, scored once and reported, then opened
        "eleventh", "topics-seventh",  # a sixth writer's pair, scored once, reported, opened
        "thirteenth", "topics-ninth",  # an eighth writer's pair, scored once, reported, opened
        "fourteenth", "topics-tenth",  # a ninth writer's pair, scored once, reported, opened
        "fifteenth", "topics-eleventh",  # a tenth writer's pair, scored once, reported, opened
        "sixteenth", "topics-twelfth",  # an eleventh writer's pair, the same
        "seventeenth", "topics-thirteenth",  # a twelfth writer's pair, the same
        "eighteenth", "topics-fourteenth",  # a thirteenth writer's pair, the same
        "nineteenth", "topics-fifteenth",  # a fourteenth writer's pair, the same
        "twentieth", "topics-sixteenth",  # a fifteenth writer's pair, the same
        "twenty-first", "topics-seventeenth",  # two writers given no angle, the same
        "twenty-second", "topics-eighteenth",
        "twenty-fourth", "topics-twentieth",  # one more writer given no angle, the same
        "twenty-fifth", "twenty-sixth",  # two emergency-heavy sets, the same
        "twelfth", "topics-eighth",  # sealed to the end of their rounds, scored once, then opened
        "twenty-third", "topics-nineteenth",
        # Four emergency-heavy sets and a topics set weighted to crisis, each writer given an
        # angle: a household in chaos, older callers, people who use and outreach workers,
        # English from outside the US; hints and euphemisms. Scored once, reported, opened.
        "twenty-seventh", "twenty-eighth", "twenty-ninth", "thirtieth", "topics-twenty-first",
        "thirty-first", "topics-twenty-second",  # sealed to the end of round fifteen, then opened
        # Three more emergency-heavy sets (public places, family at home, the extremes of length
        # and speech recognition's errors) and three topics sets weighted to crisis (people who
        # use, worried others, second-language English). Scored once, reported, opened.
        "thirty-second", "thirty-third", "thirty-fourth",
        "topics-twenty-third", "topics-twenty-fourth", "topics-twenty-fifth",
        # Two emergency-heavy sets (callers already helping; young people at parties) and two
        # crisis-weighted topics sets (stoic and indirect; young and lonely). The same.
        "thirty-sixth", "thirty-seventh", "topics-twenty-seventh", "topics-twenty-eighth",
        # Three crisis-weighted topics sets (illness, pain and debt; someone else at risk; no
        # angle), scored after the final sealed pair, then opened.
        "topics-twenty-ninth", "topics-thirtieth", "topics-thirty-first",
        # Two emergency-heavy sets (signs described, not named, and callers high themselves;
        # rural places and elderly parents), the same.
        "thirty-eighth", "thirty-ninth",
        "thirty-fifth", "topics-twenty-sixth",  # the last sealed pair, scored once, then opened
        # Two emergency-heavy sets (on speakerphone amid chaos; workplaces, and teenagers about a
        # parent) and two crisis-weighted topics sets (said sideways, and fear of the law; people
        # in recovery or on medication). Scored once, reported, opened.
        "fortieth", "forty-first", "topics-thirty-second", "topics-thirty-third",
        # Two emergency-heavy sets (other languages mixed into English, and formal speech;
        # naloxone in unfamiliar forms) and two topics sets (teenagers and their parents; the
        # law, money and housing). The same.
        "forty-third", "forty-fourth", "topics-thirty-fifth", "topics-thirty-sixth",
        # Two emergency-heavy sets (the caller in danger, or someone far away on the phone;
        # small children's minders, working and farm animals) and two topics sets (rambling
        # questions and fragments; helpers asking for those in their care). The same.
        "forty-fifth", "forty-sixth", "topics-thirty-seventh", "topics-thirty-eighth",
        # Two emergency-heavy sets (noisy places, and the wrong medical words; other drugs
        # mixed in) and two topics sets (practical specifics; skeptical and angry callers).
        # The same.
        "forty-seventh", "forty-eighth", "topics-thirty-ninth", "topics-fortieth",
        # After the sealed pair was scored: two emergency-heavy sets (Spanish-dominant callers
        # switching languages; cars and the road) and two topics sets (pills and chronic pain;
        # grief, and places far from services). The same.
        "forty-ninth", "fiftieth", "topics-forty-first", "topics-forty-second",
        # Two emergency-heavy sets (Caribbean and Central American callers switching languages;
        # terse typed-style turns and repeated words) and two topics sets (older adults on pain
        # medicine; LGBTQ+ people, sex workers, people without homes). The same.
        "fifty-first", "fifty-second", "topics-forty-third", "topics-forty-fourth",
        # Two emergency-heavy sets (children finding a parent, and plain words; after the first
        # naloxone dose) and two topics sets (partners, probation, parole and jail; street
        # slang throughout). The same.
        "fifty-fourth", "fifty-fifth", "topics-forty-sixth", "topics-forty-seventh",
        "forty-second", "topics-thirty-fourth",  # the last stop's sealed pair, scored once, opened
        # Two emergency-heavy sets (seen or heard from a distance, and counting; second-language
        # English from six languages) and two topics sets (the language of faith; just out of
        # treatment). Scored once, reported, opened.
        "fifty-sixth", "fifty-seventh", "topics-forty-eighth", "topics-forty-ninth",
        # Two emergency-heavy sets (the scene and the drug things around the person; people
        # with other conditions) and two topics sets (what others said, myths; no privacy or
        # time, said in code). The same.
        "fifty-eighth", "fifty-ninth", "topics-fiftieth", "topics-fifty-first",
        # Two emergency-heavy sets (second-language English from eight more languages; regional
        # US speech, and polite callers) and two topics sets (second-language English; talk
        # in numbers). The same.
        "sixtieth", "sixty-first", "topics-fifty-second", "topics-fifty-third",
        # Two emergency-heavy sets (secret use found now; naloxone-training words and guesses)
        # and two topics sets (Canadian, British, Irish and Australian words; two things asked
        # in one breath). The same.
        "sixty-second", "sixty-third", "topics-fifty-fourth", "topics-fifty-fifth",
        "fifty-third", "topics-forty-fifth",  # the last stop's sealed pair, scored once, opened
        # An emergency-heavy set (callers drunk or high themselves; what is seen, not named) and
        # a topics set (late at night, alone and blunt; crisis mixed with drug talk). The same.
        "sixty-fifth", "topics-fifty-seventh",
        # An emergency-heavy set (second-language English under stress, and fragments) and a
        # topics set (grandparents raising children; worn-out carers). The same.
        "sixty-sixth", "topics-fifty-eighth",
        # An emergency-heavy set (first-time naloxone users; children, elders and pets
        # swallowing unusual forms) and a topics set (told as stories; crisis as a dark joke or
        # in the third person). The same.
        "sixty-seventh", "topics-fifty-ninth",
    )
)  # fmt: skip
OPEN_SETS = (*LEGACY_SETS, FOURTH_SET, TOPICS_SET, SIXTH_SET, *LATER_SETS)


def sealed(path: Path) -> bool:
    """Whether a set is one of the sealed ones, whose utterances are never shown."""
    return path.resolve().is_relative_to(SEALED_DIR.resolve())


@dataclass(frozen=True, slots=True)
class Entry:
    utterance: str
    intent: str
    slots: Mapping[str, str]


@dataclass(slots=True)
class Score:
    """What one held-out set measures. Counts, so sets can be added up."""

    name: str
    scored: int = 0
    excluded: int = 0
    correct: int = 0
    intent_correct: int = 0
    emergencies: int = 0
    emergencies_found: int = 0
    out_of_domain: int = 0
    rejected: int = 0
    taken_as_navigation: int = 0
    in_domain: int = 0
    false_rejects: int = 0  # in-domain requests resolved as Fallback: the cost of rejecting
    false_alarms: int = 0  # anything but an emergency resolved as the emergency
    wrong: list[tuple[Entry, Resolution]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.correct / self.scored if self.scored else 1.0

    @property
    def intent_accuracy(self) -> float:
        return self.intent_correct / self.scored if self.scored else 1.0

    @property
    def emergency_recall(self) -> float:
        return self.emergencies_found / self.emergencies if self.emergencies else 1.0

    @property
    def rejection(self) -> float:
        return self.rejected / self.out_of_domain if self.out_of_domain else 1.0

    @property
    def false_reject_rate(self) -> float:
        return self.false_rejects / self.in_domain if self.in_domain else 0.0

    def add(self, other: Score) -> None:
        for name in (
            "scored", "excluded", "correct", "intent_correct", "emergencies", "emergencies_found",
            "out_of_domain", "rejected", "taken_as_navigation", "in_domain", "false_rejects",
            "false_alarms",
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.wrong.extend(other.wrong)

    def summary(self) -> str:
        return (
            f"{self.name}: {self.scored} scored ({self.excluded} left out: intent not in the "
            f"model); accuracy {self.accuracy:.1%} (intent only {self.intent_accuracy:.1%}); "
            f"emergency recall {self.emergencies_found}/{self.emergencies}; "
            f"out-of-domain rejected {self.rejected}/{self.out_of_domain}, "
            f"taken as navigation {self.taken_as_navigation}; "
            f"false alarms {self.false_alarms}; "
            f"false rejects {self.false_rejects}/{self.in_domain} ({self.false_reject_rate:.1%})"
        )


# The legacy sets were labelled before issue 11 gave these meanings intents of their own
# (INTENTS.md: quitting for yourself, fentanyl and test strips, where to get naloxone, getting a
# loved one into treatment). The files stay as written; they are read with the new labels.
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
    "where can i get narcan": "GetNaloxoneIntent",
    "do i need a prescription for narcan": "GetNaloxoneIntent",
    "should i keep naloxone in the house": "GetNaloxoneIntent",
    "should i keep narcan in the house": "GetNaloxoneIntent",
    "how do i get my son into treatment": "FamilyHelpIntent",
}


def load(path: Path) -> list[Entry]:
    data: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    relabelled = RELABELLED if path in LEGACY_SETS else {}
    entries = []
    for e in data:
        utterance = str(e["utterance"])
        if utterance in relabelled:
            entries.append(Entry(utterance, relabelled[utterance], {}))
            continue
        slots = {str(k): str(v) for k, v in (e.get("slots") or {}).items()}
        entries.append(Entry(utterance, str(e["intent"]), slots))
    return entries


def labelled_slots(entries: Iterable[Entry]) -> dict[str, frozenset[str]]:
    """For each intent, the slot names this set labels somewhere: the ones it scores."""
    names: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        names[entry.intent].update(entry.slots)
    return {intent: frozenset(slots) for intent, slots in names.items()}


def score(resolver: Resolver, entries: Sequence[Entry], name: str) -> Score:
    declared = set(resolver.intent_slots) | {LAUNCH_REQUEST}
    scored_slots = labelled_slots(entries)
    result = Score(name)
    for entry in entries:
        if entry.intent not in declared:
            result.excluded += 1
            continue
        resolution = resolver.resolve(entry.utterance)
        result.scored += 1
        intent_ok = resolution.intent == entry.intent
        wanted = scored_slots.get(entry.intent, frozenset())
        slots_ok = {k: v for k, v in resolution.slots.items() if k in wanted} == dict(entry.slots)
        result.intent_correct += intent_ok
        result.correct += intent_ok and slots_ok
        if not (intent_ok and slots_ok):
            result.wrong.append((entry, resolution))
        if entry.intent == EMERGENCY:
            result.emergencies += 1
            result.emergencies_found += resolution.intent == EMERGENCY
        elif resolution.intent == EMERGENCY:
            result.false_alarms += 1
        if entry.intent == FALLBACK:
            result.out_of_domain += 1
            result.rejected += resolution.intent == FALLBACK
            result.taken_as_navigation += resolution.intent in NAVIGATION
        else:
            result.in_domain += 1
            result.false_rejects += resolution.intent == FALLBACK
    return result


def score_file(resolver: Resolver, path: Path) -> Score:
    return score(resolver, load(path), path.name)


@dataclass(frozen=True, slots=True)
class Rejection:
    rejected: int
    total: int
    taken_as_navigation: int

    @property
    def rate(self) -> float:
        return self.rejected / self.total if self.total else 1.0


def cross_validated_rejection(model: Mapping[str, Any], folds: int = 5) -> Rejection:
    """Out-of-domain requests the resolver never saw: each fifth of the background data is
    left out of the background class in turn, and resolved."""
    lexicon = lexicon_for("en-US")
    background = background_for("en-US")
    rejected = total = navigation = 0
    for fold in range(folds):
        kept = {
            kind: tuple(u for i, u in enumerate(examples) if i % folds != fold)
            for kind, examples in background.items()
        }
        resolver = Resolver(model, lexicon, kept)
        for examples in background.values():
            for utterance in examples[fold::folds]:
                intent = resolver.resolve(utterance).intent
                total += 1
                rejected += intent == FALLBACK
                navigation += intent in NAVIGATION
    return Rejection(rejected, total, navigation)


def with_sensitivity(level: str) -> dict[str, Any]:
    model = copy.deepcopy(interaction_model("en-US"))
    language = model["interactionModel"]["languageModel"]
    language["modelConfiguration"] = {"fallbackIntentSensitivity": {"level": level}}
    return model


def sensitivity_report(levels: Iterable[str] = ("LOW", "MEDIUM", "HIGH")) -> list[str]:
    """Each level: unseen out-of-domain requests rejected, in-domain requests lost."""
    lines = []
    for level in levels:
        model = with_sensitivity(level)
        resolver = Resolver(model, lexicon_for("en-US"), background_for("en-US"))
        total = Score(level)
        for path in (*LEGACY_SETS, FOURTH_SET, SIXTH_SET):
            total.add(score_file(resolver, path))
        unseen = cross_validated_rejection(model)
        lines.append(
            f"{level:<6} background (5-fold) rejected {unseen.rejected}/{unseen.total} "
            f"({unseen.rate:.1%}), as navigation {unseen.taken_as_navigation}; fourth and sixth "
            f"sets rejected {total.rejected}/{total.out_of_domain}; in-domain false rejects "
            f"{total.false_rejects}/{total.in_domain} ({total.false_reject_rate:.2%}); "
            f"accuracy {total.accuracy:.1%}; emergency recall "
            f"{total.emergencies_found}/{total.emergencies}"
        )
    return lines


def overlap(resolver: Resolver, entries: Sequence[Entry]) -> str:
    """How much of the set the resolver's own data already holds, in numbers only: utterances
    equal to a model sample once normalised, and background lines that nearly copy one (edit
    ratio 80 to an out-of-domain utterance, 90 to any: tests/test_background.py's rule)."""
    from rapidfuzz import fuzz, process

    samples = set(resolver.samples)
    equal = sum(1 for e in entries if resolver.normalise(e.utterance) in samples)
    out_of_domain = [e.utterance for e in entries if e.intent == FALLBACK]
    anything = [e.utterance for e in entries]
    near = 0
    for line in (line for kind in background_for("en-US").values() for line in kind):
        close = process.extractOne(line, out_of_domain, scorer=fuzz.ratio)
        any_close = process.extractOne(line, anything, scorer=fuzz.ratio)
        near += bool((close and close[1] >= 80) or (any_close and any_close[1] >= 90))
    return f"   overlap: {equal} utterances equal a model sample; {near} background lines near one"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.heldout", description=__doc__)
    parser.add_argument(
        "paths", nargs="*", type=Path, help="held-out sets (default: the open ones)"
    )
    parser.add_argument("--aggregate-only", action="store_true", help="print only the numbers")
    parser.add_argument("--sensitivity", action="store_true", help="measure each fallback level")
    args = parser.parse_args(argv)
    if args.sensitivity:
        print("\n".join(sensitivity_report()))
        return 0
    resolver = resolver_for("en-US")
    paths: list[Path] = args.paths or list(OPEN_SETS)
    total = Score("all")
    for path in paths:
        result = score_file(resolver, path)
        total.add(result)
        print(result.summary())
        # A sealed set is never shown utterance by utterance, whatever the flags say.
        if args.aggregate_only or sealed(path):
            print(overlap(resolver, load(path)))
            continue
        for entry, resolution in result.wrong:
            slots = dict(resolution.slots)
            print(
                f"   {entry.utterance!r}: {entry.intent} {dict(entry.slots) or ''} -> "
                f"{resolution.intent} {slots or ''} ({resolution.confidence:.2f})"
            )
    if len(paths) > 1:
        print(total.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
