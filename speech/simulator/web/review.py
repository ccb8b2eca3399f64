"""Every response the skill can speak in a locale, as a caller hears it, for a clinician to read
and hear in one sitting: its text and sources, its length in words and seconds, and a flag when
it runs over the limit CONTENT.md sets for it.

What is heard comes from the content itself (`LocaleContent.heard`, which `say --all` reports
too): a topic's part with the offer of the part after it, in every order a question can start
the topic. This module adds what a reviewer needs beside it: the kind, the topic or guide, a
title, the sources and the limits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from speech import content
from speech.content import schema
from speech.content.model import Answer, LocaleContent
from speech.simulator.web.audio import AudioCache, audio_url
from speech.simulator.web.engines import EngineError
from speech.ssml import to_text

FIRST_WORDS = 70  # a first answer, a follow-up, a guide step
EMERGENCY_STEP_WORDS = 45
# The CPR beat is a word a beat, said while pushing: its length is its rhythm, not its words.
BEAT = "CPR beat"
BEAT_WORDS = 140
FIRST_SECONDS = 25.0  # the text-to-speech report flags a first answer longer than this
EMERGENCY_GUIDE = schema.GUIDE_INTENTS[schema.EMERGENCY_INTENT]


@dataclass(frozen=True, slots=True)
class Limit:
    """CONTENT.md's limits for one response; None where it sets none."""

    words: int
    seconds: float | None = None


@dataclass(frozen=True, slots=True)
class Place:
    """Where an answer sits in the content, in a reviewer's words."""

    kind: str  # prompt, topic, medicine, follow-up, emergency step, guide step, CPR beat
    group: str  # the topic, medicine or guide it belongs to
    title: str
    answer: Answer


@dataclass(frozen=True, slots=True)
class Item:
    key: str
    kind: str
    group: str
    title: str
    speech: str  # SSML fragment, as heard
    reprompt: str | None
    sources: tuple[str, ...]
    limit: Limit

    @property
    def words(self) -> int:
        return len(to_text(self.speech).split())

    def over(self, seconds: float | None) -> list[str]:
        """What a reviewer should look at: each limit this response runs over."""
        found = []
        if self.words > self.limit.words:
            found.append(f"{self.words} words, over {self.limit.words}")
        if seconds is not None and self.limit.seconds and seconds > self.limit.seconds:
            found.append(f"{seconds:.1f} seconds, over {self.limit.seconds:.0f}")
        return found


def items(locale: LocaleContent) -> Iterator[Item]:
    """Every response as heard, in content order: prompts, topics, medicines, guide steps."""
    places = dict(_places(locale))
    for heard in locale.heard():
        # A topic part heard in another order keeps its answer's key, with how it came first.
        base = heard.key if heard.key in places else heard.key.split(" (", 1)[0]
        place = places[base]
        title = place.title + heard.key[len(base) :]
        words = {"emergency step": EMERGENCY_STEP_WORDS, BEAT: BEAT_WORDS}.get(
            place.kind, FIRST_WORDS
        )
        limit = Limit(words, FIRST_SECONDS if heard.first else None)
        answer = place.answer
        yield Item(
            heard.key, place.kind, place.group, title, heard.speech, answer.reprompt,
            answer.sources, limit,
        )  # fmt: skip


def _places(locale: LocaleContent) -> Iterator[tuple[str, Place]]:
    for name, answer in locale.prompts.items():
        yield answer.key, Place("prompt", "Prompts", name, answer)
    for kind, topics in (("topic", locale.topics), ("medicine", locale.medications)):
        for topic in topics.values():
            yield topic.answer.key, Place(kind, topic.title, topic.title, topic.answer)
            for follow_up in topic.more:
                title = f"More: {follow_up.offer}"
                yield follow_up.answer.key, Place("follow-up", topic.title, title, follow_up.answer)
    for guide in locale.guides.values():
        kind = "emergency step" if guide.name == EMERGENCY_GUIDE else "guide step"
        for number, step in enumerate(guide.steps.values(), start=1):
            title = f"Step {number}: {step.id.replace('_', ' ')}"
            yield step.answer.key, Place(kind, guide.title, title, step.answer)
        if guide.rhythm is not None:
            beat = Place(BEAT, guide.title, "The beat for chest compressions", guide.rhythm)
            yield guide.rhythm.key, beat


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
