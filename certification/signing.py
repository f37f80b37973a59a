"""Signing keys per association and PAdES signatures with pyHanko.

Each association has a self-signed X.509 certificate and its private key in
SIGNING_KEY_DIR/<slug>/ (outside the repository and the database). A PDF
signed here validates in a reader that trusts that certificate, and any
change to the bytes breaks it.

pyHanko and cryptography are imported in the functions that use them: they
cost a process 0.4 s and about 45 MB, which a web process pays only when it
signs or verifies a PDF (hence each `noqa: PLC0415`)."""

import asyncio
import concurrent.futures
import datetime
import functools
import io
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

KEY_FILE = "key.pem"
CERT_FILE = "cert.pem"

_signers: dict[tuple[str, float], object] = {}
_lock = threading.Lock()


class SigningKeyMissing(Exception):
    pass


def key_dir(slug: str) -> Path:
    return Path(settings.SIGNING_KEY_DIR) / slug


def create_signing_key(association, *, years: int = 10, replace: bool = False) -> Path:
    """Write a new ECDSA P-256 key and a self-signed certificate naming the
    association. Refuses to replace an existing key unless asked."""
    from cryptography import x509  # noqa: PLC0415  (see the module docstring)
    from cryptography.hazmat.primitives import hashes, serialization  # noqa: PLC0415  (see the module docstring)
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415  (see the module docstring)
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: PLC0415  (see the module docstring)

    directory = key_dir(association.slug)
    if (directory / KEY_FILE).exists() and not replace:
        raise FileExistsError(f"{directory / KEY_FILE} exists")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, association.country[:2].upper() or "XX"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, association.name[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{association.name[:50]} certificates"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.CODE_SIGNING]),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path = directory / KEY_FILE
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    (directory / CERT_FILE).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return directory


def _signer(association):
    """The association's signer, loaded once per process (keyed by the
    file's mtime, so a replaced key is picked up)."""
    from pyhanko.sign import signers  # noqa: PLC0415  (see the module docstring)

    directory = key_dir(association.slug)
    key_path = directory / KEY_FILE
    if not key_path.exists():
        if not settings.SIGNING_KEY_AUTOCREATE:
            raise SigningKeyMissing(
                f"No signing key for {association.slug}: run manage.py create_signing_key {association.slug}"
            )
        with _lock:
            if not key_path.exists():
                create_signing_key(association)
    cache_key = (str(key_path), key_path.stat().st_mtime)
    signer = _signers.get(cache_key)
    if signer is None:
        loaded = signers.SimpleSigner.load(str(key_path), str(directory / CERT_FILE))
        signer = _signer_class()(
            signing_cert=loaded.signing_cert,
            signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry,
        )
        _signers[cache_key] = signer
    return signer


@functools.cache
def _signer_class():
    """pyHanko's SimpleSigner, with the signing-certificate attribute (the
    same for every signature of a key) built once. pyHanko builds and
    serialises it afresh for each signature: a third of the cost of signing
    a certificate. Overrides an internal method of pyHanko (pinned in
    requirements.txt); test_pdf's signature checks fail if it changes."""
    from asn1crypto import tsp  # noqa: PLC0415  (see the module docstring)
    from pyhanko.sign import attributes, signers  # noqa: PLC0415  (see the module docstring)
    from pyhanko.sign.general import as_signing_certificate_v2  # noqa: PLC0415  (see the module docstring)

    class PreparedSigningCertificate(attributes.CMSAttributeProvider):
        attribute_type = "signing_certificate_v2"

        def __init__(self, signing_cert):
            # Parsed from its own bytes: serialising it again is a copy.
            self.value = tsp.SigningCertificateV2.load(as_signing_certificate_v2(signing_cert).dump())

        async def build_attr_value(self, dry_run=False):
            return self.value

    class Signer(signers.SimpleSigner):
        def _signed_attr_providers(self, *args, **kwargs):
            for provider in super()._signed_attr_providers(*args, **kwargs):
                if isinstance(provider, attributes.SigningCertificateV2Provider):
                    provider = self._prepared_signing_certificate
                yield provider

        @functools.cached_property
        def _prepared_signing_certificate(self):
            return PreparedSigningCertificate(self.signing_cert)

    return Signer


def _reserved(signer) -> int:
    """Room for the signature in the PDF, in hex digits (two per byte).
    Without it pyHanko signs every PDF twice, once with a dummy to measure
    the size. The signature holds the certificates, a few hundred bytes of
    signed attributes and the signature value (at most 512 bytes, RSA
    4096): the certificates' size plus 2 KB is ample, and pyHanko refuses
    to sign rather than truncate if it is not."""
    certificates = {signer.signing_cert.dump(), *(cert.dump() for cert in signer.cert_registry)}
    return 2 * (sum(len(der) for der in certificates) + 2048)


def signing_certificate(association):
    """The association's X.509 certificate (asn1crypto), the trust root for
    verifying its PDFs."""
    from pyhanko.keys import load_cert_from_pemder  # noqa: PLC0415  (see the module docstring)

    path = key_dir(association.slug) / CERT_FILE
    if not path.exists():
        raise SigningKeyMissing(str(path))
    return load_cert_from_pemder(str(path))


def sign_pdf(pdf: bytes, *, association, reason: str = "") -> bytes:
    """A PAdES baseline signature over the whole document."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: PLC0415  (see the module docstring)
    from pyhanko.sign import fields, signers  # noqa: PLC0415  (see the module docstring)

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name="Signature",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason or None,
        name=association.name,
        certify=True,
    )
    signer = _signer(association)

    def sign() -> bytes:
        return signers.sign_pdf(writer, meta, signer=signer, bytes_reserved=_reserved(signer)).getvalue()

    return _outside_event_loop(sign)


def _outside_event_loop(function):
    """pyHanko's sync API calls asyncio.run(), which refuses to run inside a
    thread that already has an event loop (an async caller, a browser test)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function).result()


@dataclass(frozen=True)
class SignatureCheck:
    valid: bool
    signer: str = ""


def check_signature(pdf: bytes, *, association) -> SignatureCheck:
    """Valid only when the one signature is intact, made by this
    association's key, and covers the entire file (nothing appended)."""
    from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: PLC0415  (see the module docstring)
    from pyhanko.sign.validation import validate_pdf_signature  # noqa: PLC0415  (see the module docstring)
    from pyhanko.sign.validation.status import SignatureCoverageLevel  # noqa: PLC0415  (see the module docstring)
    from pyhanko_certvalidator import ValidationContext  # noqa: PLC0415  (see the module docstring)

    try:
        root = signing_certificate(association)
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
        if len(signatures) != 1:
            return SignatureCheck(False)
        context = ValidationContext(trust_roots=[root], allow_fetching=False)
        status = _outside_event_loop(lambda: validate_pdf_signature(signatures[0], context))
    except Exception:  # any unreadable or foreign PDF is simply not genuine
        return SignatureCheck(False)
    ok = (
        status.bottom_line
        and status.intact
        and status.valid
        and status.trusted
        and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    )
    return SignatureCheck(bool(ok), status.signing_cert.subject.human_friendly if ok else "")
