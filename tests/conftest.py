"""Shared fixtures: a development PKI, and the real service on 127.0.0.1 that trusts it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from skill.app import Settings, create_app
from skill.devpki import DevPaths, load_signing_key, write_dev_pki
from speech.alexa_requests import DEV_SKILL_ID, Reply, Session
from speech.client import SignedClient

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def dev_pki(tmp_path_factory: pytest.TempPathFactory) -> DevPaths:
    return write_dev_pki(tmp_path_factory.mktemp("pki"))


class Alexa(SignedClient):
    """A signed client that also keeps one conversation's session, like a speaker would."""

    def __init__(self, url: str, pki: DevPaths) -> None:
        super().__init__(url, load_signing_key(pki.signing_key))
        self.session = Session()

    async def turn(self, name: str | None, **slots: str) -> Reply:
        envelope = self.session.launch() if name is None else self.session.intent(name, slots)
        answer = await self.send(envelope)
        self.session.absorb(answer)
        return Reply.of(answer)

    def new_session(self) -> None:
        self.session = Session()


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
