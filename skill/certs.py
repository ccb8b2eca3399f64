"""Alexa's signing-certificate chain: URL check, download, validation and cache.

Downloads are bounded: at most DOWNLOADS at once (and as many per host), each waiting at most the
download timeout for its turn. Chains at Amazon's own file names (`echo-api-cert-12.pem`) have
slots of their own, so a flood of requests naming made-up files under /echo.api/ cannot keep a
real chain's first download waiting. A download that never got a slot says nothing about its URL
and is not remembered as a failure. The cache of chains, the URLs seen and the failures remembered
are each a bounded LRU, so varied URLs cannot grow memory.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import posixpath
import re
import ssl
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar
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
from skill.metrics import TALLY

logger = logging.getLogger(__name__)
MAX_CHAINS = 256  # validated chains kept (Amazon uses one or two at a time)
MAX_REMEMBERED_URLS = 256  # header values that passed the URL rules, and their cache key
FAILURE_SECONDS = 5.0
MAX_REMEMBERED_FAILURES = 1024
DOWNLOADS = 4  # at once, for chains at other names
AMAZON_DOWNLOADS = 2  # at once, for chains at Amazon's own file names, kept apart
MIN_RSA_BITS = 2048
# Amazon names its signing chains echo-api-cert.pem, echo-api-cert-<n>.pem.
AMAZON_NAME = re.compile(r"/echo\.api/echo-api-cert(?:-\d{1,4})?\.pem")

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


_V = TypeVar("_V")


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
        self._cache: OrderedDict[str, _Trusted] = OrderedDict()
        # header values that passed the URL rules -> cache key
        self._paths: OrderedDict[str, str] = OrderedDict()
        self._pending: dict[str, asyncio.Task[_Trusted]] = {}
        # Recent failures per path, so a flood of requests naming a bad chain costs one download
        # per few seconds, not one each; short, so a passing S3 fault heals quickly.
        self._failures: OrderedDict[str, tuple[datetime, CertificateError]] = OrderedDict()
        self._failure_window = timedelta(seconds=failure_seconds)
        self._session: aiohttp.ClientSession | None = None
        self._slots = asyncio.Semaphore(DOWNLOADS)
        self._amazon_slots = asyncio.Semaphore(AMAZON_DOWNLOADS)

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

    @property
    def chains_cached(self) -> int:
        return len(self._cache)

    def cached_key(self, cert_url: str | None) -> RSAPublicKey | None:
        """The key for an already validated, unexpired chain, without parsing the URL again:
        the path every request takes once the chain is known, so it stays synchronous."""
        path = self._paths.get(cert_url) if cert_url is not None else None
        key = self._unexpired_key(path) if path is not None else None
        if key is not None:
            TALLY.certificate_hits += 1
        return key

    async def public_key(self, cert_url: str | None) -> RSAPublicKey:
        path = _cert_path(cert_url)
        if cert_url is not None:
            _remember(self._paths, cert_url, path, MAX_REMEMBERED_URLS)
        key = self._unexpired_key(path)
        if key is not None:
            TALLY.certificate_hits += 1
            self._cache.move_to_end(path)
            return key
        TALLY.certificate_misses += 1
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
        pem = self._local_chain
        if pem is None:
            slots = self._amazon_slots if AMAZON_NAME.fullmatch(path) else self._slots
            try:
                await asyncio.wait_for(slots.acquire(), self._timeout)
            except TimeoutError:
                # Our own congestion, not the URL's fault: not remembered as its failure.
                raise CertificateError("certificate downloads busy") from None
            try:
                pem = await self._fetch(path)
            except CertificateError as error:
                self._remember_failure(path, error)
                raise
            finally:
                slots.release()
        try:
            trusted = self._validate(pem)
        except CertificateError as error:
            self._remember_failure(path, error)
            raise
        self._failures.pop(path, None)
        _remember(self._cache, path, trusted, MAX_CHAINS)
        return trusted

    async def _fetch(self, path: str) -> bytes:
        TALLY.certificate_downloads += 1
        return await self._download(path)

    def _remember_failure(self, path: str, error: CertificateError) -> None:
        _remember(
            self._failures,
            path,
            (self._clock() + self._failure_window, error),
            MAX_REMEMBERED_FAILURES,
        )

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
        except ChainError:
            logger.warning("certificate chain rejected: untrusted")
            raise CertificateError("untrusted certificate chain") from None
        key = leaf.public_key()
        if not isinstance(key, RSAPublicKey):
            raise CertificateError("signing certificate key is not RSA")
        for cert in (leaf, *chain):
            cert_key = cert.public_key()
            if isinstance(cert_key, RSAPublicKey) and cert_key.key_size < MIN_RSA_BITS:
                raise CertificateError("certificate key too short")
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
            logger.warning("certificate download failed: %s", type(exc).__name__)
            raise CertificateError("certificate download failed") from None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            tls = ssl.create_default_context(cafile=certifi.where())
            slots = DOWNLOADS + AMAZON_DOWNLOADS
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=tls, limit=slots, limit_per_host=slots),
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


def _remember(memory: OrderedDict[str, _V], key: str, value: _V, limit: int) -> None:
    """Keep `key` as the most recent entry of an LRU of at most `limit` entries."""
    memory[key] = value
    memory.move_to_end(key)
    while len(memory) > limit:
        memory.popitem(last=False)
