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


@dataclass(frozen=True, slots=True)
class GuideStep:
    id: str
    answer: Answer
    next: str | None
    yes: str | None
    no: str | None
    when: str | None  # spoken only if the caller already went through this step

    @property
    def is_question(self) -> bool:
        return self.yes is not None


@dataclass(frozen=True, slots=True)
class Guide:
    name: str
    title: str
    start: str
    steps: Mapping[str, GuideStep]
    prompts: Mapping[str, str]
    sticky: bool  # holds the session: other requests repeat the step instead of leaving
    # Where a new description of the emergency takes a caller who is past that step ("he
    # stopped breathing again" after the last step goes back to "Are they breathing?").
    reassess: str | None = None

    @property
    def first_step(self) -> GuideStep:
        return self.steps[self.start]


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
