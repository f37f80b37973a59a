"""Signed Open Badges 3.0 credentials a wallet can verify offline: an
embedded Data Integrity proof with the eddsa-rdfc-2022 cryptosuite (W3C
Recommendation "Data Integrity EdDSA Cryptosuites v1.0", 15 May 2025,
https://www.w3.org/TR/vc-di-eddsa/), one Ed25519 key per association.

Why Data Integrity rather than a VC-JWT: Open Badges 3.0 (§8 Proofs) allows
both, but its conformance suite and implementation guide ("Selecting proof
methods and crypto algorithms") name exactly two options: Linked Data proofs
with the eddsa suite, and JWTs signed with RS256. An Ed25519 JWT (EdDSA) is
"permitted but limits interoperability"; an Ed25519 Data Integrity proof is
the conformant choice. The proof is embedded, so the badge JSON stays the
JSON-LD document verifiers and wallets already read.

Libraries: `cryptography` (already a dependency, via pyHanko) for Ed25519,
and PyLD (Digital Bazaar, who also wrote the Data Integrity specifications)
for JSON-LD expansion and URDNA2015, which is RDF Dataset Canonicalization
(RDFC-1.0) under its earlier name. The JSON-LD contexts are files in
certification/jsonld/ and are never fetched: a context we do not ship is an
error, not a download.

Canonicalization is only as safe as what it keeps, so signing and
verification run a strict ("safe mode") expansion first: a term the contexts
do not define, a relative IRI, a base direction, or a control character the
two canonical N-Quads escapings disagree on is refused, since each would be
left out of (or serialized differently in) the signed data.
"""

import base64
import contextlib
import datetime
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from django.conf import settings
from pyld import jsonld
from pyld.documentloader.frozen import FrozenDocumentLoader

from .status_list import xsd_datetime

KEY_FILE = "credential-ed25519.pem"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"
PROOF_PURPOSE = "assertionMethod"
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"

JSONLD_DIR = Path(__file__).resolve().parent / "jsonld"
# The contexts we sign with, as the specifications published them. The VC
# 2.0 base context's SHA-256 is given in VC Data Model 2.0, Appendix B.1;
# tests/certification/test_credentials.py checks our copy against it.
CONTEXTS: dict[str, Path] = {
    VC_V2_CONTEXT: JSONLD_DIR / "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": JSONLD_DIR / "ob-v3p0-context-3.0.3.json",
}

# Controlled Identifiers v1.0 (§2.2.2 Multikey): an Ed25519 public key is the
# multicodec header 0xed 0x01 and the 32 key bytes, base58-btc ("z").
MULTIKEY_ED25519_PUBLIC = b"\xed\x01"
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {char: i for i, char in enumerate(_BASE58)}

# Limits for documents we are asked to verify: canonicalization is
# exponential in the worst case ("dataset poisoning", vc-di-eddsa §3.2), and a
# badge has a handful of blank nodes.
MAX_DOCUMENT_BYTES = 256 * 1024
MAX_BLANK_NODES = 64
MAX_PROOF_VALUE_CHARS = 100  # a 64-byte signature is about 88 base58 characters

_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Characters RDFC-1.0's canonical N-Quads escapes (\b, \f, \uXXXX) but PyLD
# writes as they are; tab, newline and carriage return are escaped alike.
_UNSAFE_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XSD_DATETIME = re.compile(r"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


class CredentialError(Exception):
    pass


class CredentialKeyMissing(CredentialError):
    pass


# Keys


def credential_key_path(slug: str) -> Path:
    """Next to the association's PAdES key (certification.signing), in
    SIGNING_KEY_DIR/<slug>/: outside the repository and the database."""
    return Path(settings.SIGNING_KEY_DIR) / slug / KEY_FILE


def create_credential_key(association, *, replace: bool = False) -> Path:
    """Write a new Ed25519 key for the association (PKCS#8 PEM, mode 0600).
    Refuses to replace an existing key unless asked: every credential signed
    with it would stop verifying."""

    path = credential_key_path(association.slug)
    if path.exists() and not replace:
        raise FileExistsError(f"{path} exists")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # Written aside, then put in place in one step: another process never
    # reads half a key, and of two processes creating it at once one wins.
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".credential-key-")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(pem)
            file.flush()
            os.fsync(file.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


def load_credential_key(association) -> Ed25519PrivateKey:
    """The association's Ed25519 key; in development (SIGNING_KEY_AUTOCREATE)
    a missing key is created on first use."""

    path = credential_key_path(association.slug)
    if not path.exists():
        if not settings.SIGNING_KEY_AUTOCREATE:
            raise CredentialKeyMissing(f"No credential signing key for {association.slug} at {path}")
        # Another process may create it first: then use theirs.
        with contextlib.suppress(FileExistsError):
            create_credential_key(association)
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise CredentialError(f"{path} is not an Ed25519 key")
    return key


# Public key documents


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_BASE58[remainder])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _BASE58_INDEX:
            raise CredentialError(f"{char!r} is not a base58-btc character")
        number = number * 58 + _BASE58_INDEX[char]
    leading_zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * leading_zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """The Multikey publicKeyMultibase, "z6Mk..." (vc-di-eddsa §2.1.1)."""

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58btc_encode(MULTIKEY_ED25519_PUBLIC + raw)


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    """The key of a publicKeyMultibase; anything but an Ed25519 public key
    Multikey is refused (vc-di-eddsa §2.1.1)."""

    if not value.startswith("z"):
        raise CredentialError("publicKeyMultibase must be base58-btc (start with 'z')")
    decoded = base58btc_decode(value[1:])
    if not decoded.startswith(MULTIKEY_ED25519_PUBLIC) or len(decoded) != 34:
        raise CredentialError("publicKeyMultibase is not an Ed25519 public key")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


