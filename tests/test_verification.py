"""Signature, timestamp and skill-id checks, with real keys and certificates."""

from __future__ import annotations

import base64
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from multidict import CIMultiDict

from skill.certs import CertificateStore
from skill.envelope import MAX_SKEW_SECONDS, check_skill_id
from skill.envelope import check as check_envelope
from skill.errors import CertificateError, VerificationError
from skill.signature import SignatureVerifier
from speech.simulator import devpki

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-000000000000"
NOW = datetime(2026, 11, 22, 6, 30, tzinfo=UTC)
BODY = b'{"version":"1.0","request":{"type":"LaunchRequest"}}'


@pytest.fixture(scope="module")
def pki() -> devpki.DevPKI:
    return devpki.make_pki()


@pytest.fixture
def verifier(pki: devpki.DevPKI) -> SignatureVerifier:
    store = CertificateStore(trust_roots=[pki.root_cert], local_chain=devpki.chain_pem(pki))
    return SignatureVerifier(store)


def _headers(signature: str) -> dict[str, str]:
    return {"SignatureCertChainUrl": devpki.DEV_CERT_URL, "Signature-256": signature}


# --- signature ----------------------------------------------------------------------------


async def test_valid_signature(pki: devpki.DevPKI, verifier: SignatureVerifier) -> None:
    await verifier.verify(_headers(devpki.sign_body(pki.leaf_key, BODY)), BODY)


async def test_header_names_are_case_insensitive(
    pki: devpki.DevPKI, verifier: SignatureVerifier
) -> None:
    signature = devpki.sign_body(pki.leaf_key, BODY)
    lower = {"signaturecertchainurl": devpki.DEV_CERT_URL, "signature-256": signature}
    await verifier.verify(lower, BODY)
    await verifier.verify(CIMultiDict(lower), BODY)


async def test_tampered_body(pki: devpki.DevPKI, verifier: SignatureVerifier) -> None:
    signature = devpki.sign_body(pki.leaf_key, BODY)
    with pytest.raises(VerificationError, match="bad signature"):
        await verifier.verify(_headers(signature), BODY + b" ")


async def test_signed_by_other_key(pki: devpki.DevPKI, verifier: SignatureVerifier) -> None:
    signature = devpki.sign_body(pki.intermediate_key, BODY)
    with pytest.raises(VerificationError, match="bad signature"):
        await verifier.verify(_headers(signature), BODY)


@pytest.mark.parametrize(
    "signature",
    ["!!not base64!!", base64.b64encode(b"short").decode(), "", "é"],
    ids=["garbage", "wrong-length", "empty", "non-ascii"],
)
async def test_garbage_signature(verifier: SignatureVerifier, signature: str) -> None:
    with pytest.raises(VerificationError):
        await verifier.verify(_headers(signature), BODY)


async def test_missing_signature_header(verifier: SignatureVerifier) -> None:
    with pytest.raises(VerificationError, match="missing Signature-256"):
        await verifier.verify({"SignatureCertChainUrl": devpki.DEV_CERT_URL}, BODY)


async def test_missing_cert_url_header(pki: devpki.DevPKI, verifier: SignatureVerifier) -> None:
    signature = devpki.sign_body(pki.leaf_key, BODY)
    with pytest.raises(CertificateError, match="missing SignatureCertChainUrl"):
        await verifier.verify({"Signature-256": signature}, BODY)


async def test_bad_cert_url(pki: devpki.DevPKI, verifier: SignatureVerifier) -> None:
    headers = _headers(devpki.sign_body(pki.leaf_key, BODY))
    headers["SignatureCertChainUrl"] = "https://s3.amazonaws.com/not.echo/cert.pem"
    with pytest.raises(CertificateError):
        await verifier.verify(headers, BODY)


# --- timestamp and skill id ---------------------------------------------------------------


def _envelope(
    *, skew: float = 0, request_type: str = "LaunchRequest", app_id: str = SKILL_ID
) -> dict[str, Any]:
    stamp = (NOW + timedelta(seconds=skew)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "version": "1.0",
        "context": {"System": {"application": {"applicationId": app_id}}},
        "request": {"type": request_type, "timestamp": stamp},
    }


@pytest.mark.parametrize("skew", [0, 149, -149, 150, -150])
def test_timestamp_within_window(skew: float) -> None:
    check_envelope(_envelope(skew=skew), NOW, SKILL_ID)


@pytest.mark.parametrize("skew", [-(MAX_SKEW_SECONDS + 1), MAX_SKEW_SECONDS + 1, 3000])
def test_timestamp_outside_window(skew: float) -> None:
    with pytest.raises(VerificationError, match="timestamp"):
        check_envelope(_envelope(skew=skew), NOW, SKILL_ID)


def test_skill_event_gets_an_hour() -> None:
    check_envelope(
        _envelope(skew=-3000, request_type="AlexaSkillEvent.SkillEnabled"), NOW, SKILL_ID
    )
    with pytest.raises(VerificationError, match="timestamp"):
        check_envelope(
            _envelope(skew=-3601, request_type="AlexaSkillEvent.SkillEnabled"), NOW, SKILL_ID
        )


@pytest.mark.parametrize(
    "stamp",
    ["2026-11-22T06:30:00Z", "2026-11-22T06:30:00.123Z", "2026-11-22T06:30:00+00:00"],
)
def test_timestamp_formats(stamp: str) -> None:
    envelope = _envelope()
    envelope["request"]["timestamp"] = stamp
    check_envelope(envelope, NOW, SKILL_ID)


@pytest.mark.parametrize(
    "envelope",
    [
        [],
        "text",
        {},
        {"request": "LaunchRequest"},
        {"request": {"type": "LaunchRequest"}},
        {"request": {"timestamp": 1763793000}},
        {"request": {"timestamp": "yesterday"}},
        {"request": {"timestamp": None}},
    ],
)
def test_malformed_envelope(envelope: Any) -> None:
    with pytest.raises(VerificationError):
        check_envelope(envelope, NOW, SKILL_ID)


def test_skill_id() -> None:
    check_envelope(_envelope(), NOW, SKILL_ID)
    with pytest.raises(VerificationError, match="wrong skill id"):
        check_envelope(_envelope(app_id="amzn1.ask.skill.someone-else"), NOW, SKILL_ID)


def test_skill_id_from_session() -> None:
    envelope = {"session": {"application": {"applicationId": SKILL_ID}}}
    check_skill_id(envelope, SKILL_ID)
    with pytest.raises(VerificationError, match="wrong skill id"):
        check_skill_id(envelope, "amzn1.ask.skill.other")


@pytest.mark.parametrize("envelope", [{}, {"context": None}, {"context": {"System": []}}])
def test_skill_id_missing(envelope: dict[str, Any]) -> None:
    with pytest.raises(VerificationError, match="missing application id"):
        check_skill_id(envelope, SKILL_ID)


def test_no_skill_id_configured(pki: devpki.DevPKI) -> None:
    check_skill_id(_envelope(app_id="anything"), None)
    check_envelope(_envelope(app_id="anything"), NOW, None)


def test_envelope_checks_do_not_import_aiohttp() -> None:
    # The Lambda entry point imports check_skill_id and must not drag in the web stack.
    code = "import sys, skill.envelope; sys.exit('aiohttp' in sys.modules)"
    root = Path(__file__).resolve().parents[1]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0
