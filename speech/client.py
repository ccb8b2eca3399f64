"""Sending signed requests to a running Heroin Help service, exactly as Alexa does."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any

import aiohttp
import orjson
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from skill.devpki import DEV_CERT_URL, sign_body


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

    async def __aenter__(self) -> SignedClient:
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
