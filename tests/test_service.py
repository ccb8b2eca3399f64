"""The Alexa endpoint over real HTTP on 127.0.0.1, with requests signed by a locally made PKI.

Every hostile request gets a 4xx and runs no handler; the server keeps serving afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from skill.app import create_app
from skill.settings import Settings
from speech.simulator.devpki import (
    DEV_CERT_URL,
    DevPaths,
    chain_pem,
    load_signing_key,
    make_pki,
    root_pem,
    sign_body,
)
from speech.simulator.envelopes import DEV_SKILL_ID, Reply, Session
from tests.helpers import Alexa

GOOD_URLS = [
    "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
    "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
]
BAD_URLS = [
    "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://notamazon.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem",
    "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
]


def launch_body(**changes: Any) -> bytes:
    envelope = Session().launch()
    envelope["request"].update(changes)
    return orjson.dumps(envelope)


async def post(alexa: Alexa, body: bytes, **header_changes: str | None) -> tuple[int, Any]:
    headers: dict[str, str | None] = {**alexa.signed_headers(body), **header_changes}
    return await alexa.post(body, {k: v for k, v in headers.items() if v is not None})


async def assert_still_serving(alexa: Alexa) -> None:
    reply = await alexa.turn(None)
    assert "emergency" in reply.speech.lower()


async def test_a_valid_launch_request_is_answered(alexa: Alexa) -> None:
    reply = await alexa.turn(None)
    assert "emergency" in reply.speech.lower()
    assert not reply.end_session


@pytest.mark.parametrize("url", GOOD_URLS)
async def test_every_certificate_url_form_amazon_lists_is_accepted(alexa: Alexa, url: str) -> None:
    body = launch_body()
    status, answer = await post(alexa, body, SignatureCertChainUrl=url)
    assert status == 200, answer


@pytest.mark.parametrize("url", BAD_URLS)
async def test_bad_certificate_urls_are_rejected(alexa: Alexa, url: str) -> None:
    status, answer = await post(alexa, launch_body(), SignatureCertChainUrl=url)
    assert status == 400
    assert set(answer) == {"error"}
    await assert_still_serving(alexa)


async def test_a_tampered_body_is_rejected(alexa: Alexa) -> None:
    body = launch_body()
    headers = alexa.signed_headers(body)
    tampered = body.replace(b"LaunchRequest", b"IntentRequest")
    status, answer = await alexa.post(tampered, headers)
    assert status == 400
    assert "signature" in answer["error"]
    await assert_still_serving(alexa)


@pytest.mark.parametrize("header", ["Signature-256", "SignatureCertChainUrl"])
async def test_a_missing_header_is_rejected(alexa: Alexa, header: str) -> None:
    status, _ = await post(alexa, launch_body(), **{header: None})
    assert status == 400
    await assert_still_serving(alexa)


async def test_a_garbage_signature_is_rejected(alexa: Alexa) -> None:
    status, _ = await post(alexa, launch_body(), **{"Signature-256": "bm90IGEgc2lnbmF0dXJl"})
    assert status == 400
    await assert_still_serving(alexa)


@pytest.mark.parametrize("offset", [timedelta(seconds=-200), timedelta(seconds=200)])
async def test_stale_and_future_timestamps_are_rejected(alexa: Alexa, offset: timedelta) -> None:
    moment = datetime.now(UTC) + offset
    status, answer = await post(alexa, launch_body(timestamp=moment.isoformat()))
    assert status == 400
    assert "timestamp" in answer["error"]
    await assert_still_serving(alexa)


async def test_the_wrong_skill_id_is_rejected(alexa: Alexa) -> None:
    envelope = Session(skill_id="amzn1.ask.skill.someone-else").launch()
    status, answer = await post(alexa, orjson.dumps(envelope))
    assert status == 400
    assert "skill id" in answer["error"]
    await assert_still_serving(alexa)


async def test_an_oversized_body_gets_413(alexa: Alexa) -> None:
    envelope = Session().launch()
    envelope["padding"] = "x" * (300 * 1024)
    status, answer = await post(alexa, orjson.dumps(envelope))
    assert status == 413
    assert set(answer) == {"error"}
    await assert_still_serving(alexa)


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2, 3]", b'{"version": "1.0"}', b""])
async def test_signed_bodies_that_are_not_alexa_requests_get_400(alexa: Alexa, body: bytes) -> None:
    status, answer = await post(alexa, body)
    assert status == 400, answer
    await assert_still_serving(alexa)


async def test_get_on_the_endpoint_is_405_and_health_is_200(service: TestServer) -> None:
    async with ClientSession() as http:
        async with http.get(service.make_url("/")) as response:
            assert response.status == 405
            assert "error" in await response.json()
        async with http.get(service.make_url("/healthz")) as response:
            assert response.status == 200


# Certificate chains that must not be trusted: each gets a server with that chain.

PkiVariant = Callable[[Any], Any]


@pytest.fixture
async def serve_chain(
    dev_pki: DevPaths, tmp_path: Path
) -> AsyncIterator[Callable[[Any, bytes], Any]]:
    servers: list[TestServer] = []

    async def start(pki: Any, trusted_root: bytes) -> tuple[str, Any]:
        (tmp_path / "chain.pem").write_bytes(chain_pem(pki))
        (tmp_path / "root.pem").write_bytes(trusted_root)
        settings = Settings(
            skill_id=DEV_SKILL_ID,
            trust_root=tmp_path / "root.pem",
            cert_chain=tmp_path / "chain.pem",
        )
        server = TestServer(create_app(settings), host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        return str(server.make_url("/")), pki.leaf_key

    yield start
    for server in servers:
        await server.close()


def _pki_variants() -> dict[str, Callable[[Any], Any]]:
    now = datetime.now(UTC)
    return {
        "expired leaf": lambda base: make_pki(
            reuse=base,
            leaf_not_before=now - timedelta(days=30),
            leaf_not_after=now - timedelta(days=1),
        ),
        "not-yet-valid leaf": lambda base: make_pki(
            reuse=base,
            leaf_not_before=now + timedelta(days=1),
            leaf_not_after=now + timedelta(days=30),
        ),
        "wrong SAN": lambda base: make_pki(reuse=base, san="echo-api.example.com"),
        "1024-bit leaf": lambda base: make_pki(reuse=base, leaf_bits=1024),
    }


@pytest.fixture(scope="module")
def base_pki() -> Any:
    return make_pki()


@pytest.mark.parametrize("variant", sorted(_pki_variants()))
async def test_untrustworthy_leaves_are_rejected(
    serve_chain: Callable[[Any, bytes], Any], base_pki: Any, variant: str
) -> None:
    pki = _pki_variants()[variant](base_pki)
    url, key = await serve_chain(pki, root_pem(base_pki))
    status, answer = await _post_signed(url, key, launch_body())
    assert status == 400, (variant, answer)


async def test_a_chain_from_an_untrusted_root_is_rejected(
    serve_chain: Callable[[Any, bytes], Any], base_pki: Any
) -> None:
    stranger = make_pki()
    url, key = await serve_chain(stranger, root_pem(base_pki))
    status, answer = await _post_signed(url, key, launch_body())
    assert status == 400
    assert "untrusted" in answer["error"]


async def test_the_same_pki_served_correctly_is_accepted(
    serve_chain: Callable[[Any, bytes], Any], base_pki: Any
) -> None:
    url, key = await serve_chain(base_pki, root_pem(base_pki))
    status, answer = await _post_signed(url, key, launch_body())
    assert status == 200, answer
    assert Reply.of(answer).speech


async def _post_signed(url: str, key: Any, body: bytes) -> tuple[int, Any]:
    headers = {
        "Content-Type": "application/json",
        "SignatureCertChainUrl": DEV_CERT_URL,
        "Signature-256": sign_body(key, body),
    }
    async with ClientSession() as http, http.post(url, data=body, headers=headers) as response:
        return response.status, await response.json()


def test_dev_signing_key_loads(dev_pki: DevPaths) -> None:
    assert load_signing_key(dev_pki.signing_key).key_size >= 2048