def verification_method_id(public_key: Ed25519PublicKey, *, controller: str) -> str:
    """The key's id in its controller document: the controller's URL (or
    DID) with the Multikey as fragment, as in the Open Badges test vector."""
    return f"{controller}#{public_key_multibase(public_key)}"


def controller_document(public_key: Ed25519PublicKey, *, controller: str) -> dict:
    """The public key document to publish at `controller` (an https URL, the
    issuer's id, which Open Badges requires verifiers to dereference; or a
    did:web served at /.well-known/did.json or <path>/did.json): one Multikey
    verification method, usable for assertions (vc-di-eddsa §2.1.1,
    Example 2; Controlled Identifiers v1.0)."""
    method = verification_method_id(public_key, controller=controller)
    context = (
        ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
        if controller.startswith("did:")
        else ["https://www.w3.org/ns/cid/v1"]
    )
    return {
        "@context": context,
        "id": controller,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": controller,
                "publicKeyMultibase": public_key_multibase(public_key),
            }
        ],
        "assertionMethod": [method],
    }


def did_web(site_url: str, *path: str) -> str:
    """The did:web for a site and an optional path: ("https://cert.example.org",
    "issuers", "psa") -> did:web:cert.example.org:issuers:psa, whose document
    is served at https://cert.example.org/issuers/psa/did.json (a port's
    colon is percent-encoded, as did:web requires)."""
    host = site_url.split("://", 1)[-1].split("/", 1)[0].replace(":", "%3A")
    return ":".join(["did:web", host, *path])


def public_jwk(public_key: Ed25519PublicKey, *, kid: str | None = None) -> dict:
    """The key as a JWK (RFC 8037), for a JWK set; never the private part."""

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode()}
    if kid:
        jwk["kid"] = kid
    return jwk


# Canonicalization


def _loader(contexts: Mapping[str, dict | Path] | None):

    return FrozenDocumentLoader({**CONTEXTS, **(contexts or {})})


def _is_iri(value) -> bool:
    return isinstance(value, str) and bool(_ABSOLUTE_IRI.match(value))


def _check_text(value: str) -> None:
    if _UNSAFE_CONTROL.search(value):
        raise CredentialError("Text with control characters cannot be signed")


def _check_expanded(value, blank_nodes: list[int]) -> None:
    """Refuse what expansion keeps but RDF conversion would silently drop or
    the two escapings disagree on; count blank nodes."""
    if isinstance(value, list):
        for item in value:
            _check_expanded(item, blank_nodes)
        return
    if isinstance(value, str):
        _check_text(value)
        return
    if not isinstance(value, dict):
        return
    if "@value" in value:
        if "@direction" in value:
            raise CredentialError("Text with a base direction cannot be signed")
        if value.get("@type") not in (None, "@json") and not _is_iri(value["@type"]):
            raise CredentialError(f"Relative datatype {value['@type']!r}")
        if isinstance(value["@value"], str):
            _check_text(value["@value"])
        return
    if "@list" not in value and "@set" not in value:
        node_id = value.get("@id")
        if node_id is None or node_id.startswith("_:"):
            blank_nodes[0] += 1
        elif not _is_iri(node_id):
            raise CredentialError(f"Relative IRI {node_id!r}: an id must be a full URL")
    for key, item in value.items():
        if key == "@type":
            for type_ in item if isinstance(item, list) else [item]:
                if not (_is_iri(type_) or type_.startswith("_:")):
                    raise CredentialError(f"Type {type_!r} is not defined by the @context")
        elif key == "@id":
            continue
        elif not key.startswith("@") and not _is_iri(key):
            raise CredentialError(f"Property {key!r} is not a full IRI")
        else:
            _check_expanded(item, blank_nodes)
    if blank_nodes[0] > MAX_BLANK_NODES:
        raise CredentialError(f"More than {MAX_BLANK_NODES} blank nodes")


