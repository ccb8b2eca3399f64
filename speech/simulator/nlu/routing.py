"""CONTENT.md's routing rule, as the resolver reads it: when do the words describe a person in
danger now, which goes to the emergency answer whatever else scores higher?

- a sign of danger said of a person ("my friend isn't waking up", "she's turning blue");
- an opioid swallowed ("my two year old got into my methadone"): a sign only with an opioid
  named, since "the baby ate some dirt" is not this skill's emergency;
- naloxone needed now: named with urgency ("quick how do i use narcan"), with a sign ("he's
  going grey, how do i use the naloxone"), or held while asking how ("I have the narcan here,
  what do I do with it");
- not a question about danger ("how do you know if someone is overdosing", "do blue lips
  always mean an overdose"), which gets the informational answer.

The words that carry each part are in the lexicon (`emergency_cues`, `hypothetical`, `urgency`,
`asking_how`, and the slot value ids in `urgent_values` and `holding_values`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Mapping

from speech.simulator.nlu.lexicon import Lexicon
from speech.simulator.nlu.normalise import alternation

# The emergency's slots (MODEL_SPEC.md) and the sign that needs a substance to be one.
PERSON, SIGN, NEED, SUBSTANCE = "person", "sign", "need", "substance"
SWALLOWED = "swallowed"


class Danger(enum.Enum):
    NONE = "none"
    ASKING = "asking"  # a question about danger, or a swallowed thing that is no opioid
    LIKELY = "likely"  # a sign or cue with no person ("my laptop is not responding")
    NOW = "now"  # a person in danger, or naloxone needed now: the emergency


class RoutingRule:
    def __init__(self, lexicon: Lexicon, normalise: Callable[[str], str]) -> None:
        self.lexicon = lexicon
        self._cues = alternation(normalise(cue) for cue in lexicon.emergency_cues)
        self._hypothetical = alternation(normalise(cue) for cue in lexicon.hypothetical)
        self._urgency = alternation(normalise(cue) for cue in lexicon.urgency)
        self._asking_how = alternation(normalise(cue) for cue in lexicon.asking_how)

    def danger(self, text: str, slots: Mapping[str, str], named: Collection[str]) -> Danger:
        """`slots`: the emergency's slots as read in `text`; `named`: every slot value id the
        words name, of any type."""
        padded = f" {text} "
        sign = slots.get(SIGN)
        if sign == SWALLOWED and SUBSTANCE not in slots:
            return Danger.ASKING  # "the baby ate some dirt": swallowed, but nothing of ours
        urgent = self._urgency.search(padded) is not None
        if self.lexicon.urgent_values.intersection(named) and (urgent or sign is not None):
            return Danger.NOW  # "quick how do i use narcan", "he's grey, how do i use naloxone"
        holding = self.lexicon.holding_values.intersection(named)
        if holding and self._asking_how.search(padded):
            return Danger.NOW  # "i have the narcan in my hand, what do i do with it"
        if self._hypothetical.search(padded) is not None:
            return Danger.ASKING if sign or NEED in slots else Danger.NONE
        if (sign and PERSON in slots) or NEED in slots:
            return Danger.NOW
        if sign or self._cues.search(padded):
            return Danger.LIKELY
        return Danger.NONE
