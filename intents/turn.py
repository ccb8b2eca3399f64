"""One turn of the conversation: what was asked, where the caller is, and how to answer.

Handlers read like sentences because this module hides the ask-sdk plumbing: the request's intent
and slots, the session attributes that carry the caller's position, and the response builder.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.response_helper import ResponseFactory
from ask_sdk_model.response import Response

from intents import answers
from intents.answers import frozen_answer
from intents.asksdk.input import ResponseBuilder, SkillInput
from intents.asksdk.serializer import FastSerializer
from intents.continuity import GuideStore, StoreError, user_key
from intents.guide import GuideState
from intents.names import QUESTION_SLOT
from intents.reader import Reading, read
from intents.topic import TopicPosition
from speech import content
from speech.content.model import Answer, LocaleContent

# Session attribute names. Exactly one position is kept: the guide step, the topic part, or the
# last prompt, so "repeat", "yes" and "next" always mean the thing the caller just heard.
GUIDE = "guide"
TOPIC = "topic"
PROMPT = "prompt"
_POSITIONS = (GUIDE, TOPIC, PROMPT)

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
    def __init__(self, handler_input: HandlerInput, reading: Reading) -> None:
        self.request_type: str = reading.request_type
        self.intent: str | None = reading.intent
        self.slots = reading.slots
        self.response_builder: ResponseFactory = handler_input.response_builder
        self.content = content_for(reading.locale)
        # Alexa sends no session for some requests (events, and launches from routines); the
        # SDK refuses to read attributes then, and they live for this turn only.
        attributes = (
            handler_input.attributes_manager.session_attributes
            if reading.session is not None
            else None
        )
        self.session: dict[str, Any] = attributes if isinstance(attributes, dict) else {}
        self.new_session: bool = reading.new_session
        self.user_id: str | None = reading.user_id
        self.store: GuideStore | None = getattr(handler_input, "store", None)
        self._saved: GuideState | None = None
        self._looked_up = False

    @classmethod
    def of(cls, handler_input: HandlerInput) -> Turn:
        """The turn for this request, built once though every route asks about it. The request
        is read from its JSON; a HandlerInput from elsewhere (ask-sdk's own CustomSkill) has
        only the models, whose JSON is then rendered to read it the same way."""
        if not isinstance(handler_input, SkillInput):
            envelope = FastSerializer().serialize(handler_input.request_envelope)
            return cls(handler_input, read(envelope))
        if handler_input.turn is None:
            handler_input.turn = cls(handler_input, handler_input.reading)
        turn: Turn = handler_input.turn
        return turn

    # What was asked

    def slot_id(self, name: str) -> str | None:
        """The canonical value Alexa resolved the slot to, or the raw value if it is canonical."""
        return self.slots.get(name)

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
        """The answer that says `speech`: the shared, frozen one (`intents.answers`), unless a
        handler already began this answer on the request's own builder, where it is finished."""
        builder = self.response_builder
        if isinstance(builder, ResponseBuilder) and not builder.touched:
            return frozen_answer(speech, reprompt, title, end_session, self.content.locale)
        return answers.build(builder, speech, reprompt, title, end_session, self.content.locale)

    def say_answer(self, answer: Answer, *, title: str | None = None) -> Response:
        return self.say(answer.speech, answer.reprompt or answer.speech, title=title)
