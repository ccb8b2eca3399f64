"""The request signature Amazon requires a web-service skill to check: Signature-256 over the raw
body, made with the key of the certificate chain named in SignatureCertChainUrl."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from skill.certs import CertificateStore
from skill.errors import VerificationError

SIGNATURE_HEADER = "Signature-256"
CERT_URL_HEADER = "SignatureCertChainUrl"
# Amazon signs with RSASSA-PKCS1-v1_5 over SHA-256; both are stateless, so made once.
_PADDING = padding.PKCS1v15()
_HASH = hashes.SHA256()


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


class SignatureVerifier:
    def __init__(self, certificates: CertificateStore) -> None:
        self._certificates = certificates

    async def verify(self, headers: Mapping[str, str], body: bytes) -> None:
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
            public_key.verify(signature, body, _PADDING, _HASH)
        except InvalidSignature:
            raise VerificationError("bad signature") from None
