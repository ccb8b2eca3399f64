"""One turn of the conversation: what was asked, where the caller is, and how to answer.

Handlers read like sentences because this module hides the ask-sdk plumbing: the request's intent
and slots, the session attributes that carry the caller's position, and the response builder.
"""

from __future__ import annotations

import logging
import re
from functools import cache, lru_cache
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.response_helper import ResponseFactory
from ask_sdk_model.intent_request import IntentRequest
from ask_sdk_model.request import Request
from ask_sdk_model.response import Response
from ask_sdk_model.ui.simple_card import SimpleCard

from intents.asksdk.input import SkillInput
from intents.continuity import GuideStore, StoreError, user_key
from intents.guide import GuideState
from intents.names import QUESTION_SLOT
from intents.topic import TopicPosition
from speech import content, ssml
from speech.content.model import Answer, LocaleContent

# Session attribute names. Exactly one position is kept: the guide step, the topic part, or the
# last prompt, so "repeat", "yes" and "next" always mean the thing the caller just heard.
GUIDE = "guide"
TOPIC = "topic"
PROMPT = "prompt"
_POSITIONS = (GUIDE, TOPIC, PROMPT)

_TELEPHONE = re.compile(r'<say-as interpret-as="telephone">')
log = logging.getLogger("heroin_help.continuity")


@cache
def content_for(locale: str | None) -> LocaleContent:
    """This locale's content, or the default locale's when we have none for it."""
    if locale and locale in content.available_locales():
        return content.load(locale)
    return content.load(content.DEFAULT_LOCALE)


class Turn:
    # A turn holds what it needs from the HandlerInput, never the HandlerInput itself: the
    # HandlerInput holds the turn, and a reference cycle would leave every request's objects for
    # the garbage collector, whose pauses then show in tail latency.
    def __init__(self, handler_input: HandlerInput) -> None:
        request = handler_input.request_envelope.request
        self.request: Request | None = request
        self.response_builder: ResponseFactory = handler_input.response_builder
        self.request_type: str = getattr(request, "object_type", None) or ""
        self.intent: str | None = (
            request.intent.name if isinstance(request, IntentRequest) and request.intent else None
        )
        self.content = content_for(getattr(request, "locale", None))
        # Alexa sends no session for some requests (events, and launches from routines); the
        # SDK refuses to read attributes then, and they live for this turn only.
        envelope = handler_input.request_envelope
        session = envelope.session
        attributes = (
            handler_input.attributes_manager.session_attributes if session is not None else None
        )
        self.session: dict[str, Any] = attributes if isinstance(attributes, dict) else {}
        self.new_session: bool = session is None or bool(session.new)
        system = getattr(envelope.context, "system", None)
        user = getattr(system, "user", None) or getattr(session, "user", None)
        user_id = getattr(user, "user_id", None)
        self.user_id: str | None = user_id if isinstance(user_id, str) else None
        self.store: GuideStore | None = getattr(handler_input, "store", None)
        self._saved: GuideState | None = None
        self._looked_up = False

    @classmethod
    def of(cls, handler_input: HandlerInput) -> Turn:
        """The turn for this request, built once though every route asks about it."""
        if not isinstance(handler_input, SkillInput):
            return cls(handler_input)
        if handler_input.turn is None:
            handler_input.turn = cls(handler_input)
        turn: Turn = handler_input.turn
        return turn

    # What was asked

    def slot_id(self, name: str) -> str | None:
        """The canonical value Alexa resolved the slot to, or the raw value if it is canonical."""
        slots = getattr(getattr(self.request, "intent", None), "slots", None) or {}
        slot = slots.get(name)
        if slot is None:
            return None
        authorities = getattr(getattr(slot, "resolutions", None), "resolutions_per_authority", None)
        for authority in authorities or []:
            status = getattr(getattr(authority, "status", None), "code", None)
            if getattr(status, "value", status) == "ER_SUCCESS_MATCH" and authority.values:
                value = authority.values[0].value
                return str(value.id or value.name).lower()
        raw = (slot.value or "").strip().lower()
        return raw or None

    def question(self) -> str | None:
        """What the caller asked about the topic ("how long", "is it safe"), as a question id."""
        return self.slot_id(QUESTION_SLOT)

    # Where the caller is

    def guide_state(self) -> GuideState | None:
        return GuideState.from_session(self.session.get(GUIDE), self.content.guides)

    def slot_ids(self, *names: str) -> list[str]:
        """The canonical values of these slots, in order, skipping empty ones."""
        return [value for name in names if (value := self.slot_id(name)) is not None]

    # Across sessions: the guide waits in the store while Alexa's session is closed

    def saved_guide(self) -> GuideState | None:
        """The guide state this caller left in the last 30 minutes, if any; looked up once."""
        if not self._looked_up:
            self._saved, self._looked_up = self._load_saved(), True
        return self._saved

    def _load_saved(self) -> GuideState | None:
        if self.store is None or not self.user_id:
            return None
        try:
            saved = self.store.load(user_key(self.user_id))
        except StoreError as error:
            log.warning("guide store unavailable, answering from the session: %s", error)
            return None
        return GuideState.from_session(saved, self.content.guides)

    def keep_guide(self, state: GuideState) -> None:
        self.remember(GUIDE, state.to_session())
        if self.store is not None and self.user_id:
            try:
                self.store.save(user_key(self.user_id), state.to_session())
            except StoreError as error:
                log.warning("guide store unavailable, answering from the session: %s", error)

    def forget_guide(self) -> None:
        self.forget()
        if self.store is not None and self.user_id:
            try:
                self.store.forget(user_key(self.user_id))
            except StoreError as error:
                log.warning("guide store unavailable, answering from the session: %s", error)

    def topic_position(self) -> TopicPosition | None:
        return TopicPosition.from_session(
            self.session.get(TOPIC), self.content.topics, self.content.medications
        )

    def remember(self, kind: str, value: Any) -> None:
        self.forget()
        self.session[kind] = value

    def forget(self) -> None:
        for key in _POSITIONS:
            self.session.pop(key, None)

    # How to answer

    def say(
        self,
        speech: str,
        reprompt: str | None,
        *,
        title: str | None = None,
        end_session: bool = False,
    ) -> Response:
        builder = self.response_builder
        builder.speak(speech)
        if reprompt is not None and not end_session:
            builder.ask(reprompt)
        builder.set_should_end_session(end_session)
        text = card_text(speech, self.content.locale)
        if text is not None:
            builder.set_card(SimpleCard(title or "Heroin Help", text))
        return builder.response

    def say_answer(self, answer: Answer, *, title: str | None = None) -> Response:
        return self.say(answer.speech, answer.reprompt or answer.speech, title=title)


@lru_cache(maxsize=1024)
def card_text(speech: str, locale: str) -> str | None:
    """The card for an answer that gives a phone number: the answer as text, with spoken-digit
    numbers ("9 1 1") written as people dial them. None when the answer gives no number.

    Answers come from the content files, so the same few hundred come back again and again;
    each is read once instead of parsing its SSML on every request.
    """
    numbers = spoken_numbers(locale)
    if not _TELEPHONE.search(speech) and not any(spoken in speech for spoken, _ in numbers):
        return None
    text = ssml.to_text(speech)
    for spoken, written in numbers:
        text = text.replace(spoken, written)
    return text


@cache
def spoken_numbers(locale: str) -> tuple[tuple[str, str], ...]:
    """Each allowed number as the content speaks it ("9 1 1") and as it is written ("911")."""
    return tuple(
        (" ".join(number.number) if number.number.isdigit() else number.number, number.number)
        for number in content_for(locale).phone_numbers
    )
