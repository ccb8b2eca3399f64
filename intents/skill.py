"""The Heroin Help skill: ask-sdk-core handlers, dispatched without ask-sdk-core's CustomSkill.

CustomSkill imports every Alexa service client (about 25 ms of Lambda cold start) for an API
client this skill never uses, and its Lambda wrapper builds a new skill and re-parses the event on
every invocation. `Skill` keeps the SDK's handler API (AbstractRequestHandler, HandlerInput,
AttributesManager, the response builder) and its dispatcher, and builds everything once.
Nothing here imports aiohttp: the same skill runs in the web service and on AWS Lambda.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_model.request_envelope import RequestEnvelope
from ask_sdk_model.response_envelope import ResponseEnvelope
from ask_sdk_runtime.dispatch import GenericRequestDispatcher
from ask_sdk_runtime.skill import RuntimeConfigurationBuilder

from intents.asksdk.attributes import JsonAttributesManager
from intents.asksdk.input import SkillInput
from intents.asksdk.serializer import FastSerializer
from intents.continuity import GuideStore
from intents.routes import SpeakApology, request_handlers
from speech import content

if TYPE_CHECKING:  # the type alone: the store itself comes from whoever builds the skill
    from intents.continuity import GuideStore

RESPONSE_FORMAT_VERSION = "1.0"
USER_AGENT = "heroin-help ask-sdk-core"


class UnreadableRequest(ValueError):
    """The envelope has fields of the wrong JSON type for Alexa's request models. The message is
    fixed: what the envelope held is never repeated."""

    def __init__(self) -> None:
        super().__init__("request fields have the wrong types")


class Skill:
    def __init__(
        self, locale: str = content.DEFAULT_LOCALE, store: GuideStore | None = None
    ) -> None:
        # Where the guide waits while Alexa's session is closed; None: nowhere, the guide lives
        # in the session attributes alone.
        self.store = store
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
        handler_input = SkillInput(
            request_envelope=request_envelope,
            attributes_manager=attributes,
            context=context,
            store=self.store,
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

    def handle(
        self, envelope: dict[str, Any], context: Any = None, notes: list[str] | None = None
    ) -> dict[str, Any]:
        """Parsed request JSON in, response JSON (as a dict) out. Enum values and request types
        newer than the SDK are tolerated and named in `notes`; fields of the wrong JSON type
        raise UnreadableRequest."""
        try:
            request_envelope = self.serializer.build(envelope, RequestEnvelope, notes)
        except SerializationException:
            raise UnreadableRequest() from None
        response: dict[str, Any] = self.serializer.serialize(self.invoke(request_envelope, context))
        return response
