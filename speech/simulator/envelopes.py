"""Alexa request envelopes as Alexa sends them, for the simulator, the tests and the benchmarks.

The shape follows Amazon's request and response JSON reference: a session (with the attributes
the skill returned last turn), a context with System.application, and the request itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from intents.names import INTENT_REQUEST, LAUNCH_REQUEST, SESSION_ENDED_REQUEST
from speech.ssml import to_text

DEV_SKILL_ID = "amzn1.ask.skill.00000000-0000-4000-8000-heroinhelp01"
# Why a session ended, as Alexa reports it in a SessionEndedRequest.
USER_INITIATED = "USER_INITIATED"
EXCEEDED_MAX_REPROMPTS = "EXCEEDED_MAX_REPROMPTS"  # nobody answered the reprompt


def timestamp(now: datetime | None = None) -> str:
    moment = now or datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def new_user_id() -> str:
    return f"amzn1.ask.account.{uuid.uuid4().hex}"


def new_device_id() -> str:
    return f"amzn1.ask.device.{uuid.uuid4().hex}"


@dataclass(frozen=True, slots=True)
class Caller:
    """One person on one speaker: the ids that stay the same from one session to the next."""

    user_id: str = field(default_factory=new_user_id)
    device_id: str = field(default_factory=new_device_id)


@dataclass
class Session:
    """One Alexa session: ids stay fixed and attributes carry over from each response."""

    skill_id: str = DEV_SKILL_ID
    locale: str = "en-US"
    session_id: str = field(default_factory=lambda: f"amzn1.echo-api.session.{uuid.uuid4()}")
    user_id: str = field(default_factory=new_user_id)
    device_id: str = field(default_factory=new_device_id)
    attributes: dict[str, Any] = field(default_factory=dict)
    new: bool = True

    def launch(self) -> dict[str, Any]:
        return self.envelope({"type": LAUNCH_REQUEST})

    def intent(
        self,
        name: str,
        slots: Mapping[str, str | None] | None = None,
        *,
        slot_types: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """An IntentRequest; slot values are canonical ids, sent with an ER_SUCCESS_MATCH whose
        authority names the slot's type (`slot_types`; by default the slot's name)."""
        intent: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
        types = slot_types or {}
        if slots:
            intent["slots"] = {
                slot: slot_json(slot, value, types.get(slot, "")) for slot, value in slots.items()
            }
        return self.envelope({"type": INTENT_REQUEST, "intent": intent, "dialogState": "STARTED"})

    def end(self, reason: str = USER_INITIATED) -> dict[str, Any]:
        return self.envelope({"type": SESSION_ENDED_REQUEST, "reason": reason})

    def envelope(self, request: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
        request = {
            "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
            "timestamp": timestamp(now),
            "locale": self.locale,
            **request,
        }
        application = {"applicationId": self.skill_id}
        user = {"userId": self.user_id}
        return {
            "version": "1.0",
            "session": {
                "new": self.new,
                "sessionId": self.session_id,
                "application": application,
                "attributes": dict(self.attributes),
                "user": user,
            },
            "context": {
                "System": {
                    "application": application,
                    "user": user,
                    "device": {"deviceId": self.device_id, "supportedInterfaces": {}},
                    "apiEndpoint": "https://api.amazonalexa.com",
                }
            },
            "request": request,
        }

    def absorb(self, response: Mapping[str, Any]) -> None:
        """Carry the skill's session attributes into the next turn, as Alexa does."""
        self.new = False
        attributes = response.get("sessionAttributes")
        self.attributes = dict(attributes) if isinstance(attributes, dict) else {}


def slot_json(name: str, value: str | None, slot_type: str = "") -> dict[str, Any]:
    slot: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if value is None:
        return slot
    slot["value"] = value
    authority = f"amzn1.er-authority.echo-sdk.{DEV_SKILL_ID}.{slot_type or name.upper()}"
    slot["resolutions"] = {
        "resolutionsPerAuthority": [
            {
                "authority": authority,
                "status": {"code": "ER_SUCCESS_MATCH"},
                "values": [{"value": {"name": value, "id": value}}],
            }
        ]
    }
    return slot


@dataclass(frozen=True, slots=True)
class Reply:
    """What the skill answered, in the terms a listener cares about."""

    ssml: str
    reprompt: str | None
    end_session: bool
    card: dict[str, Any] | None
    raw: Mapping[str, Any]

    @classmethod
    def of(cls, envelope: Mapping[str, Any]) -> Reply:
        response = envelope.get("response") or {}
        speech = (response.get("outputSpeech") or {}).get("ssml", "")
        reprompt = ((response.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml")
        return cls(
            ssml=speech,
            reprompt=reprompt,
            end_session=bool(response.get("shouldEndSession", True)),
            card=response.get("card"),
            raw=envelope,
        )

    @property
    def speech(self) -> str:
        return to_text(self.ssml) if self.ssml else ""
