"""The conversations the open pages hold, and each turn as the page shows it.

Each page holds one conversation: one caller on one speaker, whose sessions open and close as
Alexa's would. A turn reports what was heard, the intent, the answer with its reprompt and card,
the audio, and every request and response exactly as they went to the skill.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from speech.simulator.conversation import Conversation, TurnResult
from speech.simulator.envelopes import EXCEEDED_MAX_REPROMPTS, Caller
from speech.simulator.transports import Exchange, Recording, Transport
from speech.simulator.web.audio import AudioCache, audio_url
from speech.ssml import to_text

MAX_CONVERSATIONS = 64  # open pages; the oldest is forgotten past this
MAX_UTTERANCE = 500  # characters: far more than anyone says to a speaker in one breath
HOW = ("keyboard", "button", "microphone")


class UnknownLocale(ValueError):
    def __init__(self, locale: str, locales: Sequence[str]) -> None:
        super().__init__(f"unknown locale {locale!r}: the content has {', '.join(locales)}")


@dataclass(frozen=True, slots=True)
class Heard:
    text: str
    confidence: float | None  # the recogniser's; None for typed text
    by: str  # one of HOW


@dataclass
class PageConversation:
    id: str
    conversation: Conversation
    recording: Recording
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one turn at a time

    @property
    def locale(self) -> str:
        return self.conversation.locale


class Conversations:
    def __init__(
        self,
        transport: Transport,
        audio: AudioCache,
        locales: Sequence[str],
        limit: int = MAX_CONVERSATIONS,
    ) -> None:
        self.transport = transport
        self.audio = audio
        self.locales = tuple(locales)
        self.limit = limit
        self._open: OrderedDict[str, PageConversation] = OrderedDict()

    def start(self, locale: str) -> PageConversation:
        """A new caller, on a new page or after "new session"; no request is sent yet."""
        if locale not in self.locales:
            raise UnknownLocale(locale, self.locales)
        recording = Recording(self.transport)
        conversation = Conversation(recording, locale=locale, caller=Caller())
        page = PageConversation(uuid.uuid4().hex, conversation, recording)
        self._open[page.id] = page
        while len(self._open) > self.limit:
            self._open.popitem(last=False)
        return page

    def get(self, conversation_id: str) -> PageConversation | None:
        page = self._open.get(conversation_id)
        if page is not None:
            self._open.move_to_end(conversation_id)
        return page

    async def end(self, page: PageConversation) -> None:
        """The page starts over: an open session ends as when the user walks away."""
        self._open.pop(page.id, None)
        async with page.lock:
            await page.conversation.end_session()

    async def say(self, page: PageConversation, heard: Heard) -> dict[str, Any]:
        async with page.lock:
            page.recording.take()
            try:
                result = await page.conversation.say(heard.text)
            finally:
                exchanges = page.recording.take()
            return self.turn(page, result, exchanges, heard)

    async def come_back_later(self, page: PageConversation) -> dict[str, Any]:
        """Nobody answered the reprompt, so Alexa closed the session; later the caller opens the
        skill again. This is how a caller comes back to the overdose guide."""
        async with page.lock:
            page.recording.take()
            try:
                await page.conversation.end_session(EXCEEDED_MAX_REPROMPTS)
                result = await page.conversation.launch()
            finally:
                exchanges = page.recording.take()
            return self.turn(page, result, exchanges, None)

    def turn(
        self,
        page: PageConversation,
        result: TurnResult,
        exchanges: Sequence[Exchange],
        heard: Heard | None,
    ) -> dict[str, Any]:
        reply = result.reply
        answer = None
        audio = None
        if reply is not None:
            answer = {
                "text": reply.speech,
                "ssml": reply.ssml,
                "reprompt": to_text(reply.reprompt) if reply.reprompt else None,
                "card": reply.card,
                "ends_session": reply.end_session,
            }
            if reply.ssml and self.audio.available:
                audio = audio_url(self.audio.register(reply.ssml))
        last: Mapping[str, Any] = exchanges[-1].response if exchanges else {}
        return {
            "heard": None if heard is None else {
                "text": heard.text, "confidence": heard.confidence, "by": heard.by,
            },
            "intent": result.intent,
            "slots": dict(result.slots),
            "confidence": result.confidence,
            "answer": answer,
            "audio": audio,
            "exchanges": [{"request": e.request, "response": e.response} for e in exchanges],
            "attributes": last.get("sessionAttributes") or {},
            "session_open": page.conversation.session is not None,
        }  # fmt: skip
