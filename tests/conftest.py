"""Shared fixtures: a development PKI, and the real service on 127.0.0.1 that trusts it."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from skill.app import create_app
from skill.settings import Settings
from speech.simulator.devpki import DevPaths, write_dev_pki
from speech.simulator.envelopes import DEV_SKILL_ID
from tests.helpers import BROWSER_NOTES, Alexa


@pytest.fixture(autouse=True, scope="session")
def private_state(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Commands the tests start keep their state (dev CA, audio, guide store) in a temporary
    directory, never in the user's own ~/.local/state."""
    os.environ["XDG_STATE_HOME"] = str(tmp_path_factory.mktemp("state"))


@pytest.fixture(scope="session")
def dev_pki(tmp_path_factory: pytest.TempPathFactory) -> DevPaths:
    return write_dev_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def state_dir() -> Path:
    """The state directory the tests' commands use (see `private_state`)."""
    from skill.settings import state_dir

    path = state_dir()
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
async def service(dev_pki: DevPaths) -> AsyncIterator[TestServer]:
    settings = Settings(
        skill_id=DEV_SKILL_ID, trust_root=dev_pki.trust_root, cert_chain=dev_pki.cert_chain
    )
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    yield server
    await server.close()


@pytest.fixture
async def alexa(service: TestServer, dev_pki: DevPaths) -> AsyncIterator[Alexa]:
    client = Alexa(str(service.make_url("/")), dev_pki)
    yield client
    await client.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The browser tests' screenshots (look at them) and measurements, after every run."""
    if BROWSER_NOTES:
        terminalreporter.write_sep("-", "browser simulator")
        for note in BROWSER_NOTES:
            terminalreporter.write_line(note)
