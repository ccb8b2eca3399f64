"""A throwaway PKI that imitates Alexa's signing-certificate chain.

Tests and the local simulator sign requests with it, so the web service can run every
production check (URL, chain, SAN, validity, signature) against a root it was told to trust.
Never point a production server at these files.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from skill.certs import ALEXA_SAN

DEV_CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-dev.pem"

_CA_LIFETIME = timedelta(days=3650)
_LEAF_LIFETIME = timedelta(days=365)
# Regenerate dev files a little before expiry so a long-running simulator does not trip over it.
_RENEW_MARGIN = timedelta(days=1)


@dataclass(frozen=True)
class DevPKI:
    root_cert: x509.Certificate
    root_key: rsa.RSAPrivateKey
    intermediate_cert: x509.Certificate
    intermediate_key: rsa.RSAPrivateKey
    leaf_cert: x509.Certificate
    leaf_key: rsa.RSAPrivateKey


@dataclass(frozen=True)
class DevPaths:
    trust_root: Path  # ca.pem, for --trust-root
    cert_chain: Path  # chain.pem, for --cert-chain
    signing_key: Path  # leaf-key.pem, what the simulator signs with


def _new_key(bits: int = 2048) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Heroin Help development"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: tuple[x509.Name, rsa.RSAPrivateKey],
    not_before: datetime,
    not_after: datetime,
) -> x509.CertificateBuilder:
    """What every certificate of the chain has: names, key, validity and key identifiers."""
    issuer_name, issuer_key = issuer
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )


def _ca_cert(
    subject: x509.Name,
    key: rsa.RSAPrivateKey,
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey] | None,
    now: datetime,
) -> x509.Certificate:
    issuer_name, issuer_key = (issuer[0].subject, issuer[1]) if issuer else (subject, key)
    builder = (
        _certificate(
            subject, key, (issuer_name, issuer_key), now - timedelta(days=1), now + _CA_LIFETIME
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _leaf_cert(
    san: str,
    key: rsa.RSAPrivateKey,
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey],
    not_before: datetime,
    not_after: datetime,
) -> x509.Certificate:
    issuer_cert, issuer_key = issuer
    builder = (
        _certificate(_name(san), key, (issuer_cert.subject, issuer_key), not_before, not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
    )
    return builder.sign(issuer_key, hashes.SHA256())


def make_pki(
    *,
    san: str = ALEXA_SAN,
    leaf_not_before: datetime | None = None,
    leaf_not_after: datetime | None = None,
    root: tuple[x509.Certificate, rsa.RSAPrivateKey] | None = None,
    reuse: DevPKI | None = None,
    leaf_bits: int | None = None,
) -> DevPKI:
    """Build root -> intermediate -> leaf.

    `root` issues a fresh intermediate under an existing root. `reuse` keeps the root,
    intermediate and leaf key of an existing PKI and only re-issues the leaf: RSA key
    generation dominates the cost, so tests build variants (expired, wrong SAN) this way.
    `leaf_bits` gives the leaf a new key of that size (a test makes a too-short one).
    """
    now = datetime.now(UTC)
    not_before = leaf_not_before or now - timedelta(hours=1)
    not_after = leaf_not_after or now + _LEAF_LIFETIME
    if reuse is not None:
        root_cert, root_key = reuse.root_cert, reuse.root_key
        inter_cert, inter_key = reuse.intermediate_cert, reuse.intermediate_key
        leaf_key = reuse.leaf_key
    else:
        if root is not None:
            root_cert, root_key = root
        else:
            root_key = _new_key()
            root_cert = _ca_cert(_name("Heroin Help Dev Root CA"), root_key, None, now)
        inter_key = _new_key()
        inter_cert = _ca_cert(
            _name("Heroin Help Dev Intermediate CA"), inter_key, (root_cert, root_key), now
        )
        leaf_key = _new_key()
    if leaf_bits is not None:
        leaf_key = _new_key(leaf_bits)
    leaf_cert = _leaf_cert(san, leaf_key, (inter_cert, inter_key), not_before, not_after)
    return DevPKI(root_cert, root_key, inter_cert, inter_key, leaf_cert, leaf_key)


def chain_pem(pki: DevPKI) -> bytes:
    return b"".join(
        cert.public_bytes(serialization.Encoding.PEM)
        for cert in (pki.leaf_cert, pki.intermediate_cert)
    )


def root_pem(pki: DevPKI) -> bytes:
    return pki.root_cert.public_bytes(serialization.Encoding.PEM)


def sign_body(private_key: rsa.RSAPrivateKey, body: bytes) -> str:
    """Return what Alexa puts in the Signature-256 header for `body`."""
    signature = private_key.sign(body, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def load_signing_key(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} does not hold an RSA private key")
    return key


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _usable(paths: DevPaths, now: datetime) -> bool:
    try:
        certs = x509.load_pem_x509_certificates(paths.cert_chain.read_bytes())
        x509.load_pem_x509_certificates(paths.trust_root.read_bytes())
        key = load_signing_key(paths.signing_key)
    except (OSError, ValueError):
        return False
    leaf = certs[0]
    return leaf.public_key() == key.public_key() and leaf.not_valid_after_utc > now + _RENEW_MARGIN


def _write(path: Path, data: bytes, mode: int = 0o644) -> None:
    # Write beside the target and rename, so a reader never sees half a file.
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, mode)  # os.open's mode is filtered by the umask and ignored for existing files
    os.replace(tmp, path)


def write_dev_pki(directory: Path) -> DevPaths:
    """Write ca.pem, chain.pem and leaf-key.pem, keeping files that are still usable."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = DevPaths(directory / "ca.pem", directory / "chain.pem", directory / "leaf-key.pem")
    if _usable(paths, datetime.now(UTC)):
        return paths
    pki = make_pki()
    _write(paths.signing_key, _key_pem(pki.leaf_key), 0o600)
    _write(paths.trust_root, root_pem(pki))
    _write(paths.cert_chain, chain_pem(pki))
    return paths
