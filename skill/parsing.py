"""Reading a request body as an Alexa envelope, and what the request log may say about it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson


class EnvelopeError(ValueError):
    """The body is JSON but not an Alexa request envelope."""


@dataclass(frozen=True, slots=True)
class Summary:
    """What the request log may say about a request: never ids, tokens or what was said."""

    request_type: str
    intent: str | None


UNKNOWN = Summary("unknown", None)


def summarize(envelope: dict[str, Any]) -> Summary:
    request = envelope.get("request")
    if not isinstance(request, dict) or not isinstance(request.get("type"), str):
        raise EnvelopeError("not an Alexa request envelope")
    intent = request.get("intent")
    name = intent.get("name") if isinstance(intent, dict) else None
    return Summary(request["type"], name if isinstance(name, str) else None)


def parse_envelope(body: bytes | str) -> tuple[dict[str, Any], Summary]:
    """The envelope, and its summary, which also proves it is shaped like an Alexa request."""
    try:
        envelope = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise EnvelopeError("body is not valid JSON") from None
    if not isinstance(envelope, dict):
        raise EnvelopeError("not an Alexa request envelope")
    return envelope, summarize(envelope)
