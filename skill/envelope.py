"""The request envelope: its shape, what the log may say about it, its timestamp and skill id.

Standard library only: the Lambda entry point uses these checks too, and Lambda packages ship
without the web stack or cryptography. The web service parses the body (with orjson) and hands
the result to `summarize`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from skill.errors import EnvelopeError, VerificationError

SKILL_ID_ENV = "HEROIN_HELP_SKILL_ID"  # the skill id, for Lambda and as `serve`'s default
MAX_SKEW_SECONDS = 150
MAX_SKILL_EVENT_SKEW_SECONDS = 3600


class Summary(NamedTuple):  # immutable, and cheaper to build than a frozen dataclass
    """What the request log and the metrics may say about a request: its type and intent when
    they are names we know, "other" when they are not (never what the request spelled there),
    and never ids, tokens or what was said."""

    request_type: str
    intent: str | None


UNKNOWN = Summary("unknown", None)  # not (yet) known to be an Alexa request
OTHER = "other"


def summarize(
    envelope: Any,
    request_types: Collection[str] = (),
    intents: Collection[str] = (),
) -> Summary:
    """The envelope's summary, which also proves it is shaped like an Alexa request. A type or
    intent outside `request_types` or `intents` is summarised as "other"."""
    request = envelope.get("request") if isinstance(envelope, dict) else None
    if not isinstance(request, dict) or not isinstance(request.get("type"), str):
        raise EnvelopeError("not an Alexa request envelope")
    intent = request.get("intent")
    name = intent.get("name") if isinstance(intent, dict) else None
    request_type = request["type"]
    return Summary(
        request_type if request_type in request_types else OTHER,
        None if name is None else name if isinstance(name, str) and name in intents else OTHER,
    )


def utc_now() -> datetime:
    return datetime.now(UTC)


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _request(envelope: Any) -> Mapping[str, Any]:
    if not isinstance(envelope, Mapping):
        raise VerificationError("request envelope is not an object")
    request = envelope.get("request")
    if not isinstance(request, Mapping):
        raise VerificationError("missing request")
    return request


def parse_timestamp(value: Any) -> datetime:
    if not isinstance(value, str) or not value:
        raise VerificationError("missing request timestamp")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise VerificationError("unparseable request timestamp") from None
    # Alexa always sends UTC; a zone-less stamp can only sensibly mean UTC too.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def check_timestamp(envelope: Mapping[str, Any], now: datetime) -> None:
    """Reject replays: the request must be recent, skill events get a longer window."""
    request = _request(envelope)
    timestamp = parse_timestamp(request.get("timestamp"))
    request_type = request.get("type")
    is_skill_event = isinstance(request_type, str) and request_type.startswith("AlexaSkillEvent.")
    limit = MAX_SKILL_EVENT_SKEW_SECONDS if is_skill_event else MAX_SKEW_SECONDS
    if abs((now - timestamp).total_seconds()) > limit:
        raise VerificationError("request timestamp too far from now")


def check_skill_id(envelope: Mapping[str, Any], skill_id: str | None) -> None:
    """Accept only requests addressed to our skill (when a skill id is configured)."""
    if not skill_id:
        return
    if not isinstance(envelope, Mapping):
        raise VerificationError("request envelope is not an object")
    application_id = _dig(envelope, "context", "System", "application", "applicationId")
    if application_id is None:
        application_id = _dig(envelope, "session", "application", "applicationId")
    if application_id is None:
        raise VerificationError("missing application id")
    if application_id != skill_id:
        raise VerificationError("wrong skill id")


def check(envelope: Mapping[str, Any], now: datetime, skill_id: str | None) -> None:
    """Every envelope check: recent enough, and addressed to our skill."""
    check_timestamp(envelope, now)
    check_skill_id(envelope, skill_id)
