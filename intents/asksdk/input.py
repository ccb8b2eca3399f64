"""A HandlerInput that reads the request's JSON and builds ask-sdk's models only when asked.

Everything a HandlerInput offers is here: `request_envelope` (the SDK's RequestEnvelope, built
on first read from the JSON the request arrived as, at the old price), `attributes_manager`,
`response_builder`, `context`. The skill's own handlers read the request through the turn, so on
their path the models are never built. It also keeps this request's turn, so every route reads the
request once, and the guide store the skill was given.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.response_helper import ResponseFactory
from ask_sdk_model.request_envelope import RequestEnvelope
from ask_sdk_model.response import Response

from intents.asksdk.attributes import JsonAttributesManager
from intents.asksdk.serializer import FastSerializer


class ResponseBuilder(ResponseFactory):
    """The SDK's response builder, whose empty Response is made when something is first built
    on it: most answers never touch the request's builder (see `intents.answers`)."""

    def __init__(self) -> None:
        self._response: Response | None = None

    @property
    def touched(self) -> bool:
        """Whether anything was built here yet."""
        return self._response is not None

    @property
    def response(self) -> Response:
        if self._response is None:
            self._response = Response(
                output_speech=None, card=None, reprompt=None, directives=None,
                should_end_session=None,
            )  # fmt: skip
        return self._response

    @response.setter
    def response(self, response: Response) -> None:
        self._response = response


class SkillInput(HandlerInput):
    # The turn is whatever `intents.turn.Turn` builds; typed loosely here because this module
    # sits below the turn. The turn never holds this input back, so no reference cycle forms.
    def __init__(
        self,
        envelope: dict[str, Any],
        reading: Any,
        attributes_manager: JsonAttributesManager,
        context: Any = None,
        *,
        store: Any = None,
        request_envelope: RequestEnvelope | None = None,
    ) -> None:
        # Not HandlerInput.__init__: it wants the models, and builds a response up front.
        self.envelope = envelope  # the request's parsed JSON
        self.reading = reading  # what the turn reads of it (intents.reader.Reading)
        self._request_envelope = request_envelope
        self.attributes_manager = attributes_manager
        self.context = context
        self.service_client_factory = None  # type: ignore[assignment]  # no API client here
        self.template_factory = None  # type: ignore[assignment]
        self.response_builder = ResponseBuilder()
        self.turn: Any = None
        self.store = store  # where the guide waits between sessions (intents.continuity)

    @property
    def request_envelope(self) -> RequestEnvelope:
        """The SDK's models of the request, built the first time a handler reads them."""
        if self._request_envelope is None:
            self._request_envelope = FastSerializer().build(self.envelope, RequestEnvelope)
        return self._request_envelope

    @request_envelope.setter
    def request_envelope(self, request_envelope: RequestEnvelope) -> None:
        self._request_envelope = request_envelope
