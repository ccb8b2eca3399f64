"""What the skill can say, as frozen data: answers, topics, guides, and a locale's whole content.

Loaded once from the YAML files (see `speech.content.loader`) and never changed afterwards, so
every request can share the same objects.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field


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
    # The questions (schema.QUESTIONS) this part answers: asked one of them, the caller hears
    # this part first ("how long does withdrawal last" gets the timeline, not the symptoms).
    answers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Topic:
    """A first answer (part 0) and its follow-ups (parts 1, 2, ...), each offering the next.

    A question can put a follow-up first (the lead); the other parts then follow in their
    written order, the first answer offered with the topic's own `offer`.
    """

    key: str
    title: str  # card title in the Alexa app
    answer: Answer
    more: tuple[FollowUp, ...]
    offer: str | None = None  # offers the first answer when a follow-up was said before it

    @property
    def parts(self) -> int:
        return 1 + len(self.more)

    def part(self, number: int) -> Answer:
        return self.answer if number == 0 else self.more[number - 1].answer

    def offer_of(self, number: int) -> str | None:
        """What completes "Want to hear about ...?" for this part."""
        return self.offer if number == 0 else self.more[number - 1].offer

    def lead_for(self, question: str | None) -> int:
        """The part said first: the first follow-up that answers the question, else part 0."""
        for number, follow_up in enumerate(self.more, start=1):
            if question is not None and question in follow_up.answers:
                return number
        return 0

    def leads(self) -> tuple[int, ...]:
        """Every part a question can put first, part 0 included."""
        return (0, *(number for number, f in enumerate(self.more, start=1) if f.answers))

    def order(self, lead: int = 0) -> tuple[int, ...]:
        """The parts in the order they are said: the lead, then the others as written."""
        return (lead, *(number for number in range(self.parts) if number != lead))


UNKNOWN = "unknown"  # every fact starts here: nothing reported, nothing asked yet


@dataclass(frozen=True, slots=True)
class GuideStep:
    id: str
    answer: Answer
    asks: str | None  # a yes/no question: the fact the answer sets to "yes" or "no"
    sets: Mapping[str, str]  # facts that hold once the caller moves on ("next") from here
    waits: bool  # the caller will be busy (calling, CPR): the reprompt says how to come back
    final: bool  # nothing follows: "next" here says the guide is finished
    # What a report means said at this step, beyond what it always means: "he's not breathing"
    # at "do they respond?" is a no.
    reports: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

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
class Heard:
    """One response as the caller hears it, for review and for the content checks."""

    key: str
    speech: str  # SSML fragment, the offer of the next part included
    first: bool  # the first thing said for a request: CONTENT.md's first-answer limits apply


@dataclass(frozen=True, slots=True)
class Said:
    """What a caller hears for one part of a topic: the part with the offer of the part after
    it, and what is said again when they go quiet."""

    speech: str
    reprompt: str


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
    # What `said` worked out, kept: every topic request asks for one of a few hundred.
    _said: dict[tuple[str, int, int], Said] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def offer(self, follow_up: FollowUp) -> str:
        return self.offer_text(follow_up.offer)

    def offer_text(self, offer: str) -> str:
        return self.templates["offer"].format(offer=offer)

    def topic_turn(self, topic: Topic, lead: int, part: int) -> tuple[Answer, str | None]:
        """What is said for `part` when `lead` went first: its answer, and the question that
        offers the part after it (None after the last part)."""
        order = topic.order(lead)
        position = order.index(part)
        if position + 1 == len(order):
            return topic.part(part), None
        offer = topic.offer_of(order[position + 1])
        return topic.part(part), None if offer is None else self.offer_text(offer)

    def said(self, topic: Topic, lead: int, part: int) -> Said:
        """What is said for `part` when `lead` went first: the part and the offer of the next
        one; after the last part, the reprompt asks whether there is anything else."""
        key = (topic.key, lead, part)
        said = self._said.get(key)
        if said is None:
            answer, offer = self.topic_turn(topic, lead, part)
            if offer is not None:
                reprompt = offer if answer.reprompt is None else f"{answer.reprompt} {offer}"
                said = Said(f"{answer.speech} {offer}", reprompt)
            else:
                anything_else = self.prompts["anything_else"]
                reprompt = answer.reprompt or anything_else.reprompt or anything_else.speech
                said = Said(answer.speech, reprompt)
            self._said[key] = said
        return said

    def heard(self) -> Iterator[Heard]:
        """Every response as a caller hears it: prompts and guide steps as written, and each
        topic part with the offer of the part after it, in every order a question can start."""
        for answer in self.prompts.values():
            yield Heard(answer.key, answer.speech, first=True)
        for topic in (*self.topics.values(), *self.medications.values()):
            yield from self._heard_topic(topic)
        for guide in self.guides.values():
            opening = {entry.step for entry in guide.opening}
            for step in guide.steps.values():
                yield Heard(step.answer.key, step.answer.speech, first=step.id in opening)
            if guide.rhythm is not None:
                yield Heard(guide.rhythm.key, guide.rhythm.speech, first=False)

    def _heard_topic(self, topic: Topic) -> Iterator[Heard]:
        said: set[tuple[int, str | None, bool]] = set()
        for lead in topic.leads():
            order = topic.order(lead)
            for position, part in enumerate(order):
                answer, offer = self.topic_turn(topic, lead, part)
                first = position == 0
                if (part, offer, first) in said:
                    continue
                said.add((part, offer, first))
                key = answer.key
                if lead and first:
                    key += f" (said first for {', '.join(topic.more[lead - 1].answers)})"
                elif lead:
                    key += f" (after more[{lead - 1}] was said first)"
                yield Heard(key, self.said(topic, lead, part).speech, first=first)

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
