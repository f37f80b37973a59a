"""Signed Open Badges credentials (eddsa-rdfc-2022): the published test
vectors of W3C vc-di-eddsa and of the Open Badges 3.0 implementation guide,
then sign / verify / tamper on the platform's own badge shape. No network:
every JSON-LD context is a bundled file."""

import copy
import datetime
import hashlib
import json
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from certification import credentials as c
from certification import status_list

VECTORS = Path(__file__).parent / "vectors"
# W3C vc-di-eddsa TestVectors use the VC examples context; only tests load it.
EXAMPLES = {"https://www.w3.org/ns/credentials/examples/v2": VECTORS / "credentials-examples-v2.jsonld"}

# The Open Badges 3.0 implementation guide's Linked Data Proof test vector
# ("Linked Data Proof Test Vector for Open Badges 3.0"): its key pair.
OB_PUBLIC_HEX = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
OB_PRIVATE_HEX = "6241a409e6707bb640a0140a8a32bc3d193c33a661747284d6adfa4ed4180be4" + OB_PUBLIC_HEX
OB_MULTIKEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"

SITE = "https://cert.example.org"
ISSUER = f"{SITE}/issuers/psa"


def vector(name: str):
    text = (VECTORS / name).read_text(encoding="utf-8")
    return json.loads(text) if name.endswith(".json") else text


def w3c_key() -> Ed25519PrivateKey:
    """keyPair.json's privateKeyMultibase: multicodec ed25519-priv (0x80 0x26) and the seed."""
    decoded = c.base58btc_decode(vector("w3c-keyPair.json")["privateKeyMultibase"][1:])
    assert decoded[:2] == b"\x80\x26"
    return Ed25519PrivateKey.from_private_bytes(decoded[2:])


def ob_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(OB_PRIVATE_HEX)[:32])


def ob_unsigned() -> dict:
    signed = vector("ob3-signed.json")
    del signed["proof"]
    return signed


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# The bundled contexts and the test vectors


def test_bundled_vc_context_matches_the_digest_in_vc_data_model_2_0():
    digest = hashlib.sha256(c.CONTEXTS[c.VC_V2_CONTEXT].read_bytes()).hexdigest()

    assert digest == "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"


def test_canonicalize_w3c_vector_document_and_proof_configuration():
    proof_config = vector("w3c-proofConfigDataInt.json")

    assert c.canonicalize(vector("w3c-unsigned.json"), contexts=EXAMPLES) == vector("w3c-canonDocDataInt.txt")
    assert c.canonicalize(proof_config, contexts=EXAMPLES) == vector("w3c-proofCanonDataInt.txt")


def test_canonicalize_open_badges_vector_golden_files_and_hashes():
    proof_options = {k: v for k, v in vector("ob3-signed.json")["proof"].items() if k != "proofValue"}
    proof_config = {**proof_options, "@context": ob_unsigned()["@context"]}

    document = c.canonicalize(ob_unsigned())
    proof = c.canonicalize(proof_config)

    assert document == vector("ob3-document-canon.txt")
    assert proof == vector("ob3-proof-canon.txt")
    # "Document hash" and "Proof hash" of the implementation guide.
    assert sha256_hex(document) == "87f65a76d40146205e3b3e06cb0fbd153f97f9ce70372390f52566bb7f9e0773"
    assert sha256_hex(proof) == "d34009cea0dbc1ca941e09dc01c8c9d3e3ce3c5b853f67ee44698dcea10f5d19"


def test_sign_credential_reproduces_the_w3c_vector():
    proof = vector("w3c-proofConfigDataInt.json")

    signed = c.sign_credential(
        vector("w3c-unsigned.json"),
        key=w3c_key(),
        verification_method=proof["verificationMethod"],
        created=datetime.datetime(2023, 2, 24, 23, 36, 38, tzinfo=datetime.UTC),
        contexts=EXAMPLES,
    )

    assert signed == vector("w3c-signedDataInt.json")


