"""What several test modules share. Test modules import from here, never from each other."""

from __future__ import annotations

from speech.simulator.devpki import DevPaths, load_signing_key
from speech.simulator.envelopes import Reply, Session
from speech.simulator.transports import SignedClient


async def launch(url: str, pki: DevPaths) -> Reply:
    """One LaunchRequest in a new session, signed with the dev CA, to a running service."""
    async with SignedClient(url, load_signing_key(pki.signing_key)) as client:
        return Reply.of(await client.send(Session().launch()))


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
