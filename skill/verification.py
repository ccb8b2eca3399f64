"""Checks Amazon requires of a web-service skill before it trusts a request.

The envelope checks live in `skill.envelope` (standard library only, shared with Lambda); this
module adds the signature. The certificate store (aiohttp) is only referenced for type checking.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from skill.envelope import (
    MAX_SKEW_SECONDS,
    MAX_SKILL_EVENT_SKEW_SECONDS,
    VerificationError,
    check_skill_id,
    check_timestamp,
    parse_timestamp,
    utc_now,
)

if TYPE_CHECKING:
    from skill.certs import CertificateStore

SIGNATURE_HEADER = "Signature-256"
CERT_URL_HEADER = "SignatureCertChainUrl"


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive lookup that works for aiohttp's CIMultiDict and for plain dicts."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, candidate in headers.items():
        if key.lower() == wanted:
            return candidate
    return None


class RequestVerifier:
    def __init__(
        self,
        certificates: CertificateStore,
        skill_id: str | None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._certificates = certificates
        self._skill_id = skill_id
        self._clock = clock

    async def verify_signature(self, headers: Mapping[str, str], body: bytes) -> None:
        """Check the certificate URL and chain, then the Signature-256 over the raw body."""
        encoded = header(headers, SIGNATURE_HEADER)
        if not encoded:
            raise VerificationError("missing Signature-256 header")
        try:
            signature = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise VerificationError("bad signature encoding") from None
        # Parse the signature first so a garbage header never costs a certificate download.
        cert_url = header(headers, CERT_URL_HEADER)
        public_key = self._certificates.cached_key(cert_url)
        if public_key is None:
            public_key = await self._certificates.public_key(cert_url)
        if len(signature) != public_key.key_size // 8:
            raise VerificationError("bad signature")
        try:
            public_key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise VerificationError("bad signature") from None

    def check_envelope(self, envelope: Mapping[str, Any]) -> None:
        check_timestamp(envelope, self._clock())
        check_skill_id(envelope, self._skill_id)


__all__ = [
    "MAX_SKEW_SECONDS",
    "MAX_SKILL_EVENT_SKEW_SECONDS",
    "RequestVerifier",
    "VerificationError",
    "check_skill_id",
    "check_timestamp",
    "header",
    "parse_timestamp",
    "utc_now",
]
