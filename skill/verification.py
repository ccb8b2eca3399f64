"""Checks Amazon requires of a web-service skill before it trusts a request.

This module must stay importable without aiohttp: the Lambda entry point reuses
`check_skill_id`, and Lambda packages ship without the web stack. The certificate store
(which needs aiohttp) is only referenced for type checking.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

if TYPE_CHECKING:
    from skill.certs import CertificateStore

MAX_SKEW_SECONDS = 150
MAX_SKILL_EVENT_SKEW_SECONDS = 3600

SIGNATURE_HEADER = "Signature-256"
CERT_URL_HEADER = "SignatureCertChainUrl"


class VerificationError(Exception):
    """A request failed verification; `reason` is short and safe to log or return."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def utc_now() -> datetime:
    return datetime.now(UTC)


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


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _request(envelope: Any) -> Mapping[str, Any]:
    if not isinstance(envelope, Mapping):
        raise VerificationError("request envelope is not an object")
    request = envelope.get("request")
    if not isinstance(request, Mapping):
        raise VerificationError("missing request")
    return request


def parse_timestamp(value: Any) -> datetime:
    if not isinstance(value, str) or not value:
        raise VerificationError("missing request timestamp")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise VerificationError("unparseable request timestamp") from None
    # Alexa always sends UTC; a zone-less stamp can only sensibly mean UTC too.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def check_timestamp(envelope: Mapping[str, Any], now: datetime) -> None:
    """Reject replays: the request must be recent, skill events get a longer window."""
    request = _request(envelope)
    timestamp = parse_timestamp(request.get("timestamp"))
    request_type = request.get("type")
    is_skill_event = isinstance(request_type, str) and request_type.startswith("AlexaSkillEvent.")
    limit = MAX_SKILL_EVENT_SKEW_SECONDS if is_skill_event else MAX_SKEW_SECONDS
    if abs((now - timestamp).total_seconds()) > limit:
        raise VerificationError("request timestamp too far from now")


def check_skill_id(envelope: Mapping[str, Any], skill_id: str | None) -> None:
    """Accept only requests addressed to our skill (when a skill id is configured)."""
    if not skill_id:
        return
    if not isinstance(envelope, Mapping):
        raise VerificationError("request envelope is not an object")
    application_id = _dig(envelope, "context", "System", "application", "applicationId")
    if application_id is None:
        application_id = _dig(envelope, "session", "application", "applicationId")
    if application_id is None:
        raise VerificationError("missing application id")
    if application_id != skill_id:
        raise VerificationError("wrong skill id")


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
        public_key = await self._certificates.public_key(header(headers, CERT_URL_HEADER))
        if len(signature) != public_key.key_size // 8:
            raise VerificationError("bad signature")
        try:
            public_key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            raise VerificationError("bad signature") from None

    def check_envelope(self, envelope: Mapping[str, Any]) -> None:
        check_timestamp(envelope, self._clock())
        check_skill_id(envelope, self._skill_id)
