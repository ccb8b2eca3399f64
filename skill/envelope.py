"""Checks on a parsed request envelope that need nothing but the standard library.

The Lambda entry point uses these, and Lambda packages ship without the web stack or
cryptography, so this module must import neither.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

SKILL_ID_ENV = "HEROIN_HELP_SKILL_ID"  # the skill id, for Lambda and as `serve`'s default
MAX_SKEW_SECONDS = 150
MAX_SKILL_EVENT_SKEW_SECONDS = 3600


class VerificationError(Exception):
    """A request failed verification; `reason` is short and safe to log or return."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


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