def canonicalize(document: dict, *, contexts: Mapping[str, dict | Path] | None = None) -> str:
    """The document's RDF Dataset Canonicalization (RDFC-1.0) as canonical
    N-Quads, after a strict expansion (see the module docstring).
    `contexts` adds JSON-LD contexts to the bundled ones (tests use the VC
    examples context of the W3C test vectors)."""

    loader = _loader(contexts)
    dropped: list[str] = []
    # base None: a relative IRI stays relative (and is refused below) instead
    # of being resolved against PyLD's placeholder base.
    options = {"documentLoader": loader, "base": None}
    try:
        expanded = jsonld.expand(
            document, options, on_property_dropped=lambda term: dropped.append(str(term))
        )
    except jsonld.JsonLdError as error:
        raise CredentialError(f"Not JSON-LD we can process offline: {error}") from error
    if dropped:
        raise CredentialError(f"Terms not defined by the @context: {', '.join(sorted(set(dropped)))}")
    _check_expanded(expanded, [0])
    try:
        return jsonld.normalize(
            expanded, {**options, "algorithm": "URDNA2015", "format": "application/n-quads"}
        )
    except jsonld.JsonLdError as error:
        raise CredentialError(f"Cannot canonicalize: {error}") from error


def _hash_data(unsecured: dict, proof_options: dict, contexts) -> bytes:
    """vc-di-eddsa §3.2.3-§3.2.5: canonicalize the document and the proof
    configuration (the proof options with the document's @context), hash each
    with SHA-256, proof configuration first."""
    if proof_options.get("type") != PROOF_TYPE or proof_options.get("cryptosuite") != CRYPTOSUITE:
        raise CredentialError(f"Not a {PROOF_TYPE} with {CRYPTOSUITE}")
    created = proof_options.get("created")
    if created is not None and not (isinstance(created, str) and _XSD_DATETIME.match(created)):
        raise CredentialError("proof.created is not an XML Schema dateTime")
    proof_config = {**proof_options, "@context": unsecured["@context"]}
    canonical_config = canonicalize(proof_config, contexts=contexts)
    canonical_document = canonicalize(unsecured, contexts=contexts)
    return (
        hashlib.sha256(canonical_config.encode("utf-8")).digest()
        + hashlib.sha256(canonical_document.encode("utf-8")).digest()
    )


# Signing and verifying


def sign_credential(
    credential: dict,
    *,
    key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime.datetime | None = None,
    contexts: Mapping[str, dict | Path] | None = None,
) -> dict:
    """A copy of the credential with an eddsa-rdfc-2022 DataIntegrityProof
    (vc-di-eddsa §3.2.1 Create Proof). `verification_method` is the id of the
    key in the issuer's controller document (`verification_method_id`).
    Raises CredentialError for a credential that cannot be signed safely."""
    if "proof" in credential:
        raise CredentialError("The credential already has a proof")
    context = credential.get("@context")
    if not isinstance(context, list) or not context or context[0] != VC_V2_CONTEXT:
        raise CredentialError(f"A credential's @context must start with {VC_V2_CONTEXT}")
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created or datetime.datetime.now(datetime.UTC)),
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    # §3.2.6: Ed25519 (pure EdDSA, RFC 8032) over the hash data; 64 bytes.
    signature = key.sign(_hash_data(credential, proof, contexts))
    return {**credential, "proof": {**proof, "proofValue": "z" + base58btc_encode(signature)}}


def verify_credential(
    credential: dict,
    *,
    public_key: Ed25519PublicKey,
    verification_method: str | None = None,
    contexts: Mapping[str, dict | Path] | None = None,
) -> bool:
    """True when the credential's one proof is an eddsa-rdfc-2022
    assertion proof by this key over exactly this content (vc-di-eddsa
    §3.2.2 Verify Proof), and, when given, names this verification method.
    Only the proof: the caller checks the issuer, the dates and the status."""

    try:
        if len(json.dumps(credential, ensure_ascii=False).encode("utf-8")) > MAX_DOCUMENT_BYTES:
            return False
        proof = credential["proof"]
        if not isinstance(proof, dict) or proof.get("proofPurpose") != PROOF_PURPOSE:
            return False
        if verification_method is not None and proof.get("verificationMethod") != verification_method:
            return False
        proof_value = proof["proofValue"]
        if not (isinstance(proof_value, str) and proof_value.startswith("z")):
            return False
        if len(proof_value) > MAX_PROOF_VALUE_CHARS:
            return False
        signature = base58btc_decode(proof_value[1:])
        if len(signature) != 64:
            return False
        unsecured = {name: value for name, value in credential.items() if name != "proof"}
        options = {name: value for name, value in proof.items() if name != "proofValue"}
        public_key.verify(signature, _hash_data(unsecured, options, contexts))
    except InvalidSignature:
        return False
    except Exception:  # any credential we cannot process is simply not verified
        return False
    return True
