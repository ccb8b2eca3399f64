"""What the skill can say, as frozen data: answers, topics, guides, and a locale's whole content.

Loaded once from the YAML files (see `speech.content.loader`) and never changed afterwards, so
every request can share the same objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Answer:
    """One spoken response: SSML fragments without the `<speak>` wrapper."""

    key: str
    speech: str
    reprompt: str | None
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FollowUp:
    offer: str  # completes "Want to hear about ...?"
    answer: Answer


@dataclass(frozen=True, slots=True)
class Topic:
    key: str
    title: str  # card title in the Alexa app
    answer: Answer
    more: tuple[FollowUp, ...]


UNKNOWN = "unknown"  # every fact starts here: nothing reported, nothing asked yet


@dataclass(frozen=True, slots=True)
class GuideStep:
    id: str
    answer: Answer
    asks: str | None  # a yes/no question: the fact the answer sets to "yes" or "no"
    sets: Mapping[str, str]  # facts that hold once the caller moves on ("next") from here
    waits: bool  # the caller will be busy (calling, CPR): the reprompt says how to come back
    final: bool  # nothing follows: "next" here says the guide is finished

    @property
    def is_question(self) -> bool:
        return self.asks is not None


@dataclass(frozen=True, slots=True)
class PlanEntry:
    """A step, and the facts under which it is due. Each value lists what the fact may be."""

    step: str
    when: Mapping[str, tuple[str, ...]]

    def holds(self, facts: Mapping[str, str]) -> bool:
        return all(facts.get(fact, UNKNOWN) in values for fact, values in self.when.items())


@dataclass(frozen=True, slots=True)
class Guide:
    """A step-by-step guide. Which step comes next follows from the facts the caller reported
    and the steps already done: the first plan entry that holds and is not yet done or answered.
    A guide without facts is a plain sequence: its plan is its steps in order."""

    name: str
    title: str
    sticky: bool  # holds the session: other requests repeat the step instead of leaving
    steps: Mapping[str, GuideStep]
    prompts: Mapping[str, str]
    facts: tuple[str, ...]
    reports: Mapping[str, Mapping[str, str]]  # a report or sign id -> the facts it means
    acknowledgements: Mapping[str, str]  # a report id -> what to say before the step it leads to
    opening: tuple[PlanEntry, ...]  # the first response: the first of these that holds
    plan: tuple[PlanEntry, ...]
    # Said by the rhythm request: a CPR beat, rendered from the guide's `rhythm` data.
    rhythm: Answer | None = None

    @property
    def first_step(self) -> GuideStep:
        return self.steps[self.opening[0].step]


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    number: str
    name: str


@dataclass(frozen=True, slots=True)
class LocaleContent:
    locale: str
    emergency_number: str
    phone_numbers: tuple[PhoneNumber, ...]
    prompts: Mapping[str, Answer]
    templates: Mapping[str, str]
    topics: Mapping[str, Topic]
    medications: Mapping[str, Topic]
    guides: Mapping[str, Guide]

    def offer(self, follow_up: FollowUp) -> str:
        return self.templates["offer"].format(offer=follow_up.offer)

    def answers(self) -> Iterator[Answer]:
        """Every answer the skill can speak in this locale, for review and rendering."""
        yield from self.prompts.values()
        for topic in (*self.topics.values(), *self.medications.values()):
            yield topic.answer
            yield from (follow_up.answer for follow_up in topic.more)
        for guide in self.guides.values():
            yield from (step.answer for step in guide.steps.values())
            if guide.rhythm is not None:
                yield guide.rhythm
