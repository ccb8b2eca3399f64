"""Answers read from the JSON and shared once frozen say exactly what the SDK's models said.

The skill reads each request from its JSON and answers with a shared, frozen Response whose JSON
was rendered once (intents.reader, intents.answers). Every dialog script, run through it, must get
the very bytes the SDK's own path gives (request models built, the same handlers, the response
models serialised); no shared answer may ever change; and a handler that reaches for the SDK's
models or starts on the response builder still gets what the SDK promises.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import pytest
from ask_sdk_core.dispatch_components.request_components import AbstractRequestHandler
from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.response_helper import ResponseFactory
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_model.intent_request import IntentRequest
from ask_sdk_model.request_envelope import RequestEnvelope
from ask_sdk_model.response import Response
from ask_sdk_model.ui.simple_card import SimpleCard

from intents.answers import build, kept
from intents.asksdk.frozen import FrozenAnswerError, FrozenResponse
from intents.asksdk.serializer import FastSerializer
from intents.dispatch import Dispatcher
from intents.names import REQUEST_TYPES
from intents.reader import UnreadableRequest
from intents.routes import SpeakApology, request_handlers
from intents.skill import Skill
from intents.turn import Turn
from speech.simulator.dialogs import load_dialogs, run_dialog
from speech.simulator.envelopes import Session

DIALOGS = load_dialogs([Path(__file__).parent / "dialogs"])


async def as_typed(text: str) -> str:
    """A spoken turn heard exactly as written: these tests compare serializers, not hearing
    (test_dialogs.py says the spoken turns aloud)."""
    return text


def sdk_skill() -> CustomSkill:
    """The same handlers in ask-sdk-core's own CustomSkill, as its documentation builds one: the
    SDK's dispatcher, attributes manager and response builder, and no shared answers."""
    builder = SkillBuilder()
    for handler in request_handlers():
        builder.add_request_handler(handler)
    builder.add_exception_handler(SpeakApology())
    return builder.create()


SDK = sdk_skill()


def sdk_answer(envelope: Mapping[str, Any]) -> Any:
    """What the SDK's CustomSkill answers, through its DefaultSerializer both ways."""
    serializer = DefaultSerializer()
    request = serializer.deserialize(orjson.dumps(envelope).decode(), RequestEnvelope)
    return serializer.serialize(SDK.invoke(request, None))


class BothPaths:
    """A transport that answers each envelope every way: the skill's bytes, the SDK's models
    through the skill, the skill's dict for Lambda, and ask-sdk-core's own CustomSkill. It
    insists they all say the same, and passes the answer on to the dialog."""

    def __init__(self, skill: Skill) -> None:
        self.skill = skill
        self.compared = 0

    async def send(self, envelope: Mapping[str, Any]) -> dict[str, Any]:
        fast = self.skill.answer(orjson.loads(orjson.dumps(envelope)))
        models = FastSerializer().build(orjson.loads(orjson.dumps(envelope)), RequestEnvelope)
        assert fast == orjson.dumps(FastSerializer().serialize(self.skill.invoke(models)))
        as_dict = self.skill.handle(orjson.loads(orjson.dumps(envelope)))
        assert orjson.dumps(as_dict) == fast
        try:
            sdk = sdk_answer(envelope)
        except SerializationException:  # the SDK refuses what it does not know; the skill not
            assert envelope["request"]["type"] not in REQUEST_TYPES
        else:
            # Everything but the user agent, which names this skill rather than the SDK.
            assert {**as_dict, "userAgent": None} == {**sdk, "userAgent": None}
        self.compared += 1
        answer: dict[str, Any] = orjson.loads(fast)
        return answer

    async def close(self) -> None:
        return None


@pytest.mark.parametrize("dialog", DIALOGS, ids=lambda d: d.name)
async def test_every_dialog_gets_the_bytes_the_sdk_models_give(dialog: Any) -> None:
    both = BothPaths(Skill())
    result = await run_dialog(dialog, both, as_typed)
    assert result.passed, result.failures
    assert both.compared >= len(dialog.turns)


@pytest.mark.parametrize(
    "envelope",
    [
        Session().end(),
        Session().envelope({"type": "AlexaSkillEvent.SkillEnabled"}),
        Session().envelope({"type": "Alexa.Something.New"}),
        {k: v for k, v in Session().launch().items() if k != "session"},
        {k: v for k, v in Session().intent("AMAZON.HelpIntent").items() if k != "session"},
    ],
    ids=["session ended", "skill event", "unknown type", "launch, no session", "no session"],
)
async def test_events_and_sessionless_requests_get_the_same_bytes(
    envelope: dict[str, Any],
) -> None:
    await BothPaths(Skill()).send(envelope)


async def test_no_shared_answer_ever_changes() -> None:
    skill = Skill()
    for dialog in DIALOGS:
        await run_dialog(dialog, BothPaths(skill), as_typed)
    answers = kept()
    assert len(answers) > 50
    for key, answer in answers.items():
        # Still what it was rendered as, and still what its five values build afresh.
        assert orjson.dumps(FastSerializer().serialize(answer)) == answer.json
        assert answer.json == orjson.dumps(
            FastSerializer().serialize(build(ResponseFactory(), *key))
        )


def test_a_shared_answer_refuses_every_change() -> None:
    skill = Skill()
    skill.answer(Session().intent("OverdoseSignsIntent"))
    answer = next(iter(kept().values()))
    with pytest.raises(FrozenAnswerError):
        answer.should_end_session = True
    with pytest.raises(FrozenAnswerError):
        answer.output_speech.ssml = "<speak>changed</speak>"  # type: ignore[union-attr]
    with pytest.raises(FrozenAnswerError):
        del answer.reprompt
    assert isinstance(answer, Response) and isinstance(answer, FrozenResponse)


class ReadsTheModels(AbstractRequestHandler):
    """A handler written against the SDK's request models, and its response builder."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return isinstance(handler_input.request_envelope.request, IntentRequest)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        assert isinstance(request, IntentRequest) and request.intent is not None
        builder = handler_input.response_builder
        builder.set_card(SimpleCard("Heard", request.intent.name))
        return Turn.of(handler_input).say("<speak>Heard you.</speak>", None)


def test_a_handler_can_still_read_the_sdk_models_and_build_on_the_response_builder() -> None:
    skill = Skill()
    skill.dispatcher = Dispatcher([ReadsTheModels(), *request_handlers()], [SpeakApology()])
    answer = skill.handle(Session().intent("WithdrawalIntent"))
    assert answer["response"]["card"] == {
        "type": "Simple", "title": "Heard", "content": "WithdrawalIntent"
    }  # fmt: skip
    assert answer["response"]["outputSpeech"]["ssml"] == "<speak>Heard you.</speak>"


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e["request"].update(intent="WithdrawalIntent"),
        lambda e: e["request"]["intent"].update(slots=["medication"]),
        lambda e: e["request"]["intent"]["slots"].update(medication="methadone"),
        lambda e: e["session"].update(attributes=[1, 2]),
        lambda e: e.update(request=[]),
    ],
    ids=["intent", "slots", "slot", "attributes", "request"],
)
def test_an_object_where_the_models_want_one_is_unreadable(change: Any) -> None:
    envelope = Session().intent("MedicationIntent", {"medication": "naloxone"})
    change(envelope)
    with pytest.raises(UnreadableRequest):
        Skill().answer(envelope)
