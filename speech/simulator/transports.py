"""How the simulator reaches the skill: one small interface, two transports.

Transport       send an envelope, get the response envelope
├── InProcess   the skill in this process: no HTTP, no signature, the same handlers
├── SignedClient  signed HTTP to a running service, exactly as Alexa sends it
└── Recording   any transport, keeping each request and response that went through it
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

import aiohttp
import orjson
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from intents.skill import Skill
from speech.simulator.devpki import DEV_CERT_URL, load_signing_key, sign_body
from speech.simulator.devservice import dev_pki


class Transport(Protocol):
    async def send(self, envelope: Mapping[str, Any]) -> dict[str, Any]: ...

    async def close(self) -> None: ...


class InProcess:
    """Runs the skill in this process: no HTTP, no signature, the same handlers."""

    def __init__(self, skill: Skill | None = None) -> None:
        self.skill = skill or Skill()

    async def send(self, envelope: Mapping[str, Any]) -> dict[str, Any]:
        return self.skill.handle(dict(envelope))

    async def close(self) -> None:
        return None


class ServiceError(RuntimeError):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"service answered HTTP {status}: {body}")
        self.status = status
        self.body = body


class SignedClient:
    def __init__(self, url: str, signing_key: RSAPrivateKey, cert_url: str = DEV_CERT_URL) -> None:
        self.url = url
        self.signing_key = signing_key
        self.cert_url = cert_url
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    def signed_headers(self, body: bytes) -> dict[str, str]:
        return {
            "Content-Type": "application/json",
            "SignatureCertChainUrl": self.cert_url,
            "Signature-256": sign_body(self.signing_key, body),
        }

    async def post(self, body: bytes, headers: Mapping[str, str]) -> tuple[int, Any]:
        """POST raw bytes with the given headers; returns the status and the decoded body."""
        if self._http is None:
            self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        async with self._http.post(self.url, data=body, headers=dict(headers)) as response:
            raw = await response.read()
            try:
                return response.status, orjson.loads(raw)
            except orjson.JSONDecodeError:
                return response.status, raw.decode("utf-8", "replace")

    async def send(self, envelope: Mapping[str, Any]) -> dict[str, Any]:
        """Sign and send one envelope; the skill's response envelope, or ServiceError."""
        body = orjson.dumps(envelope)
        status, answer = await self.post(body, self.signed_headers(body))
        if status != 200 or not isinstance(answer, dict):
            raise ServiceError(status, answer)
        return answer


def transport_for(url: str | None, state: Path | None = None) -> Transport:
    """The skill in this process, or the service at `url`, signed with the dev CA kept in the
    state directory (the CA a service started by `run` or `web` trusts)."""
    if url is None:
        return InProcess()
    return SignedClient(url, load_signing_key(dev_pki(state).signing_key))


@dataclass(frozen=True, slots=True)
class Exchange:
    request: Mapping[str, Any]
    response: Mapping[str, Any]


class Recording:
    """Sends through another transport and keeps every exchange, for showing what was sent.

    It does not own the transport it wraps: several recordings may share one client, so
    closing a recording leaves that client open for whoever made it.
    """

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.exchanges: list[Exchange] = []

    async def send(self, envelope: Mapping[str, Any]) -> dict[str, Any]:
        answer = await self.inner.send(envelope)
        self.exchanges.append(Exchange(envelope, answer))
        return answer

    def take(self) -> list[Exchange]:
        """The exchanges since the last call, oldest first."""
        taken, self.exchanges = self.exchanges, []
        return taken

    async def close(self) -> None:
        return None
