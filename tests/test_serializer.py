"""The fast serializer builds the same models and JSON as ask-sdk-core's DefaultSerializer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model.request_envelope import RequestEnvelope
from ask_sdk_model.response_envelope import ResponseEnvelope

from intents.asksdk.serializer import FastSerializer
from intents.skill import Skill
from speech.simulator.envelopes import Session


def envelopes() -> list[dict[str, Any]]:
    session = Session()
    session.attributes = {"guide": {"name": "overdose", "step": "check", "history": ["call"]}}
    with_extras = session.launch()
    with_extras["context"]["System"]["unknownField"] = {"kept": True}
    with_extras["context"]["Viewport"] = {"experiences": [{"canRotate": False}], "shape": "ROUND"}
    event = session.envelope(
        {"type": "AlexaSkillEvent.SkillEnabled", "eventCreationTime": "2026-11-22T06:30:00Z"}
    )
    return [
        session.launch(),
        session.intent("MedicationIntent", {"medication": "naloxone"}),
        session.intent("AMAZON.NextIntent"),
        session.end("ERROR"),
        with_extras,
        event,
    ]


@pytest.mark.parametrize("envelope", envelopes(), ids=lambda e: e["request"]["type"])
def test_requests_deserialize_to_the_same_models(envelope: dict[str, Any]) -> None:
    default = DefaultSerializer()
    fast = FastSerializer()
    expected = default.deserialize(orjson.dumps(envelope).decode(), RequestEnvelope)
    built = fast.build(envelope, RequestEnvelope)
    assert built == expected
    assert type(built.request) is type(expected.request)
    assert fast.serialize(built) == default.serialize(expected)


def test_timestamps_are_parsed_like_dateutil_does() -> None:
    envelope = Session().launch()
    for stamp in ("2026-11-22T06:30:00Z", "2026-11-22T06:30:00.123Z", "2026-11-22T06:30:00+00:00"):
        envelope["request"]["timestamp"] = stamp
        built = FastSerializer().build(envelope, RequestEnvelope)
        assert built.request.timestamp.replace(tzinfo=UTC) == datetime(
            2026, 11, 22, 6, 30, 0, 123000 if ".123" in stamp else 0, tzinfo=UTC
        )


@pytest.mark.parametrize("envelope", envelopes()[:3], ids=["launch", "medication", "next"])
def test_responses_serialize_to_the_same_json(envelope: dict[str, Any]) -> None:
    skill = Skill()
    response: ResponseEnvelope = skill.invoke(FastSerializer().build(envelope, RequestEnvelope))
    assert FastSerializer().serialize(response) == DefaultSerializer().serialize(response)


def test_values_newer_than_the_sdk_are_tolerated_and_noted() -> None:
    envelope = Session().intent("MedicationIntent", {"medication": "naloxone"})
    envelope["request"]["dialogState"] = "SOMETHING_NEW"
    envelope["request"]["intent"]["slots"]["medication"]["confirmationStatus"] = "MAYBE"
    notes: list[str] = []
    built = FastSerializer().build(envelope, RequestEnvelope, notes)
    assert built.request.dialog_state is None
    assert built.request.intent.slots["medication"].confirmation_status is None
    assert set(notes) == {"unknown DialogState value", "unknown SlotConfirmationStatus value"}


def test_an_unknown_request_type_is_built_as_a_plain_request() -> None:
    notes: list[str] = []
    built = FastSerializer().build(
        Session().envelope({"type": "Alexa.NewThing"}), RequestEnvelope, notes
    )
    assert built.request.object_type == "Alexa.NewThing"
    assert notes == ["unknown Request type"]


def test_a_json_key_cannot_retype_a_request() -> None:
    envelope = Session().intent("AMAZON.HelpIntent")
    envelope["request"]["object_type"] = "SessionEndedRequest"
    envelope["request"]["to_dict"] = 1
    built = FastSerializer().build(envelope, RequestEnvelope)
    assert built.request.object_type == "IntentRequest"
    assert built.request.to_dict()["object_type"] == "IntentRequest"