def test_sign_credential_reproduces_the_open_badges_vector():
    expected = vector("ob3-signed.json")

    signed = c.sign_credential(
        ob_unsigned(),
        key=ob_key(),
        verification_method=expected["proof"]["verificationMethod"],
        created=datetime.datetime(2010, 1, 1, 19, 23, 24, tzinfo=datetime.UTC),
    )

    assert signed["proof"]["proofValue"] == (
        "z5x9aCBYovW3CQCbKdNyhEm7ffYSw1YpEdPywQJoNbzDD2gkzQDKJ1sYKJaWvqZtkMtSbz35HcbgXVEDYHxCzgkCr"
    )
    assert signed == expected


def test_verify_credential_accepts_both_vectors_and_refuses_them_tampered():
    w3c = vector("w3c-signedDataInt.json")
    ob = vector("ob3-signed.json")
    w3c_public = c.public_key_from_multibase(vector("w3c-keyPair.json")["publicKeyMultibase"])
    ob_public = c.public_key_from_multibase(OB_MULTIKEY)
    w3c_tampered = copy.deepcopy(w3c)
    w3c_tampered["credentialSubject"]["alumniOf"] = "The School of Tampering"
    ob_tampered = copy.deepcopy(ob)
    ob_tampered["credentialSubject"]["achievement"]["name"] = "Leadership"

    assert c.verify_credential(w3c, public_key=w3c_public, contexts=EXAMPLES)
    assert c.verify_credential(ob, public_key=ob_public)
    assert not c.verify_credential(w3c_tampered, public_key=w3c_public, contexts=EXAMPLES)
    assert not c.verify_credential(ob_tampered, public_key=ob_public)


# Keys and the public key document


def test_public_key_multibase_of_the_vectors_keys():
    w3c_public = w3c_key().public_key()
    ob_public = ob_key().public_key()

    assert c.public_key_multibase(w3c_public) == vector("w3c-keyPair.json")["publicKeyMultibase"]
    assert c.public_key_multibase(ob_public) == OB_MULTIKEY
    assert (
        ob_public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()
        == OB_PUBLIC_HEX
    )


def test_public_key_from_multibase_refuses_other_keys():
    not_ed25519 = "z" + c.base58btc_encode(b"\x12\x00" + bytes(32))

    for value in (not_ed25519, OB_MULTIKEY[1:], "z0OIl"):
        with pytest.raises(c.CredentialError):
            c.public_key_from_multibase(value)


def test_controller_document_publishes_the_key_for_assertions():
    public = ob_key().public_key()

    document = c.controller_document(public, controller=ISSUER)

    assert document == {
        "@context": ["https://www.w3.org/ns/cid/v1"],
        "id": ISSUER,
        "verificationMethod": [
            {
                "id": f"{ISSUER}#{OB_MULTIKEY}",
                "type": "Multikey",
                "controller": ISSUER,
                "publicKeyMultibase": OB_MULTIKEY,
            }
        ],
        "assertionMethod": [f"{ISSUER}#{OB_MULTIKEY}"],
    }


def test_controller_document_for_a_did_web():
    did = c.did_web("https://cert.example.org:8443/", "issuers", "psa")

    document = c.controller_document(ob_key().public_key(), controller=did)

    assert did == "did:web:cert.example.org%3A8443:issuers:psa"
    assert document["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
    assert document["assertionMethod"] == [f"{did}#{OB_MULTIKEY}"]


def test_public_jwk_has_no_private_part():
    jwk = c.public_jwk(ob_key().public_key(), kid=f"{ISSUER}#{OB_MULTIKEY}")

    assert jwk == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": "S96v3i6ovu-t2MaZtcfgcEz1EVTVLheyC3EzfKBMxaU",
        "kid": f"{ISSUER}#{OB_MULTIKEY}",
    }


def test_load_credential_key_creates_one_private_key_per_association(settings):
    psa, bsc = SimpleNamespace(slug="psa"), SimpleNamespace(slug="bsc")

    first = c.load_credential_key(psa)
    again = c.load_credential_key(psa)
    other = c.load_credential_key(bsc)

    path = Path(settings.SIGNING_KEY_DIR) / "psa" / "credential-ed25519.pem"
    assert c.credential_key_path("psa") == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert c.public_key_multibase(first.public_key()) == c.public_key_multibase(again.public_key())
    assert c.public_key_multibase(first.public_key()) != c.public_key_multibase(other.public_key())
    assert [p.name for p in path.parent.iterdir()] == ["credential-ed25519.pem"]


