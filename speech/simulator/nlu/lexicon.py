"""The words around the words: how people open a skill, fill their sentences, contract and
shorten, per locale, from `<locale>.yaml` beside this module."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from speech.simulator.nlu.slots import Denial

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
    near: tuple[Near, ...] = ()
    pairs: Pairs | None = None

    def words(self) -> set[str]:
        """Every word the rule's phrases say."""
        phrases = [*self.cues, *self.not_cues, *self.unless_cues]
        phrases += [p for near in self.near for p in (*near.first, *near.then)]
        if self.pairs is not None:
            phrases += [*self.pairs.either, *self.pairs.or_, *self.pairs.joined_by]
        return {word for phrase in phrases for word in phrase.split()}

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Priority:
        unless = data["unless"]
        return cls(
            intent=str(data["intent"]),
            cues=tuple(str(cue) for cue in data["cues"]),
            not_cues=tuple(str(cue) for cue in data.get("not", ())),
            unless_intent=str(unless["intent"]),
            unless_cues=tuple(str(cue) for cue in unless["cues"]),
            near=tuple(Near.of(near) for near in data.get("near", ())),
            pairs=Pairs.of(data["pairs"]) if "pairs" in data else None,
        )


@dataclass(frozen=True, slots=True)
class Near:
    """A cue said in two parts, in order, with at most `within` words between them: "wrote
    letters to my kids saying goodbye", where no one phrase can list every middle."""

    first: tuple[str, ...]
    then: tuple[str, ...]
    within: int

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Near:
        return cls(
            first=tuple(str(p) for p in data["first"]),
            then=tuple(str(p) for p in data["then"]),
            within=int(data["within"]),
        )


@dataclass(frozen=True, slots=True)
class Pairs:
    """Two things set against each other, in either order, by any of the joining words:
    "withdrawal or an overdose", "overdosing versus dope sick", "withdrawal or is he overdosing".
    A joining word that is empty lets the two stand side by side ("overdosed last night")."""

    either: tuple[str, ...]
    or_: tuple[str, ...]
    joined_by: tuple[str, ...]

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Pairs:
        return cls(
            either=tuple(str(p) for p in data["either"]),
            or_=tuple(str(p) for p in data["or"]),
            joined_by=tuple(str(j) for j in data["joined_by"]),
        )


@dataclass(frozen=True, slots=True)
class Topic:
    """A slot value that is a topic of its own when one of `cues` is said: MedicationIntent's
    carriers ("{question} can i get {medication}") say getting naloxone too, which is
    GetNaloxoneIntent's answer."""

    intent: str  # the intent whose slot names the value
    slot: str | None  # none: the cues alone decide ("what a narcan kit costs" is getting one)
    value: str | None  # the slot value id
    cues: tuple[str, ...]
    topic: str  # the intent it goes to

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Topic:
        return cls(
            intent=str(data["intent"]),
            slot=str(data["slot"]) if "slot" in data else None,
            value=str(data["value"]) if "value" in data else None,
            cues=tuple(str(cue) for cue in data["cues"]),
            topic=str(data["topic"]),
        )


@dataclass(frozen=True, slots=True)
class Ages:
    """A child named by who and how old, with "old" left out, as second-language English says
    it ("my boy five years", "daughter two year"): read as the age alone ("my five year old"),
    which the PERSON type names, rather than every pairing listed as a synonym."""

    nouns: tuple[str, ...]  # boy, daughter...
    numbers: tuple[str, ...]  # the ages a child is said to be, in words
    units: Mapping[str, str]  # "years" -> "year old"

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Ages:
        return cls(
            nouns=tuple(str(w) for w in data["nouns"]),
            numbers=tuple(str(w) for w in data["numbers"]),
            units={str(k): str(v) for k, v in data["units"].items()},
        )


