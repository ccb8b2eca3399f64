"""The Heroin Help skill: ask-sdk-core handlers, dispatched without ask-sdk-core's CustomSkill.

CustomSkill imports every Alexa service client (about 25 ms of Lambda cold start) for an API
client this skill never uses, and its Lambda wrapper builds a new skill and re-parses the event on
every invocation. `Skill` keeps the SDK's handler API (AbstractRequestHandler, exception handlers,
HandlerInput, AttributesManager, the response builder) and builds everything once. A request is
read from its JSON (`intents.reader`); the SDK's request models are built only for a handler that
reads `handler_input.request_envelope`. Answers are shared and frozen, their JSON rendered once
(`intents.answers`), so a response is assembled from bytes, with only the session attributes
serialised per request.

Nothing here imports aiohttp: the same skill runs in the web service and on AWS Lambda.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ask_sdk_model.request_envelope import RequestEnvelope
from ask_sdk_model.response import Response
from ask_sdk_model.response_envelope import ResponseEnvelope

from intents.asksdk.attributes import JsonAttributesManager
from intents.asksdk.frozen import FrozenResponse, rendered
from intents.asksdk.input import SkillInput
from intents.asksdk.serializer import FastSerializer
from intents.dispatch import Dispatcher
from intents.reader import UnreadableRequest, read
from intents.routes import SpeakApology, request_handlers
from speech import content

if TYPE_CHECKING:  # the type alone: the store itself comes from whoever builds the skill
    from intents.continuity import GuideStore

__all__ = ["Skill", "UnreadableRequest"]

RESPONSE_FORMAT_VERSION = "1.0"
USER_AGENT = "heroin-help ask-sdk-core"
# The response envelope around the answer, in the order ask-sdk's ResponseEnvelope writes it.
_OPEN = b'{"version":"%s"' % RESPONSE_FORMAT_VERSION.encode()
_ATTRIBUTES = b',"sessionAttributes":'
_ANSWER = b',"userAgent":"%s","response":' % USER_AGENT.encode()
_CLOSE = b"}"


class Skill:
    def __init__(
        self, locale: str = content.DEFAULT_LOCALE, store: GuideStore | None = None
    ) -> None:
        # Where the guide waits while Alexa's session is closed; None: nowhere, the guide lives
        # in the session attributes alone.
        self.store = store
        content.load(locale)  # bad content files fail here, at start-up, not on a request
        self.dispatcher = Dispatcher(request_handlers(), [SpeakApology()])

    def answer(
        self, envelope: dict[str, Any], context: Any = None, notes: list[str] | None = None
    ) -> bytes:
        """Parsed request JSON in, the response envelope's JSON out. Values newer than the SDK
        are tolerated and named in `notes`; fields of the wrong JSON type raise
        UnreadableRequest (see `intents.reader`)."""
        # Here rather than at the top: Lambda takes `handle`'s dict, and its cold start never
        # pays for orjson's import.
        import orjson

        response, session_attributes = self.respond(envelope, context, notes)
        answer = b"{}" if response is None else rendered(response)
        if session_attributes is None:
            return _OPEN + _ANSWER + answer + _CLOSE
        return _OPEN + _ATTRIBUTES + orjson.dumps(session_attributes) + _ANSWER + answer + _CLOSE

    def handle(
        self, envelope: dict[str, Any], context: Any = None, notes: list[str] | None = None
    ) -> dict[str, Any]:
        """`answer`, as a dict (what Lambda returns, and the simulator reads): the same keys in
        the same order, and nothing in it shared with another request."""
        response, session_attributes = self.respond(envelope, context, notes)
        answer: dict[str, Any] = {"version": RESPONSE_FORMAT_VERSION}
        if session_attributes is not None:
            answer["sessionAttributes"] = session_attributes
        answer["userAgent"] = USER_AGENT
        answer["response"] = {} if response is None else json.loads(rendered(response))
        return answer

    def respond(
        self, envelope: dict[str, Any], context: Any = None, notes: list[str] | None = None
    ) -> tuple[FrozenResponse | Response | None, dict[str, Any] | None]:
        """The handlers' answer to a parsed request, and the session attributes it leaves (None
        outside a session). This request's own attributes: nothing else holds them."""
        reading = read(envelope, notes)  # checks the request before any handler runs
        attributes = JsonAttributesManager(reading.session)
        handler_input = SkillInput(envelope, reading, attributes, context, store=self.store)
        response = self.dispatcher.dispatch(handler_input, (reading.request_type, reading.intent))
        return response, attributes.returned()

    def invoke(self, request_envelope: RequestEnvelope, context: Any = None) -> ResponseEnvelope:
        """What CustomSkill.invoke does for a skill without API client or persistence: the
        SDK's models in, the SDK's models out."""
        envelope = FastSerializer().serialize(request_envelope)
        reading = read(envelope)
        attributes = JsonAttributesManager(reading.session)
        handler_input = SkillInput(
            envelope, reading, attributes, context, store=self.store,
            request_envelope=request_envelope,
        )  # fmt: skip
        response = self.dispatcher.dispatch(handler_input, (reading.request_type, reading.intent))
        return ResponseEnvelope(
            response=response,
            version=RESPONSE_FORMAT_VERSION,
            session_attributes=attributes.returned(),
            user_agent=USER_AGENT,
        )
