"""Alexa's signing-certificate chain: URL check, download, validation and cache."""

from __future__ import annotations

import asyncio
import functools
import logging
import posixpath
import ssl
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import aiohttp
import certifi
import yarl
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.x509.verification import PolicyBuilder, Store
from cryptography.x509.verification import VerificationError as ChainError

from skill.envelope import utc_now
from skill.errors import CertificateError

logger = logging.getLogger(__name__)
# Header values remembered after passing the URL rules; bounded so varied URLs cannot grow memory.
MAX_REMEMBERED_URLS = 64
FAILURE_SECONDS = 5.0
MAX_REMEMBERED_FAILURES = 1024

ALEXA_SAN = "echo-api.amazon.com"
CERT_HOST = "s3.amazonaws.com"
CERT_PATH_PREFIX = "/echo.api/"
_CHUNK_BYTES = 8192


def _cert_path(url: str | None) -> str:
    """Return the normalised path of an acceptable certificate URL."""
    if not url:
        raise CertificateError("missing SignatureCertChainUrl")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise CertificateError("unparseable certificate URL") from None
    if parts.scheme.lower() != "https":
        raise CertificateError("certificate URL is not https")
    if "@" in parts.netloc:
        raise CertificateError("certificate URL has user info")
    if parts.hostname != CERT_HOST:  # urllib lower-cases hostname
        raise CertificateError("certificate URL has the wrong host")
    if port not in (None, 443):
        raise CertificateError("certificate URL has the wrong port")
    # Decode before normalising: aiohttp (yarl) would otherwise turn %2e%2e into ".." and
    # resolve it after we checked, fetching a file outside /echo.api/.
    path = posixpath.normpath(unquote(parts.path)) if parts.path else ""
    if not path.startswith(CERT_PATH_PREFIX):
        raise CertificateError("certificate URL has the wrong path")
    return path


def check_cert_url(url: str | None) -> None:
    """Apply Amazon's rules for the SignatureCertChainUrl header."""
    _cert_path(url)


@functools.cache
def _system_store() -> Store:
    with warnings.catch_warnings():
        # certifi ships a root with a non-positive serial; cryptography warns but accepts it.
        warnings.simplefilter("ignore")
        roots = x509.load_pem_x509_certificates(Path(certifi.where()).read_bytes())
    return Store(roots)


def _has_alexa_san(cert: x509.Certificate) -> bool:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return False
    return any(name.lower() == ALEXA_SAN for name in san.get_values_for_type(x509.DNSName))


@dataclass(frozen=True)
class _Trusted:
    key: RSAPublicKey
    not_after: datetime