@dataclass(frozen=True, slots=True)
class RoutingCues:
    """The words CONTENT.md's routing rule reads (`routing.RoutingRule`), each a list of
    phrases matched on normalised words, or slot value ids."""

    emergency_cues: tuple[str, ...]  # danger without a sign value: "took too much"
    cries: tuple[str, ...]  # a cry for help with where it is: "overdose in the stairwell"
    hypothetical: tuple[str, ...]  # "if", "how do you know": asking about danger, not in it
    not_hypothetical: tuple[str, ...]  # "i don't know if", "might be": doubt, not a question
    # "if", "in case": a condition, which makes hypothetical only the state said after it
    conditional: tuple[str, ...]
    evaluative: tuple[str, ...]  # "is that safe": a question, unless danger is said as well
    media: tuple[str, ...]  # "hear", "song": a sign word with nobody said names a title
    urgency: tuple[str, ...]  # "quick", "hurry", "right now"
    not_urgency: tuple[str, ...]  # "quick question", "how fast does it work": speed asked about
    urgent_values: frozenset[str]  # slot value ids naming naloxone or its use
    naloxone_values: frozenset[str]  # ...of which those said by the medicine's name
    holding_values: frozenset[str]  # "i have narcan": with a how-to question, needed now
    asking_how: tuple[str, ...]  # "what do i do", "walk me through it"
    how_last: tuple[str, ...]  # "how" said last, with the medicine and the act: "give narcan how"
    device_parts: tuple[str, ...]  # "the nozzle", "the plunger", "up his nose"
    device_verbs: tuple[str, ...]  # "spray": with urgency, the device without its name
    device_acts: tuple[str, ...]  # "spray", "press", "give"
    device_elsewhere: tuple[str, ...]  # "toilet", "allergies": a spray or plunger of another kind
    holding: tuple[str, ...]  # "i have the", "reading the box": held (in_hand is held too)
    in_hand: tuple[str, ...]  # "in my hand": held, whatever else the words seem to report
    asking_first_person: tuple[str, ...]  # "do i", "should we": the caller about to act
    acquiring: tuple[str, ...]  # "where can i get", "buy": naloxone to have, not to give now
    using_plans: tuple[str, ...]  # "use with", "when i use": naloxone nearby while using
    person_cues: tuple[str, ...]  # "his", "their": a person said without a PERSON value
    self_cues: tuple[str, ...]  # "my {sign}": the caller, read with slot values as {TYPE}
    defining: tuple[str, ...]  # "what are {sign}": a sign asked about, not seen
    ingestion: tuple[str, ...]  # "took", "had": swallowing said with a plain verb
    within_reach: tuple[str, ...]  # "found", "playing with": swallowing, for a child or a pet
    not_swallowed: tuple[str, ...]  # "pregnant", "prescribed": nobody swallowed anything
    accident: tuple[str, ...]  # "by mistake", "instead of", "thought it was"
    not_theirs: tuple[str, ...]  # "my {SUBSTANCE}": someone else's medicine, read filled
    vulnerable_values: frozenset[str]  # PERSON ids for whom any opioid swallowed is an emergency
    # "overdosed on": an overdose on something said next; on nothing the skill names or on
    # one of `vague_substances`, overdosing is said in another sense ("overdosed on chocolate")
    overdosed_on: tuple[str, ...] = ()
    # a medicine swallowed by a child or a pet, unnamed: maybe an opioid ("some of my medicine")
    unknown_medicines: tuple[str, ...] = ()
    vague_substances: tuple[str, ...] = ()
    # "i injected the naloxone into his thigh": a dose given, told with no how-to or hurry,
    # is a report, whatever parts of the device it names
    given_values: frozenset[str] = frozenset()

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> RoutingCues:
        def phrases(key: str) -> tuple[str, ...]:
            return tuple(str(cue) for cue in data.get(key, ()))

        def ids(key: str) -> frozenset[str]:
            return frozenset(str(value) for value in data.get(key, ()))

        return cls(
            emergency_cues=phrases("emergency_cues"),
            cries=phrases("cries"),
            hypothetical=phrases("hypothetical"),
            not_hypothetical=phrases("not_hypothetical"),
            conditional=phrases("conditional"),
            evaluative=phrases("evaluative"),
            media=phrases("media"),
            urgency=phrases("urgency"),
            not_urgency=phrases("not_urgency"),
            urgent_values=ids("urgent_values"),
            naloxone_values=ids("naloxone_values"),
            holding_values=ids("holding_values"),
            given_values=ids("given_values"),
            asking_how=phrases("asking_how"),
            how_last=phrases("how_last"),
            device_parts=phrases("device_parts"),
            device_verbs=phrases("device_verbs"),
            device_acts=phrases("device_acts"),
            device_elsewhere=phrases("device_elsewhere"),
            holding=phrases("holding"),
            in_hand=phrases("in_hand"),
            asking_first_person=phrases("asking_first_person"),
            acquiring=phrases("acquiring"),
            using_plans=phrases("using_plans"),
            person_cues=phrases("person_cues"),
            self_cues=phrases("self_cues"),
            defining=phrases("defining"),
            ingestion=phrases("ingestion"),
            within_reach=phrases("within_reach"),
            not_swallowed=phrases("not_swallowed"),
            accident=phrases("accident"),
            overdosed_on=phrases("overdosed_on"),
            unknown_medicines=phrases("unknown_medicines"),
            vague_substances=phrases("vague_substances"),
            not_theirs=phrases("not_theirs"),
            vulnerable_values=ids("vulnerable_values"),
        )


