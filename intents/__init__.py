"""The Heroin Help skill: ask-sdk-core handlers, dispatched without ask-sdk-core's CustomSkill.

CustomSkill imports every Alexa service client (about 25 ms of Lambda cold start) for an API
client this skill never uses, and its Lambda wrapper builds a new skill and re-parses the event on
every invocation. `Skill` keeps the SDK's handler API (AbstractRequestHandler, HandlerInput,
AttributesManager, the response builder) and its dispatcher, and builds everything once.
Nothing here imports aiohttp: the same skill runs in the web service and on AWS Lambda.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model.request_envelope import RequestEnvelope
from ask_sdk_model.response_envelope import ResponseEnvelope
from ask_sdk_runtime.dispatch import GenericRequestDispatcher
from ask_sdk_runtime.skill import RuntimeConfigurationBuilder

from intents.handlers import SpeakApology, request_handlers
from skill.serializer import FastSerializer
from speech import content

RESPONSE_FORMAT_VERSION = "1.0"
USER_AGENT = "heroin-help ask-sdk-core"


def copy_json(value: Any) -> Any:
    """A deep copy of parsed JSON: only dicts and lists need copying, everything else is
    immutable. `copy.deepcopy` (what the SDK uses) is ten times slower."""
    kind = type(value)
    if kind is dict:
        return {key: copy_json(item) for key, item in value.items()}
    if kind is list:
        return [copy_json(item) for item in value]
    return value


class JsonAttributesManager(AttributesManager):
    """Session attributes are JSON by definition, so copying them as JSON is a faithful deep
    copy, without the cost of `copy.deepcopy`, which the SDK uses on every request."""

    def __init__(self, request_envelope: RequestEnvelope) -> None:
        session = request_envelope.session
        attributes = session.attributes if session is not None else None
        if session is None or attributes is None:
            super().__init__(request_envelope=request_envelope)
            return
        session.attributes = None  # the SDK now skips its copy...
        try:
            super().__init__(request_envelope=request_envelope)
        finally:
            session.attributes = attributes
        self._session_attributes = copy_json(attributes)  # ...and we make ours


class Skill:
    def __init__(self, locale: str = content.DEFAULT_LOCALE) -> None:
        content.load(locale)  # bad content files fail here, at start-up, not on a request
        runtime = RuntimeConfigurationBuilder()
        for handler in request_handlers():
            runtime.add_request_handler(handler)
        runtime.add_exception_handler(SpeakApology())
        self.dispatcher = GenericRequestDispatcher(options=runtime.get_runtime_configuration())
        self.serializer = FastSerializer()

    def invoke(self, request_envelope: RequestEnvelope, context: Any = None) -> ResponseEnvelope:
        """What CustomSkill.invoke does for a skill without API client or persistence."""
        attributes = JsonAttributesManager(request_envelope)
        handler_input = HandlerInput(
            request_envelope=request_envelope, attributes_manager=attributes, context=context
        )
        response = self.dispatcher.dispatch(handler_input=handler_input)
        return ResponseEnvelope(
            response=response,
            version=RESPONSE_FORMAT_VERSION,
            session_attributes=(
                attributes.session_attributes if request_envelope.session is not None else None
            ),
            user_agent=USER_AGENT,
        )

    def handle(self, envelope: dict[str, Any], context: Any = None) -> dict[str, Any]:
        """Parsed request JSON in, response JSON (as a dict) out."""
        request_envelope = self.serializer.build(envelope, RequestEnvelope)
        response: dict[str, Any] = self.serializer.serialize(self.invoke(request_envelope, context))
        return response
