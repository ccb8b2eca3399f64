"""The overdose guide picks up again after Alexa closes the session (CONTENT.md, "Continuity").

Alexa listens about 8 seconds, reprompts once, then closes the session; a caller on the phone
with 911 or doing CPR comes back later. These tests close sessions the way Alexa does, over
signed HTTP against a real service with a real SQLite file, then a real `serve` process that is
restarted, and one with two workers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from skill.app import create_app
from skill.settings import Settings
from skill.stores.sqlite import SqliteStore
from speech import content
from speech.simulator.devpki import DevPaths
from speech.simulator.devservice import start_service
from speech.simulator.envelopes import DEV_SKILL_ID, Reply, Session
from speech.ssml import to_text
from tests.helpers import Alexa

OVERDOSE = content.load("en-US").guides["overdose"]
WELCOME = "Welcome to Heroin Help"


def step(name: str) -> str:
    return to_text(OVERDOSE.steps[name].answer.speech)


def settings(pki: DevPaths, store: str | None = None) -> Settings:
    return Settings(
        skill_id=DEV_SKILL_ID, trust_root=pki.trust_root, cert_chain=pki.cert_chain, store=store
    )


@pytest.fixture
def store_file(tmp_path: Path) -> Path:
    return tmp_path / "guide.sqlite3"


@pytest.fixture
async def caller(dev_pki: DevPaths, store_file: Path) -> AsyncIterator[Alexa]:
    app = create_app(settings(dev_pki), store=SqliteStore(store_file))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    async with Alexa(str(server.make_url("/")), dev_pki) as alexa:
        yield alexa
    await server.close()


async def alexa_closes_the_session(alexa: Alexa) -> None:
    """Nobody answered the reprompt: Alexa ends the session, then the same person comes back
    in a new session."""
    await alexa.send(alexa.session.end(reason="EXCEEDED_MAX_REPROMPTS"))
    alexa.session = Session(user_id=alexa.session.user_id)


async def into_cpr(alexa: Alexa) -> Reply:
    await alexa.turn("OverdoseEmergencyIntent", sign="not_breathing")
    await alexa.turn("AMAZON.NextIntent")  # called
    await alexa.turn("AMAZON.NoIntent")  # they don't respond
    return await alexa.turn("AMAZON.NoIntent")  # no naloxone, and not breathing: CPR


async def test_open_heroin_help_goes_straight_back_to_the_step(caller: Alexa) -> None:
    cpr = await into_cpr(caller)
    assert cpr.speech == step("cpr")
    await alexa_closes_the_session(caller)
    back = await caller.turn(None)  # "Alexa, open Heroin Help"
    assert back.speech == step("cpr")
    assert WELCOME not in back.speech and not back.end_session


async def test_ask_heroin_help_whats_next_goes_on_from_the_step(caller: Alexa) -> None:
    await into_cpr(caller)
    await alexa_closes_the_session(caller)
    reply = await caller.turn("AMAZON.NextIntent")  # a one-shot, in a new session
    assert reply.speech == step("stay")


async def test_a_one_shot_report_goes_where_it_leads(caller: Alexa) -> None:
    await into_cpr(caller)
    await alexa_closes_the_session(caller)
    reply = await caller.turn("ReportIntent", report="breathing")
    assert reply.speech.endswith(step("recovery"))


async def test_a_one_shot_yes_answers_the_question_they_left(caller: Alexa) -> None:
    await caller.turn("OverdoseEmergencyIntent")
    await caller.turn("AMAZON.NextIntent")
    await caller.turn("AMAZON.NoIntent")  # at "do you have naloxone?"
    await alexa_closes_the_session(caller)
    reply = await caller.turn("AMAZON.YesIntent")
    assert reply.speech == step("give_naloxone")


async def test_describing_the_emergency_again_counts_what_was_said(caller: Alexa) -> None:
    await into_cpr(caller)
    await caller.turn("ReportIntent", report="breathing")  # recovery position
    await alexa_closes_the_session(caller)
    reply = await caller.turn("OverdoseEmergencyIntent", sign="not_breathing")
    assert reply.speech == step("cpr")


async def test_another_user_gets_the_welcome(caller: Alexa) -> None:
    await into_cpr(caller)
    caller.new_session()  # a new user id
    assert (await caller.turn(None)).speech.startswith(WELCOME)


async def test_stop_forgets(caller: Alexa) -> None:
    await into_cpr(caller)
    assert (await caller.turn("AMAZON.StopIntent")).end_session
    caller.session = Session(user_id=caller.session.user_id)
    assert (await caller.turn(None)).speech.startswith(WELCOME)


async def test_an_ordinary_question_in_a_new_session_is_answered_as_usual(caller: Alexa) -> None:
    await into_cpr(caller)
    await alexa_closes_the_session(caller)
    reply = await caller.turn("WithdrawalIntent")
    assert reply.speech.startswith(
        to_text(content.load("en-US").topics["WithdrawalIntent"].answer.speech)[:40]
    )


async def test_the_store_holds_no_raw_user_id(caller: Alexa, store_file: Path) -> None:
    await into_cpr(caller)
    user_id = caller.session.user_id
    files = [store_file, *store_file.parent.glob(f"{store_file.name}-*")]
    stored = b"".join(path.read_bytes() for path in files if path.exists())
    assert b'"step":"cpr"' in stored.replace(b" ", b"")
    assert user_id.encode() not in stored


async def test_a_store_that_is_down_never_blocks_the_emergency_answer(dev_pki: DevPaths) -> None:
    closed = "dynamodb://guides?region=us-east-1&endpoint=http://127.0.0.1:9"  # nothing listens
    server = TestServer(create_app(settings(dev_pki, store=closed)), host="127.0.0.1")
    await server.start_server()
    async with Alexa(str(server.make_url("/")), dev_pki) as alexa:
        first = await alexa.turn("OverdoseEmergencyIntent")
        assert first.speech.startswith("Call 9 1 1")
        assert (await alexa.turn("AMAZON.NextIntent")).speech == step("check")  # the session
        await alexa_closes_the_session(alexa)
        assert (await alexa.turn(None)).speech.startswith(WELCOME)  # nothing to pick up
    await server.close()


# A real `serve`, with the default store in the state directory


async def test_the_guide_survives_a_restart_of_serve(dev_pki: DevPaths, state_dir: Path) -> None:
    service = start_service(dev_pki)
    try:
        async with Alexa(service.url, dev_pki) as alexa:
            await into_cpr(alexa)
            await alexa_closes_the_session(alexa)
            user = alexa.session.user_id
    finally:
        service.stop()
    assert (state_dir / "guide.sqlite3").exists()
    service = start_service(dev_pki)
    try:
        async with Alexa(service.url, dev_pki) as alexa:
            alexa.session = Session(user_id=user)
            assert (await alexa.turn(None)).speech == step("cpr")
    finally:
        service.stop()


async def test_two_workers_share_where_the_caller_was(dev_pki: DevPaths) -> None:
    service = start_service(dev_pki, ["--workers", "2"])
    try:
        callers = [Alexa(service.url, dev_pki) for _ in range(6)]
        for alexa in callers:  # each on its own connection, spread over both workers
            await into_cpr(alexa)
            await alexa.close()  # the next request opens a new connection
            await alexa_closes_the_session(alexa)
        for alexa in callers:
            assert (await alexa.turn(None)).speech == step("cpr")
            await alexa.close()
    finally:
        service.stop()
