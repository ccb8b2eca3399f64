"""Signing-certificate URL rules, chain validation and the download path (real local server)."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from skill.certs import (
    AMAZON_DOWNLOADS,
    DOWNLOADS,
    MAX_CHAINS,
    CertificateStore,
    check_cert_url,
)
from skill.errors import CertificateError
from speech.simulator import devpki

URL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"


def _spki(key: RSAPublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.fixture(scope="module")
def pki() -> devpki.DevPKI:
    return devpki.make_pki()


@pytest.mark.parametrize(
    "url",
    [
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
        "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
        "HTTPS://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/%2e%2e/echo.api/echo-api-cert.pem",
    ],
)
def test_cert_url_accepted(url: str) -> None:
    check_cert_url(url)


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://notamazon.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com.evil.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
        "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
        "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../other/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/%2e%2e/other/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/..%2fother/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api",
        "https://user@s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://user:pw@s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com\\@evil.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:abc/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com:99999/echo.api/echo-api-cert.pem",
        "https://[::1/echo.api/echo-api-cert.pem",
        "echo.api/echo-api-cert.pem",
    ],
)
def test_cert_url_rejected(url: str | None) -> None:
    with pytest.raises(CertificateError):
        check_cert_url(url)


async def _key_for(pki: devpki.DevPKI, chain: bytes, url: str = URL) -> bytes:
    store = CertificateStore(trust_roots=[pki.root_cert], local_chain=chain)
    return _spki(await store.public_key(url))


async def test_valid_chain_accepted(pki: devpki.DevPKI) -> None:
    assert await _key_for(pki, devpki.chain_pem(pki)) == _spki(pki.leaf_key.public_key())


def _from_now(**delta: float) -> datetime:
    return datetime.now(UTC) + timedelta(**delta)


@pytest.mark.parametrize(
    ("variant", "reason"),
    [
        (
            lambda p: devpki.make_pki(
                reuse=p, leaf_not_before=_from_now(days=-2), leaf_not_after=_from_now(minutes=-1)
            ),
            "expired",
        ),
        (lambda p: devpki.make_pki(reuse=p, leaf_not_before=_from_now(hours=1)), "not yet valid"),
        (lambda p: devpki.make_pki(reuse=p, san="www.example.com"), "lacks SAN echo-api"),
    ],
    ids=["expired", "not-yet-valid", "wrong-san"],
)
async def test_bad_leaf_rejected(
    pki: devpki.DevPKI, variant: Callable[[devpki.DevPKI], devpki.DevPKI], reason: str
) -> None:
    with pytest.raises(CertificateError, match=reason):
        await _key_for(pki, devpki.chain_pem(variant(pki)))


async def test_a_leaf_with_a_1024_bit_key_is_rejected(pki: devpki.DevPKI) -> None:
    weak = devpki.make_pki(reuse=pki, leaf_bits=1024)
    with pytest.raises(CertificateError, match="too short"):
        await _key_for(pki, devpki.chain_pem(weak))


async def test_untrusted_root_rejected(pki: devpki.DevPKI) -> None:
    stranger = devpki.make_pki()
    with pytest.raises(CertificateError, match="untrusted certificate chain"):
        await _key_for(pki, devpki.chain_pem(stranger))


async def test_missing_intermediate_rejected(pki: devpki.DevPKI) -> None:
    leaf_only = pki.leaf_cert.public_bytes(serialization.Encoding.PEM)
    with pytest.raises(CertificateError, match="untrusted"):
        await _key_for(pki, leaf_only)


async def test_garbage_chain_rejected(pki: devpki.DevPKI) -> None:
    with pytest.raises(CertificateError, match="unreadable"):
        await _key_for(pki, b"not a certificate")


async def test_local_chain_still_checks_url(pki: devpki.DevPKI) -> None:
    with pytest.raises(CertificateError, match="host"):
        await _key_for(pki, devpki.chain_pem(pki), "https://evil.com/echo.api/cert.pem")


async def test_from_files_with_dev_pki(tmp_path: Path) -> None:
    paths = devpki.write_dev_pki(tmp_path)
    assert stat.S_IMODE(paths.signing_key.stat().st_mode) == 0o600
    store = CertificateStore.from_files(paths.trust_root, paths.cert_chain)
    key = await store.public_key(devpki.DEV_CERT_URL)
    signing_key = devpki.load_signing_key(paths.signing_key)
    assert _spki(key) == _spki(signing_key.public_key())


def test_write_dev_pki_reuses_valid_files(tmp_path: Path) -> None:
    first = devpki.write_dev_pki(tmp_path)
    before = [p.read_bytes() for p in (first.trust_root, first.cert_chain, first.signing_key)]
    second = devpki.write_dev_pki(tmp_path)
    after = [p.read_bytes() for p in (second.trust_root, second.cert_chain, second.signing_key)]
    assert before == after
    second.cert_chain.write_bytes(b"broken")
    third = devpki.write_dev_pki(tmp_path)
    assert third.cert_chain.read_bytes() != b"broken"
    assert third.signing_key.read_bytes() != before[2]


# --- download path, against a real HTTP server on 127.0.0.1 ---------------------------------


class Fixture:
    """A stand-in for S3 that counts how often each path is downloaded."""

    def __init__(self, chain: bytes) -> None:
        self.chain = chain
        self.downloads: dict[str, int] = {}
        self.at_once = 0
        self.most_at_once = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.at_once += 1
        self.most_at_once = max(self.most_at_once, self.at_once)
        try:
            return await self.answer(request)
        finally:
            self.at_once -= 1

    async def answer(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        self.downloads[name] = self.downloads.get(name, 0) + 1
        if name.startswith("bogus-"):
            await asyncio.sleep(2)
            raise web.HTTPNotFound()
        if name == "slow.pem":
            await asyncio.sleep(2)
        elif name == "lazy.pem":
            await asyncio.sleep(0.1)
        elif name == "redirect.pem":
            raise web.HTTPFound("/echo.api/ok.pem")
        elif name == "big.pem":
            return web.Response(body=b"A" * 100_000)
        elif name == "stream.pem":
            response = web.StreamResponse()  # no Content-Length, so the cap must bite mid-read
            await response.prepare(request)
            for _ in range(20):
                await response.write(b"A" * 8192)
            return response
        elif name == "missing.pem":
            raise web.HTTPNotFound()
        return web.Response(body=self.chain)


@pytest_asyncio.fixture
async def s3(pki: devpki.DevPKI) -> AsyncIterator[tuple[Fixture, str]]:
    fixture = Fixture(devpki.chain_pem(pki))
    app = web.Application()
    app.router.add_get("/echo.api/{name}", fixture.handle)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    try:
        yield fixture, str(server.make_url("/"))
    finally:
        await server.close()


@pytest_asyncio.fixture
async def store(pki: devpki.DevPKI, s3: tuple[Fixture, str]) -> AsyncIterator[CertificateStore]:
    certificates = CertificateStore(trust_roots=[pki.root_cert], fetch_base_url=s3[1], timeout=0.3)
    try:
        yield certificates
    finally:
        await certificates.close()


def _url(name: str) -> str:
    return f"https://s3.amazonaws.com/echo.api/{name}"


async def test_download_success(
    pki: devpki.DevPKI, s3: tuple[Fixture, str], store: CertificateStore
) -> None:
    key = await store.public_key(_url("ok.pem"))
    assert _spki(key) == _spki(pki.leaf_key.public_key())
    assert s3[0].downloads == {"ok.pem": 1}


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("slow.pem", "timed out"),
        ("missing.pem", "HTTP 404"),
        ("redirect.pem", "HTTP 302"),
        ("big.pem", "too large"),
        ("stream.pem", "too large"),
    ],
)
async def test_download_failures(
    s3: tuple[Fixture, str], store: CertificateStore, name: str, reason: str
) -> None:
    with pytest.raises(CertificateError, match=reason):
        await store.public_key(_url(name))
    assert "ok.pem" not in s3[0].downloads  # a redirect is never followed


async def test_download_refused_before_url_check(
    s3: tuple[Fixture, str], store: CertificateStore
) -> None:
    with pytest.raises(CertificateError):
        await store.public_key("https://s3.amazonaws.com/other/ok.pem")
    assert s3[0].downloads == {}


async def test_cache_hit_skips_download(s3: tuple[Fixture, str], store: CertificateStore) -> None:
    await store.public_key(_url("ok.pem"))
    await store.public_key(_url("ok.pem"))
    await store.public_key("https://S3.amazonaws.com:443/echo.api/../echo.api/ok.pem")
    assert s3[0].downloads == {"ok.pem": 1}


async def test_cache_expires_with_leaf(pki: devpki.DevPKI, s3: tuple[Fixture, str]) -> None:
    now = [datetime.now(UTC)]
    certificates = CertificateStore(
        trust_roots=[pki.root_cert], fetch_base_url=s3[1], clock=lambda: now[0]
    )
    try:
        await certificates.public_key(_url("ok.pem"))
        now[0] = pki.leaf_cert.not_valid_after_utc + timedelta(seconds=1)
        with pytest.raises(CertificateError, match="expired"):
            await certificates.public_key(_url("ok.pem"))
    finally:
        await certificates.close()
    assert s3[0].downloads == {"ok.pem": 2}


async def test_concurrent_lookups_share_one_download(
    s3: tuple[Fixture, str], store: CertificateStore
) -> None:
    keys = await asyncio.gather(*(store.public_key(_url("lazy.pem")) for _ in range(10)))
    assert len({_spki(key) for key in keys}) == 1
    assert s3[0].downloads == {"lazy.pem": 1}


async def test_a_failed_download_is_remembered_briefly_then_retried(
    pki: devpki.DevPKI, s3: tuple[Fixture, str]
) -> None:
    now = [datetime.now(UTC)]
    store = CertificateStore(
        trust_roots=[pki.root_cert], fetch_base_url=s3[1], clock=lambda: now[0], failure_seconds=5
    )
    try:
        for _ in range(3):  # a burst naming a missing chain costs one download
            with pytest.raises(CertificateError, match="404"):
                await store.public_key(_url("missing.pem"))
        assert s3[0].downloads == {"missing.pem": 1}
        now[0] += timedelta(seconds=6)
        with pytest.raises(CertificateError):
            await store.public_key(_url("missing.pem"))
        assert s3[0].downloads == {"missing.pem": 2}
    finally:
        await store.close()


async def test_a_flood_of_made_up_urls_neither_multiplies_downloads_nor_starves_a_real_chain(
    pki: devpki.DevPKI, s3: tuple[Fixture, str]
) -> None:
    """2,000 requests naming made-up chains at once, each of which S3 takes 2 s to refuse, then
    a chain at one of Amazon's own file names that nobody has asked for yet."""
    store = CertificateStore(trust_roots=[pki.root_cert], fetch_base_url=s3[1], timeout=1.0)
    try:
        flood = [
            asyncio.ensure_future(store.public_key(_url(f"bogus-{number}.pem")))
            for number in range(2000)
        ]
        await asyncio.sleep(0.2)
        started = asyncio.get_running_loop().time()
        key = await store.public_key(_url("echo-api-cert-12.pem"))
        waited = asyncio.get_running_loop().time() - started
        outcomes = await asyncio.gather(*flood, return_exceptions=True)
    finally:
        await store.close()
    assert _spki(key) == _spki(pki.leaf_key.public_key())
    assert waited < 1.0  # not behind the flood: it had a slot of its own
    assert all(isinstance(outcome, CertificateError) for outcome in outcomes)
    assert s3[0].most_at_once <= DOWNLOADS + AMAZON_DOWNLOADS
    assert sum(s3[0].downloads.values()) < 100  # the rest were refused while waiting for a slot


async def test_the_cache_of_chains_stays_bounded(
    pki: devpki.DevPKI, s3: tuple[Fixture, str], store: CertificateStore
) -> None:
    for number in range(MAX_CHAINS + 40):
        await store.public_key(_url(f"chain-{number}.pem"))
    assert store.chains_cached == MAX_CHAINS
    await store.public_key(_url(f"chain-{MAX_CHAINS + 39}.pem"))  # the newest is still there
    assert s3[0].downloads[f"chain-{MAX_CHAINS + 39}.pem"] == 1