@dataclass(frozen=True, slots=True)
class Lexicon:
    wake_words: tuple[str, ...]
    launch_verbs: tuple[str, ...]
    launch_openers: tuple[str, ...]  # "please", "let us": said before opening the skill
    launch_closers: tuple[str, ...]  # "please", "now": said after its name
    one_shot_verbs: tuple[str, ...]
    one_shot_joiners: tuple[str, ...]
    fillers: frozenset[str]
    stopwords: frozenset[str]
    phrases: Mapping[str, str]
    contractions: Mapping[str, str]
    builtins: Mapping[str, tuple[str, ...]]
    routing: RoutingCues
    intensifiers: frozenset[str]  # "really", "super": skipped inside slot values
    inner_words: frozenset[str]  # "the", "his": skipped between a slot value's words
    abstract_types: tuple[str, ...]  # slot types read as {TYPE} for every intent when scoring
    negatable_types: frozenset[str]  # slot types whose values a negation denies ("not awake")
    answer_words: Mapping[str, str]  # first word -> AMAZON.YesIntent / AMAZON.NoIntent
    # What a request is about, in this skill's words: slot types naming a drug or a medicine,
    # and words no smart-speaker request uses in this sense unless it says so ("withdrawal").
    domain_types: frozenset[str] = frozenset()
    domain_words: frozenset[str] = frozenset()
    priorities: tuple[Priority, ...] = ()
    topics: tuple[Topic, ...] = ()
    # States a sentence may deny last with the state left unsaid: "he was breathing and now he's
    # not" denies breathing, read as "now he is not breathing".
    elided_states: tuple[str, ...] = ()
    # Intents about one thing, and the words that say it: a question that says none of them is
    # unlikely to be that intent, however much of its frame it shares ("how long is a hockey
    # game" is not about treatment). Entries in braces are slot types: "{MEDICATION}".
    anchors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Words a question opens with: a drug and a person named in a question, with no sign, ask
    # about the drug ("why do they call methadone liquid handcuffs").
    question_openers: frozenset[str] = frozenset()
    question_tails: tuple[str, ...] = ()  # a question asked last: "..., what is that"
    # Subjects of other addictions and other medicine ("caffeine withdrawal", "quit smoking"):
    # said with no drug of ours, a topic's frame is about them (`resolver.FOREIGN_PENALTY`).
    foreign_subjects: tuple[str, ...] = ()
    other_emergencies: tuple[str, ...] = ()  # foreign subjects that are emergencies of their own
    explained_signs: frozenset[str] = frozenset()  # signs another emergency explains: a fall
    drug_words: tuple[str, ...] = ()
    # A state denied that says another: a breathing report denied is the sign "not breathing".
    denied: Mapping[tuple[str, str], Denial] = field(default_factory=dict)
    ages: Ages | None = None

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            wake_words=tuple(data["wake_words"]),
            launch_verbs=tuple(data["launch_verbs"]),
            launch_openers=tuple(str(w) for w in data.get("launch_openers", ())),
            launch_closers=tuple(str(w) for w in data.get("launch_closers", ())),
            one_shot_verbs=tuple(data["one_shot_verbs"]),
            one_shot_joiners=tuple(data["one_shot_joiners"]),
            fillers=frozenset(data["fillers"]),
            stopwords=frozenset(data["stopwords"]),
            phrases=_said_as(data["phrases"], "phrases"),
            contractions=_said_as(data["contractions"], "contractions"),
            builtins={k: tuple(str(s) for s in v) for k, v in data["builtins"].items()},
            routing=RoutingCues.of(data["routing"]),
            intensifiers=frozenset(str(w) for w in data["intensifiers"]),
            inner_words=frozenset(str(w) for w in data["inner_words"]),
            abstract_types=tuple(str(t) for t in data["abstract_types"]),
            negatable_types=frozenset(str(t) for t in data["negatable_types"]),
            answer_words={
                str(word): intent
                for intent, words in data["answer_words"].items()
                for word in words
            },
            elided_states=tuple(str(w) for w in data.get("elided_states", ())),
            domain_types=frozenset(str(t) for t in data.get("domain_types", ())),
            domain_words=frozenset(str(w) for w in data.get("domain_words", ())),
            priorities=tuple(Priority.of(rule) for rule in data.get("priority", ())),
            topics=tuple(Topic.of(topic) for topic in data.get("topics", ())),
            denied={
                (str(slot_type), str(value)): Denial(
                    str(said["type"]), str(said["value"]), str(said.get("weakly", said["value"]))
                )
                for slot_type, values in data.get("denied", {}).items()
                for value, said in values.items()
            },
            question_openers=frozenset(str(w) for w in data.get("question_openers", ())),
            question_tails=tuple(str(w) for w in data.get("question_tails", ())),
            foreign_subjects=tuple(str(w) for w in data.get("foreign_subjects", ())),
            other_emergencies=tuple(str(w) for w in data.get("other_emergencies", ())),
            explained_signs=frozenset(str(w) for w in data.get("explained_signs", ())),
            drug_words=tuple(str(w) for w in data.get("drug_words", ())),
            ages=Ages.of(data["ages"]) if "ages" in data else None,
            anchors={
                str(intent): tuple(str(w) for w in words)
                for intent, words in data.get("anchors", {}).items()
            },
        )


def lexicon_for(locale: str) -> Lexicon:
    return Lexicon.load(LEXICON_DIR / f"{locale}.yaml")


def _said_as(mapping: Mapping[Any, Any], name: str) -> dict[str, str]:
    """Words and what they are read as. YAML reads a bare yes or no as a boolean, which would
    be read as the word "True": refused, so a data file says "yes" in quotes."""
    for key, value in mapping.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ValueError(f"lexicon {name}: {key!r} -> {value!r} must be quoted words")
    return dict(mapping)
