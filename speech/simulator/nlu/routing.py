"""CONTENT.md's routing rule, as the resolver reads it: when do the words describe a person in
danger now, which goes to the emergency answer whatever else scores higher?

- a sign of danger said of a person ("my friend isn't waking up", "his lips are blue");
- an opioid swallowed by someone it was not meant for: a child or a pet ("the toddler got into
  my methadone"), or anyone by mistake or taking another's medicine ("grandad took my oxys
  thinking they were his heart pills"). A swallowed thing that is no opioid ("the baby ate
  some dirt") is not this skill's emergency;
- naloxone needed now, whether or not it is named: the medicine, or the device's parts
  ("the nozzle", "up his nose"), with urgency ("hurry", "quick"), with a sign, held while
  asking how ("I have the narcan here, what do I do with it"), or about to be given by the
  caller to someone ("do I lay him down before I spray"). Getting naloxone ("where can I buy
  narcan") is not giving it;
- urgency said of a person ("hurry, my son used"): the emergency unless the words belong
  clearly to another answer;
- not a question about danger ("how do you know if someone is overdosing", "do blue lips
  always mean an overdose", "how fast does narcan work"), which gets the informational answer;
- not a title: a sign word in a request for a song, a show or a book, with nobody said to be
  in danger ("i want to hear blue monday").

The words that carry each part are data: the lexicon's `routing` cues, and the slot value ids
in `urgent_values`, `holding_values` and `vulnerable_values`. A verdict also carries the
emergency's slots the rule read but no slot value says: the sign "swallowed" for "took my
methadone by mistake", the need "naloxone_how" for "where does the nozzle go, quick".
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field

from speech.simulator.nlu.lexicon import Lexicon
from speech.simulator.nlu.normalise import alternation

# The emergency's slots (MODEL_SPEC.md), the sign that needs a substance to be one, and the
# need that naloxone asked for now is.
PERSON, SIGN, NEED, SUBSTANCE = "person", "sign", "need", "substance"
SWALLOWED = "swallowed"
OVERDOSING = "overdosing"
NALOXONE_HOW = "naloxone_how"


class Danger(enum.Enum):
    NONE = "none"
    ASKING = "asking"  # a question about danger
    NOT_OURS = "not_ours"  # something not ours swallowed or overdone: "the dog ate chocolate"
    LIKELY = "likely"  # a sign or cue with no person ("my laptop is not responding")
    URGENT = "urgent"  # urgency said of a person, nothing else: the emergency unless clearly not
    NOW = "now"  # a person in danger, or naloxone needed now: the emergency


@dataclass(frozen=True, slots=True)
class Verdict:
    danger: Danger
    implied: Mapping[str, str] = field(default_factory=dict)  # emergency slots no value says


NONE = Verdict(Danger.NONE)
ASKING = Verdict(Danger.ASKING)
NOT_OURS = Verdict(Danger.NOT_OURS)


class Cues:
    """A list of phrases, found on normalised words as whole words."""

    def __init__(self, normalise: Callable[[str], str], phrases: Iterable[str]) -> None:
        said = [p for p in (normalise(phrase) for phrase in phrases) if p]
        self._pattern: re.Pattern[str] | None = alternation(said) if said else None

    def found(self, padded: str) -> bool:
        return self._pattern is not None and self._pattern.search(padded) is not None

    def ends(self, padded: str) -> bool:
        """Said last: "give narcan how" asks how, "how does narcan work" asks something else."""
        end = len(padded.rstrip())
        return self._pattern is not None and any(
            m.end() == end for m in self._pattern.finditer(padded)
        )

    def begins(self, padded: str) -> bool:
        """Said first, or after one word: "overdose in the stairwell", "help overdose in the
        bathroom", not "what is the overdose in the story about"."""
        second = padded.find(" ", 1)
        return self._pattern is not None and any(
            m.start() <= second + 1 for m in self._pattern.finditer(padded)
        )

    def without(self, padded: str) -> str:
        return padded if self._pattern is None else self._pattern.sub(" ", padded)


