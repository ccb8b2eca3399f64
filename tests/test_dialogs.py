"""The YAML conversation scripts in tests/dialogs/, in process and over signed HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from speech.simulator.devpki import DevPaths, load_signing_key
from speech.simulator.dialogs import Dialog, load_dialogs, run_dialog
from speech.simulator.transports import InProcess, SignedClient

DIALOGS = load_dialogs([Path(__file__).parent / "dialogs"])


def test_there_are_dialogs_for_both_guides_and_questions() -> None:
    names = {dialog.path.name for dialog in DIALOGS}
    assert {"overdose.yaml", "questions.yaml"} <= names


@pytest.mark.parametrize("dialog", DIALOGS, ids=lambda d: d.name)
async def test_dialog_in_process(dialog: Dialog) -> None:
    result = await run_dialog(dialog, InProcess())
    assert result.passed, result.failures


@pytest.mark.parametrize("dialog", DIALOGS, ids=lambda d: d.name)
async def test_dialog_over_signed_http(
    dialog: Dialog, service: TestServer, dev_pki: DevPaths
) -> None:
    async with SignedClient(
        str(service.make_url("/")), load_signing_key(dev_pki.signing_key)
    ) as client:
        result = await run_dialog(dialog, client)
    assert result.passed, result.failures