def test_create_credential_key_refuses_to_replace_unless_asked(settings):
    psa = SimpleNamespace(slug="psa")
    before = c.public_key_multibase(c.load_credential_key(psa).public_key())

    with pytest.raises(FileExistsError):
        c.create_credential_key(psa)
    unchanged = c.public_key_multibase(c.load_credential_key(psa).public_key())
    c.create_credential_key(psa, replace=True)
    replaced = c.public_key_multibase(c.load_credential_key(psa).public_key())

    assert unchanged == before
    assert replaced != before


def test_load_credential_key_missing_in_production_says_so(settings):
    settings.SIGNING_KEY_AUTOCREATE = False

    with pytest.raises(c.CredentialKeyMissing, match="psa"):
        c.load_credential_key(SimpleNamespace(slug="psa"))


# The platform's badge


def platform_badge(**changes) -> dict:
    """The shape certification.public_queries.open_badge builds, with a
    BitstringStatusListEntry as its credentialStatus and an Urdu holder name."""
    badge = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"{SITE}/verify/t0k3n.json",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Customer Service Excellence v1 – Gold",
        "issuer": {"id": ISSUER, "type": ["Profile"], "name": "Pakistan Service Association"},
        "validFrom": "2026-01-05T10:00:00Z",
        "validUntil": "2028-01-04T23:59:59Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": "انڈس کوریئر",
                }
            ],
            "achievement": {
                "id": f"{SITE}/#achievement-psa-cse-1",
                "type": ["Achievement"],
                "achievementType": "Certification",
                "name": "Customer Service Excellence v1 – Gold",
                "description": "Certified at the level Gold of Customer Service Excellence, version 1.",
                "criteria": {"id": f"{SITE}/verify/t0k3n"},
            },
            "result": [{"type": ["Result"], "value": "87.50"}],
        },
        "credentialStatus": status_list.status_list_entry(
            list_url=f"{SITE}/status/psa/suspension", index=94567, purpose="suspension"
        ),
        "evidence": [{"id": f"{SITE}/verify/t0k3n", "type": ["Evidence"], "name": "PSA-2026-0001"}],
    }
    badge.update(changes)
    return badge


@pytest.fixture
def psa_key(settings):
    key = c.load_credential_key(SimpleNamespace(slug="psa"))
    return SimpleNamespace(key=key, method=c.verification_method_id(key.public_key(), controller=ISSUER))


def test_sign_credential_platform_badge_verifies(psa_key):
    signed = c.sign_credential(platform_badge(), key=psa_key.key, verification_method=psa_key.method)

    assert signed["proof"]["verificationMethod"] == psa_key.method
    assert (signed["proof"]["type"], signed["proof"]["cryptosuite"], signed["proof"]["proofPurpose"]) == (
        "DataIntegrityProof",
        "eddsa-rdfc-2022",
        "assertionMethod",
    )
    assert c.verify_credential(
        signed, public_key=psa_key.key.public_key(), verification_method=psa_key.method
    )


@pytest.mark.parametrize(
    "tamper",
    [
        lambda b: b["credentialSubject"]["identifier"][0].update(identityHash="Shalimar Telecom"),
        lambda b: b["credentialSubject"]["result"][0].update(value="97.50"),
        lambda b: b.update(validUntil="2030-01-04T23:59:59Z"),
        lambda b: b["credentialStatus"].update(statusListIndex="1"),
        lambda b: b["issuer"].update(name="Another Association"),
        lambda b: b["proof"].update(created="2026-01-06T10:00:00Z"),
        lambda b: b["proof"].update(verificationMethod=f"{ISSUER}#key-2"),
        lambda b: b.pop("evidence"),
        lambda b: b.pop("proof"),
        lambda b: b["credentialSubject"].update(extra="not in any context"),
    ],
    ids=[
        "holder",
        "score",
        "valid-until",
        "status-index",
        "issuer-name",
        "proof-created",
        "proof-method",
        "evidence-removed",
        "proof-removed",
        "undefined-term-added",
    ],
)
def test_verify_credential_refuses_a_tampered_badge(psa_key, tamper):
    signed = c.sign_credential(platform_badge(), key=psa_key.key, verification_method=psa_key.method)
    tampered = copy.deepcopy(signed)

    tamper(tampered)

    assert not c.verify_credential(tampered, public_key=psa_key.key.public_key())


