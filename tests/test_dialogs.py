"""The YAML conversation scripts in tests/dialogs/, in process and over signed HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from speech.simulator.asr.recogniser import available
from speech.simulator.asr.understand import Listener
from speech.simulator.devpki import DevPaths, load_signing_key
from speech.simulator.dialogs import Dialog, Hear, load_dialogs, run_dialog
from speech.simulator.transports import InProcess, SignedClient
from tests.helpers import spoken_wav

DIALOGS = load_dialogs([Path(__file__).parent / "dialogs"])


@pytest.fixture(scope="module")
def hear(tmp_path_factory: pytest.TempPathFactory) -> Hear:
    """A spoken turn: espeak-ng says it, the recogniser hears it (as `test-dialogs` does)."""
    if not available():
        pytest.skip("pocketsphinx is not installed (the sim extra)")
    listener = Listener("en-US")
    folder = tmp_path_factory.mktemp("spoken")

    async def said_and_heard(text: str) -> str:
        wav = spoken_wav(text, folder / "turn.wav")
        return listener.wav(wav.read_bytes()).transcript

    return said_and_heard


def test_there_are_dialogs_for_both_guides_and_questions_and_one_is_spoken() -> None:
    names = {dialog.path.name for dialog in DIALOGS}
    assert {"overdose.yaml", "questions.yaml"} <= names
    assert any(d.spoken and d.path.name == "overdose.yaml" for d in DIALOGS)


@pytest.mark.parametrize("dialog", DIALOGS, ids=lambda d: d.name)
async def test_dialog_in_process(dialog: Dialog, request: pytest.FixtureRequest) -> None:
    hear: Hear | None = request.getfixturevalue("hear") if dialog.spoken else None
    result = await run_dialog(dialog, InProcess(), hear)
    assert result.passed, result.failures


async def test_a_spoken_turn_without_ears_fails_and_says_why() -> None:
    [spoken, *_] = [d for d in DIALOGS if d.spoken]
    result = await run_dialog(spoken, InProcess())
    assert not result.passed
    assert "a spoken turn, but nothing to say and hear it" in result.failures[0]


@pytest.mark.parametrize("dialog", DIALOGS, ids=lambda d: d.name)
async def test_dialog_over_signed_http(
    dialog: Dialog, service: TestServer, dev_pki: DevPaths, request: pytest.FixtureRequest
) -> None:
    hear: Hear | None = request.getfixturevalue("hear") if dialog.spoken else None
    async with SignedClient(
        str(service.make_url("/")), load_signing_key(dev_pki.signing_key)
    ) as client:
        result = await run_dialog(dialog, client, hear)
    assert result.passed, result.failures