class CertificateStore:
    """Hands out the validated public key for a certificate URL, cached until it expires."""

    def __init__(
        self,
        *,
        trust_roots: Sequence[x509.Certificate] | None = None,
        local_chain: bytes | None = None,
        fetch_base_url: str | None = None,
        timeout: float = 3.0,
        max_bytes: int = 65536,
        clock: Callable[[], datetime] = utc_now,
        failure_seconds: float = FAILURE_SECONDS,
    ) -> None:
        self._store = Store(list(trust_roots)) if trust_roots is not None else _system_store()
        self._local_chain = local_chain
        self._fetch_base = (fetch_base_url or f"https://{CERT_HOST}").rstrip("/")
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._clock = clock
        self._cache: dict[str, _Trusted] = {}
        self._paths: dict[str, str] = {}  # header values that passed the URL rules -> cache key
        self._pending: dict[str, asyncio.Task[_Trusted]] = {}
        # Recent failures per path, so a flood of requests naming a bad chain costs one download
        # per few seconds, not one each; short, so a passing S3 fault heals quickly.
        self._failures: dict[str, tuple[datetime, CertificateError]] = {}
        self._failure_window = timedelta(seconds=failure_seconds)
        self._session: aiohttp.ClientSession | None = None

    @classmethod
    def from_files(
        cls,
        trust_root: Path | None,
        cert_chain: Path | None,
    ) -> CertificateStore:
        """Build from --trust-root / --cert-chain; either may be None (system roots, download)."""
        roots = x509.load_pem_x509_certificates(trust_root.read_bytes()) if trust_root else None
        return cls(
            trust_roots=roots,
            local_chain=cert_chain.read_bytes() if cert_chain else None,
        )

    def cached_key(self, cert_url: str | None) -> RSAPublicKey | None:
        """The key for an already validated, unexpired chain, without parsing the URL again:
        the path every request takes once the chain is known, so it stays synchronous."""
        path = self._paths.get(cert_url) if cert_url is not None else None
        return self._unexpired_key(path) if path is not None else None

    async def public_key(self, cert_url: str | None) -> RSAPublicKey:
        path = _cert_path(cert_url)
        if cert_url is not None and len(self._paths) < MAX_REMEMBERED_URLS:
            self._paths[cert_url] = path
        key = self._unexpired_key(path)
        if key is not None:
            return key
        failure = self._failures.get(path)
        if failure is not None and self._clock() < failure[0]:
            raise failure[1]
        task = self._pending.get(path)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._load(path))
            self._pending[path] = task
            task.add_done_callback(functools.partial(self._forget, path))
        # Shielded: one caller going away (client hung up) must not cancel everyone's download.
        return (await asyncio.shield(task)).key

    def _unexpired_key(self, path: str) -> RSAPublicKey | None:
        cached = self._cache.get(path)
        if cached is not None and self._clock() < cached.not_after:
            return cached.key
        return None

    def _forget(self, path: str, task: asyncio.Task[_Trusted]) -> None:
        if self._pending.get(path) is task:
            del self._pending[path]
        if not task.cancelled():
            task.exception()  # every waiter may be gone; mark the error as seen

    async def _load(self, path: str) -> _Trusted:
        try:
            pem = self._local_chain if self._local_chain is not None else await self._download(path)
            trusted = self._validate(pem)
        except CertificateError as error:
            if len(self._failures) >= MAX_REMEMBERED_FAILURES:
                self._failures.clear()
            self._failures[path] = (self._clock() + self._failure_window, error)
            raise
        self._failures.pop(path, None)
        self._cache[path] = trusted
        return trusted

    def _validate(self, pem: bytes) -> _Trusted:
        now = self._clock()
        try:
            certs = x509.load_pem_x509_certificates(pem)
        except ValueError:
            raise CertificateError("unreadable certificate chain") from None
        leaf = certs[0]
        # The verifier would catch these too, but its messages are vague; say which rule failed.
        if now < leaf.not_valid_before_utc:
            raise CertificateError("signing certificate not yet valid")
        if now > leaf.not_valid_after_utc:
            raise CertificateError("signing certificate expired")
        try:
            has_san = _has_alexa_san(leaf)
        except ValueError:
            raise CertificateError("unreadable signing certificate") from None
        if not has_san:
            raise CertificateError(f"signing certificate lacks SAN {ALEXA_SAN}")
        verifier = (
            PolicyBuilder()
            .store(self._store)
            .time(now)
            .build_server_verifier(x509.DNSName(ALEXA_SAN))
        )
        try:
            chain = verifier.verify(leaf, certs[1:])
        except ChainError as exc:
            logger.warning("certificate chain rejected: %s", exc)
            raise CertificateError("untrusted certificate chain") from None
        key = leaf.public_key()
        if not isinstance(key, RSAPublicKey):
            raise CertificateError("signing certificate key is not RSA")
        # An intermediate may expire before the leaf; the chain is only as good as its weakest.
        return _Trusted(key, min(cert.not_valid_after_utc for cert in chain))

    async def _download(self, path: str) -> bytes:
        # Fetch exactly the path we checked, escaped once, so nothing downstream re-interprets it.
        url = yarl.URL(self._fetch_base + quote(path, safe="/"), encoded=True)
        timeout = aiohttp.ClientTimeout(total=self._timeout)
        try:
            async with self._client().get(url, allow_redirects=False, timeout=timeout) as response:
                if response.status != 200:
                    raise CertificateError(f"certificate download failed: HTTP {response.status}")
                if (response.content_length or 0) > self._max_bytes:
                    raise CertificateError("certificate chain too large")
                data = bytearray()
                async for chunk in response.content.iter_chunked(_CHUNK_BYTES):
                    data += chunk
                    if len(data) > self._max_bytes:
                        raise CertificateError("certificate chain too large")
                return bytes(data)
        except TimeoutError:
            raise CertificateError("certificate download timed out") from None
        except aiohttp.ClientError as exc:
            logger.warning("certificate download failed: %r", exc)
            raise CertificateError("certificate download failed") from None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            tls = ssl.create_default_context(cafile=certifi.where())
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=tls),
                # Identity only: a compressed body could inflate far past max_bytes.
                headers={"Accept-Encoding": "identity"},
                auto_decompress=False,
                trust_env=False,
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