def test_verify_credential_refuses_another_associations_key(psa_key):
    signed = c.sign_credential(platform_badge(), key=psa_key.key, verification_method=psa_key.method)
    other = c.load_credential_key(SimpleNamespace(slug="bsc"))

    assert not c.verify_credential(signed, public_key=other.public_key())


def test_verify_credential_refuses_another_verification_method(psa_key):
    signed = c.sign_credential(platform_badge(), key=psa_key.key, verification_method=psa_key.method)

    assert not c.verify_credential(
        signed, public_key=psa_key.key.public_key(), verification_method=f"{ISSUER}#key-2"
    )


@pytest.mark.parametrize(
    "proof_value",
    ["", "5x9aCBYov", "z0OIl", "z" + "1" * 90, "z" + c.base58btc_encode(bytes(63)), None, 42],
)
def test_verify_credential_refuses_malformed_proof_values(psa_key, proof_value):
    signed = c.sign_credential(platform_badge(), key=psa_key.key, verification_method=psa_key.method)
    signed["proof"]["proofValue"] = proof_value

    assert not c.verify_credential(signed, public_key=psa_key.key.public_key())


def test_sign_credential_status_list_credential_verifies(psa_key):
    credential = status_list.status_list_credential(
        url=f"{SITE}/status/psa/suspension",
        issuer=ISSUER,
        purpose="suspension",
        encoded_list=status_list.encode_list({94567}),
        valid_from=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
    )

    signed = c.sign_credential(credential, key=psa_key.key, verification_method=psa_key.method)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["encodedList"] = status_list.encode_list(set())

    assert c.verify_credential(signed, public_key=psa_key.key.public_key())
    assert not c.verify_credential(tampered, public_key=psa_key.key.public_key())


# What cannot be signed safely


def test_sign_credential_refuses_terms_the_contexts_do_not_define(psa_key):
    """The badge's status as it was before the status list: five of its
    properties would silently be left out of the signature."""
    old_status = {
        "id": f"{SITE}/verify/t0k3n.json#status",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "status": "active",
        "revoked": False,
        "suspended": False,
        "reason": "",
    }

    with pytest.raises(c.CredentialError, match="reason, revoked, status, suspended"):
        c.sign_credential(
            platform_badge(credentialStatus=old_status), key=psa_key.key, verification_method=psa_key.method
        )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": "certificate-1.json"}, "Relative IRI"),
        ({"type": ["VerifiableCredential", "CertificateCredential"]}, "not defined"),
        ({"name": "Gold\x08"}, "control characters"),
        ({"@context": ["https://www.w3.org/ns/credentials/v2", "https://example.org/ctx.json"]}, "offline"),
        ({"@context": ["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]}, "must start with"),
        ({"evidence": [{"type": ["Evidence"], "name": str(i)} for i in range(70)]}, "blank nodes"),
    ],
    ids=[
        "relative-id",
        "undefined-type",
        "control-character",
        "unknown-context",
        "no-vc-context",
        "blank-nodes",
    ],
)
def test_sign_credential_refuses_what_would_not_be_signed_faithfully(psa_key, changes, message):
    with pytest.raises(c.CredentialError, match=message):
        c.sign_credential(platform_badge(**changes), key=psa_key.key, verification_method=psa_key.method)


def test_sign_credential_refuses_a_credential_with_a_proof(psa_key):
    signed = c.sign_credential(platform_badge(), key=psa_key.key, verification_method=psa_key.method)

    with pytest.raises(c.CredentialError, match="already"):
        c.sign_credential(signed, key=psa_key.key, verification_method=psa_key.method)


def test_verify_credential_refuses_an_oversized_document(psa_key):
    signed = c.sign_credential(platform_badge(), key=psa_key.key, verification_method=psa_key.method)
    signed["description"] = "x" * c.MAX_DOCUMENT_BYTES

    assert not c.verify_credential(signed, public_key=psa_key.key.public_key())