class RoutingRule:
    def __init__(self, lexicon: Lexicon, normalise: Callable[[str], str]) -> None:
        cues = lexicon.routing
        self.cues = cues

        def phrases(words: Iterable[str]) -> Cues:
            return Cues(normalise, words)

        self._emergency = phrases(cues.emergency_cues)
        self._cries = phrases(cues.cries)
        self._hypothetical = phrases(cues.hypothetical)
        self._not_hypothetical = phrases(cues.not_hypothetical)
        self._conditional = phrases(cues.conditional)
        self._unknown = phrases(cues.unknown_medicines)
        self._overdosed_on = phrases(cues.overdosed_on)
        self._overdosed_on_vague = phrases(
            f"{said} {vague}" for said in cues.overdosed_on for vague in cues.vague_substances
        )
        self._evaluative = phrases(cues.evaluative)
        self._media = phrases(cues.media)
        self._urgency = phrases(cues.urgency)
        self._not_urgency = phrases(cues.not_urgency)
        self._asking_how = phrases(cues.asking_how)
        self._how_last = phrases(cues.how_last)
        self._parts = phrases(cues.device_parts)
        self._verbs = phrases(cues.device_verbs)
        self._acts = phrases(cues.device_acts)
        self._elsewhere = phrases(cues.device_elsewhere)
        self._holding = phrases((*cues.holding, *cues.in_hand))  # in the hand is held too
        self._in_hand = phrases(cues.in_hand)
        self._first_person = phrases(cues.asking_first_person)
        self._acquiring = phrases(cues.acquiring)
        self._using_plans = phrases(cues.using_plans)
        self._person_cues = phrases(cues.person_cues)
        self._self_cues = phrases(cues.self_cues)
        self._defining = phrases(cues.defining)
        self._ingestion = phrases(cues.ingestion)
        self._within_reach = phrases(cues.within_reach)
        self._not_swallowed = phrases(cues.not_swallowed)
        self._accident = phrases(cues.accident)
        # Read on the words with slot values as {TYPE}, lower-cased: "took my {substance}".
        self._not_theirs = phrases(cues.not_theirs)

    def names_media(self, text: str) -> bool:
        """A request for a song, a show or a book: its title may say anything."""
        return self._media.found(f" {text} ")

    def verdict(
        self, text: str, filled: str, slots: Mapping[str, str], named: Collection[str]
    ) -> Verdict:
        """`text`: the normalised words; `filled`: the same with the emergency's slot values
        as {TYPE}; `slots`: the emergency's slots read in them; `named`: every slot value id
        the words name, of any type."""
        padded, read = f" {text} ", f" {filled.lower()} "
        sign = slots.get(SIGN)
        person = slots.get(PERSON)
        unsure = self._not_hypothetical.without(padded)
        asking = (
            self._hypothetical.found(unsure)
            or self._conditioned(unsure, read)
            or self._defining.found(read)
        )
        urgent = self._urgency.found(self._not_urgency.without(padded))
        naloxone = self._naloxone_now(padded, sign, person, named, urgent=urgent, asking=asking)
        if naloxone is not None:
            return naloxone
        unknown = person in self.cues.vulnerable_values and self._unknown.found(padded)
        if sign == SWALLOWED and SUBSTANCE not in slots and not unknown:
            return NOT_OURS  # "the baby ate some dirt": swallowed, but nothing of ours
        if self._in_another_sense(padded, slots):
            return NOT_OURS  # "i overdosed on coffee": too much of something not ours
        if asking:
            return ASKING if sign or NEED in slots else NONE
        # "the baby ate some of my medicine": a medicine nobody named may be an opioid
        swallowed = self._swallowed(padded, read, sign, person, SUBSTANCE in slots or unknown)
        if swallowed is not None:
            return swallowed
        said_of = person or self._person_cues.found(padded) or self._self_cues.found(read)
        if sign and said_of:
            return Verdict(Danger.NOW)
        if NEED in slots and not self._elsewhere.found(padded):
            return Verdict(Danger.NOW)  # "how do i use the nasal spray", not "for a cold"
        if urgent and person:
            return Verdict(Danger.URGENT)
        if said_of and self._emergency.found(padded):
            return Verdict(Danger.URGENT)  # "he's doing it again", "my son took too much"
        if self._cries.begins(padded):
            return Verdict(Danger.NOW)  # "overdose in the stairwell": a cry, and where
        if not said_of and not urgent and self._media.found(padded):
            return NONE  # "i want to hear blue monday": a title, nobody in danger
        if sign or self._emergency.found(padded):
            return Verdict(Danger.LIKELY)
        if self._evaluative.found(padded):
            return ASKING  # "my grandma takes morphine for cancer, is that safe"
        return NONE

    def _in_another_sense(self, padded: str, slots: Mapping[str, str]) -> bool:
        return (
            slots.get(SIGN) == OVERDOSING
            and SUBSTANCE not in slots
            and self._overdosed_on.found(padded)
            and not self._overdosed_on_vague.found(padded)
        )

    def _conditioned(self, padded: str, read: str) -> bool:
        """A condition said before the sign ("what if he stops breathing"), or with no sign
        said; one said after it is about something else ("he's not breathing, will they arrest
        me if i call")."""
        if not self._conditional.found(padded):
            return False
        if "{sign}" not in read:
            return True
        before = read.split("{sign}", 1)[0]
        return self._conditional.found(self._not_hypothetical.without(before))

    def _naloxone_now(
        self,
        padded: str,
        sign: str | None,
        person: str | None,
        named: Collection[str],
        *,
        urgent: bool,
        asking: bool,
    ) -> Verdict | None:
        """Naloxone, named or shown by its parts, about to be given now."""
        cues = self.cues
        elsewhere = self._elsewhere.found(padded)  # "nasal spray for a cold", "the plunger"
        medicine = not cues.urgent_values.isdisjoint(named) and not (
            elsewhere and cues.naloxone_values.isdisjoint(named)
        )
        part = self._parts.found(padded) and not elsewhere
        device_verb = self._verbs.found(padded) and not elsewhere
        verb = urgent and device_verb  # "before i spray, hurry"
        acting = self._acts.found(padded)
        # Where it came from is not what is asked: "the needle the pharmacy gave me, where do
        # i stick it, quick"
        acquiring = self._acquiring.found(padded) and not (urgent and acting)
        if not (medicine or part or verb) or acquiring:
            return None
        if sign is None and self._using_plans.found(padded):
            return None  # "should i use with a friend who has narcan": never using alone
        need = {NEED: NALOXONE_HOW}
        told = not cues.given_values.isdisjoint(named) and not self._in_hand.found(padded)
        if told and not urgent and not self._asking_how.found(padded):
            return None  # "i injected the naloxone into his thigh": a report
        if urgent or (sign is not None and sign != SWALLOWED):
            return Verdict(Danger.NOW, need)  # "quick, which end goes in", "he's grey, narcan"
        first_person = self._first_person.found(padded)
        holding = not cues.holding_values.isdisjoint(named) or self._holding.found(padded)
        how = self._asking_how.found(padded)
        # Held in the hand, a question about it is a question about giving it: "the narcan's
        # in my hand, how does it work"
        if holding and (acting or first_person or how):
            return Verdict(Danger.NOW, need)  # "i have the narcan here, what do i do with it"
        if asking or self._evaluative.found(padded):
            return None  # "is it safe to give narcan to a kid" asks about giving it
        if medicine and part:
            return Verdict(Danger.NOW, need)  # "is it up the nose with the narcan"
        if medicine and how:
            return Verdict(Danger.NOW, need)  # "narcan, now what", "walk me through narcan"
        if part and how and (person is not None or self._person_cues.found(padded)):
            return Verdict(Danger.NOW, need)  # "tell me how to spray this into her nose"
        if medicine and first_person and device_verb:
            return Verdict(Danger.NOW, need)  # "do i need to prime the narcan or just push it"
        if medicine and acting and self._how_last.ends(padded):
            return Verdict(Danger.NOW, need)  # "give narcan how", "spray the narcan where"
        if medicine and len(padded.split()) <= 3 and self._how_last.ends(padded):
            return Verdict(Danger.NOW, need)  # "narcan how": the medicine, then only "how"
        if acting and first_person and (person is not None or part):
            return Verdict(Danger.NOW, need)  # "do i lay him down before i spray it"
        return None

    def _swallowed(
        self, padded: str, read: str, sign: str | None, person: str | None, substance: bool
    ) -> Verdict | None:
        """An opioid swallowed by someone it was not meant for."""
        if not substance or self._not_swallowed.found(padded):
            return None
        vulnerable = person in self.cues.vulnerable_values
        accident = self._accident.found(padded)  # "mistook it for juice" says it was taken
        if not (
            sign == SWALLOWED
            or accident
            or self._ingestion.found(padded)
            or (vulnerable and self._within_reach.found(padded))
        ):
            return None
        unintended = (
            vulnerable
            or accident
            or (person is not None and sign == SWALLOWED)
            or (person is not None and self._not_theirs.found(read))
        )
        if not unintended:
            return None
        return Verdict(Danger.NOW, {} if sign else {SIGN: SWALLOWED})
