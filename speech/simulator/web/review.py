"""Every answer the skill can speak in a locale, as a listener hears it, for a clinician to read
and hear in one sitting: its text and sources, its length in words and seconds, and a flag when
it runs over the limit CONTENT.md sets for its kind.

A topic's or medicine's answer is heard with the offer of the next follow-up appended ("Want to
hear about ...?"), so that is what is counted, rendered and played.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from speech import content
from speech.content import schema
from speech.content.model import Answer, LocaleContent, Topic
from speech.simulator.web.audio import AudioCache, audio_url
from speech.simulator.web.engines import EngineError
from speech.ssml import to_text


@dataclass(frozen=True, slots=True)
class Limit:
    """CONTENT.md's limits for one kind of answer; None where it sets none."""

    words: int
    seconds: float | None = None


FIRST_ANSWER = Limit(70, 25.0)
FOLLOW_UP = Limit(70)
EMERGENCY_STEP = Limit(45)
GUIDE_STEP = Limit(70)
EMERGENCY_GUIDE = schema.GUIDE_INTENTS[schema.EMERGENCY_INTENT]


@dataclass(frozen=True, slots=True)
class Item:
    key: str
    kind: str  # prompt, topic, medicine, follow-up, emergency step, guide step
    group: str  # the topic, medicine or guide it belongs to
    title: str
    speech: str  # SSML fragment, as heard
    reprompt: str | None
    sources: tuple[str, ...]
    limit: Limit

    @property
    def words(self) -> int:
        return len(to_text(self.speech).split())

    def over(self, seconds: float | None) -> list[str]:
        """What a reviewer should look at: each limit this answer runs over."""
        found = []
        if self.words > self.limit.words:
            found.append(f"{self.words} words, over {self.limit.words}")
        if seconds is not None and self.limit.seconds and seconds > self.limit.seconds:
            found.append(f"{seconds:.1f} seconds, over {self.limit.seconds:.0f}")
        return found


def items(locale: LocaleContent) -> Iterator[Item]:
    """Every answer in content order: prompts, topics, medicines, then the guides' steps."""
    for name, answer in locale.prompts.items():
        yield _item(answer, "prompt", "Prompts", name, answer.speech, FIRST_ANSWER)
    for kind, topics in (("topic", locale.topics), ("medicine", locale.medications)):
        for topic in topics.values():
            yield from _topic(locale, kind, topic)
    for guide in locale.guides.values():
        emergency = guide.name == EMERGENCY_GUIDE
        for number, step in enumerate(guide.steps.values(), start=1):
            yield _item(
                step.answer,
                "emergency step" if emergency else "guide step",
                guide.title,
                f"Step {number}: {step.id.replace('_', ' ')}",
                step.answer.speech,
                EMERGENCY_STEP if emergency else GUIDE_STEP,
            )


def _topic(locale: LocaleContent, kind: str, topic: Topic) -> Iterator[Item]:
    offers = [locale.offer(follow_up) for follow_up in topic.more[1:]]
    first = topic.answer.speech
    if topic.more:
        first = f"{first} {locale.offer(topic.more[0])}"
    yield _item(topic.answer, kind, topic.title, topic.title, first, FIRST_ANSWER)
    for index, follow_up in enumerate(topic.more):
        speech = follow_up.answer.speech
        if index < len(offers):
            speech = f"{speech} {offers[index]}"
        title = f"More: {follow_up.offer}"
        yield _item(follow_up.answer, "follow-up", topic.title, title, speech, FOLLOW_UP)


def _item(answer: Answer, kind: str, group: str, title: str, speech: str, limit: Limit) -> Item:
    return Item(answer.key, kind, group, title, speech, answer.reprompt, answer.sources, limit)


async def review(locale: str, audio: AudioCache) -> dict[str, Any]:
    """The review page's data; renders every answer not yet in the audio cache."""
    listed = list(items(content.load(locale)))
    seconds: list[float | None] = [None] * len(listed)
    note = None
    if audio.available:
        try:
            rendered = await asyncio.gather(*(audio.rendered(item.speech) for item in listed))
        except EngineError as error:
            note = f"No durations: {error}"
        else:
            seconds = [one.seconds for one in rendered]
    else:
        note = "No durations: text-to-speech is not installed."
    rows = []
    for item, length in zip(listed, seconds, strict=True):
        rows.append(
            {
                "key": item.key,
                "kind": item.kind,
                "group": item.group,
                "title": item.title,
                "text": to_text(item.speech),
                "reprompt": to_text(item.reprompt) if item.reprompt else None,
                "sources": list(item.sources),
                "words": item.words,
                "seconds": None if length is None else round(length, 2),
                "limit": {"words": item.limit.words, "seconds": item.limit.seconds},
                "over": item.over(length),
                "audio": audio_url(audio.register(item.speech)) if length is not None else None,
            }
        )
    return {"locale": locale, "items": rows, "note": note}
