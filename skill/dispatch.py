"""From a verified request envelope to the response Alexa receives, through ask-sdk-core.

No aiohttp here: the web service and the tools that run the skill in process share this path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model.request_envelope import RequestEnvelope

from intents import build_skill_builder


class EnvelopeError(ValueError):
    """The body is JSON but not an Alexa request envelope."""


@dataclass(frozen=True, slots=True)
class Summary:
    """What the request log may say about a request: never ids, tokens or what was said."""

    request_type: str
    intent: str | None


def summarize(envelope: dict[str, Any]) -> Summary:
    request = envelope.get("request")
    if not isinstance(request, dict) or not isinstance(request.get("type"), str):
        raise EnvelopeError("not an Alexa request envelope")
    intent = request.get("intent")
    name = intent.get("name") if isinstance(intent, dict) else None
    return Summary(request["type"], name if isinstance(name, str) else None)


class Dispatcher:
    def __init__(self, skill_id: str | None = None) -> None:
        self.skill = build_skill_builder(skill_id).create()
        self.serializer = DefaultSerializer()

    def dispatch(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """Run the skill on a parsed envelope; returns the response envelope as a dict."""
        # The public deserialize() takes a JSON string; the body is already parsed once for
        # verification, so hand the dict straight to the model builder.
        request_envelope = self.serializer._DefaultSerializer__deserialize(  # type: ignore[attr-defined]
            envelope, RequestEnvelope
        )
        response_envelope = self.skill.invoke(request_envelope=request_envelope, context=None)
        response = self.serializer.serialize(response_envelope)
        assert isinstance(response, dict)
        return response


def parse_envelope(body: bytes | str) -> dict[str, Any]:
    try:
        envelope = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise EnvelopeError("body is not valid JSON") from None
    if not isinstance(envelope, dict):
        raise EnvelopeError("not an Alexa request envelope")
    summarize(envelope)
    return envelope
