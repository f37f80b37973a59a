"""W3C Bitstring Status List v1.0 (Recommendation, 15 May 2025): pure
functions to publish each association's revocation and suspension lists.
https://www.w3.org/TR/vc-bitstring-status-list/

Section numbers below are that document's. A list holds one bit per
credential (statusSize 1, which a conforming processor may limit itself to,
§1.3): 1 means the status (revoked, suspended) is true, 0 false (§1.1). The
feature code keeps each certificate's index and builds the list from the
indexes whose status is set; everything here is deterministic, so an
unchanged list encodes to the same bytes (a stable ETag for caching).
"""

import base64
import datetime
import random
import secrets
import zlib
from collections.abc import Collection, Iterable

# §2.2 encodedList: "The uncompressed bitstring MUST be at least 16KB in
# size"; §3.2: minimumNumberOfEntries is 131,072.
MIN_ENTRIES = 131_072
# A list we decode may be larger (for more group privacy, §1.1), but not
# unbounded: a few kilobytes of gzip could otherwise inflate to gigabytes.
MAX_DECODED_BYTES = 16 * 1024 * 1024

PURPOSES = ("revocation", "suspension")  # §2.1 statusPurpose, the two we publish

MULTIBASE_BASE64URL = "u"  # the multibase prefix of base64url without padding


class StatusListError(ValueError):
    """A malformed or unusable status list; `code` is the §3.5 error name."""

    code = "MALFORMED_VALUE_ERROR"


class StatusListLengthError(StatusListError):
    code = "STATUS_LIST_LENGTH_ERROR"


class StatusListRangeError(StatusListError):
    code = "RANGE_ERROR"


class StatusListFull(StatusListError):
    """Every index of the list is taken: the feature code starts a new list."""

    code = "STATUS_LIST_FULL"


def _check_length(length: int) -> None:
    if length < MIN_ENTRIES or length % 8:
        raise StatusListLengthError(
            f"A status list has at least {MIN_ENTRIES} entries and a whole number of bytes, not {length}."
        )


def bitstring(indexes: Iterable[int], *, length: int = MIN_ENTRIES) -> bytes:
    """The uncompressed bitstring with the bit of every index set. §2.2 and
    §7.1: index 0 is the left-most bit of the bitstring, i.e. the most
    significant bit of the first byte; the last index (length - 1) is the
    right-most bit."""
    _check_length(length)
    bits = bytearray(length // 8)
    for index in indexes:
        if not 0 <= index < length:
            raise StatusListRangeError(f"Index {index} is outside a list of {length} entries.")
        bits[index // 8] |= 0x80 >> (index % 8)
    return bytes(bits)


def encode_bitstring(bits: bytes) -> str:
    """§3.3 Bitstring Generation: GZIP (RFC 1952) the bitstring, then
    Multibase-encode it as base64url without padding (RFC 4648), i.e. the
    prefix "u". zlib's own gzip wrapper at its default level leaves the
    header's timestamp at 0, so the same list always encodes to the same
    text; for the empty list it is byte for byte the Recommendation's
    Example 3."""
    _check_length(len(bits) * 8)
    deflater = zlib.compressobj(6, zlib.DEFLATED, 31)  # wbits=31: a gzip stream
    compressed = deflater.compress(bits) + deflater.flush()
    return MULTIBASE_BASE64URL + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def encode_list(indexes: Iterable[int], *, length: int = MIN_ENTRIES) -> str:
    """The `encodedList` for a list whose given indexes are set."""
    return encode_bitstring(bitstring(indexes, length=length))


def decode_list(encoded_list: str) -> bytes:
    """§3.4 Bitstring Expansion: Multibase-decode (base64url, "u"), then
    GZIP-decompress. Raises StatusListError (MALFORMED_VALUE_ERROR) for
    anything else, StatusListLengthError below the §3.2 minimum."""
    if not isinstance(encoded_list, str) or not encoded_list.startswith(MULTIBASE_BASE64URL):
        raise StatusListError("encodedList must be Multibase base64url (starting with 'u').")
    body = encoded_list[1:]
    if "=" in body:
        raise StatusListError("encodedList must be base64url without padding.")
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        # wbits=31: a gzip (RFC 1952) stream, header and trailer checked.
        inflater = zlib.decompressobj(wbits=31)
        bits = inflater.decompress(compressed, MAX_DECODED_BYTES + 1)
    except (ValueError, zlib.error) as error:
        raise StatusListError(f"encodedList is not gzip in base64url: {error}") from error
    if len(bits) > MAX_DECODED_BYTES:
        raise StatusListLengthError(f"The status list is larger than {MAX_DECODED_BYTES} bytes.")
    if not inflater.eof or inflater.unused_data:
        raise StatusListError("encodedList is not a single complete gzip stream.")
    _check_length(len(bits) * 8)
    return bits


def bit(bits: bytes, index: int) -> bool:
    """The status at an index (§3.2: the value at credentialIndex x statusSize)."""
    if not 0 <= index < len(bits) * 8:
        raise StatusListRangeError(f"Index {index} is outside a list of {len(bits) * 8} entries.")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def set_indexes(bits: bytes) -> set[int]:
    """Every index whose bit is set."""
    return {
        byte_index * 8 + offset
        for byte_index, byte in enumerate(bits)
        if byte
        for offset in range(8)
        if byte & (0x80 >> offset)
    }


def choose_index(
    taken: Collection[int], *, rng: random.Random | None = None, length: int = MIN_ENTRIES
) -> int:
    """A free index, chosen at random (§2.1 statusListIndex: "Implementations
    SHOULD assign indexes randomly" so neither the order of issue nor the size
    of the group shows). The same `taken` and a seeded `rng` give the same
    index; without one, the system's random source. The caller persists it
    once, under a unique constraint, so it never changes (§6.5)."""
    _check_length(length)
    rng = rng or secrets.SystemRandom()
    taken = set(taken)
    if len(taken) >= length:
        raise StatusListFull(f"All {length} indexes of the list are taken.")
    # Random draws find a free index quickly while the list is mostly empty;
    # past half full, pick from the free ones directly.
    if len(taken) <= length // 2:
        while True:
            index = rng.randrange(length)
            if index not in taken:
                return index
    free = [index for index in range(length) if index not in taken]
    return free[rng.randrange(len(free))]


def xsd_datetime(moment: datetime.datetime) -> str:
    """A dateTimeStamp in UTC to the second, e.g. 2025-04-05T14:27:40Z (the
    form of validFrom in the Recommendation's examples)."""
    if moment.tzinfo is None:
        raise ValueError("A credential's dates need a time zone.")
    return moment.astimezone(datetime.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise StatusListError(f"statusPurpose must be one of {', '.join(PURPOSES)}, not {purpose!r}.")


def status_list_credential(
    *,
    url: str,
    issuer: str | dict,
    purpose: str,
    encoded_list: str,
    valid_from: datetime.datetime,
    valid_until: datetime.datetime | None = None,
    ttl_ms: int | None = None,
) -> dict:
    """The unsigned BitstringStatusListCredential (§2.2, Example 3) published
    at `url`, the URL every entry's statusListCredential names. Sign it the
    same way as the credentials that point at it (§3.6), then publish it
    (§3.1). `ttl_ms` (§2.2 credentialSubject.ttl) should match the HTTP
    Cache-Control max-age the feature code serves it with."""
    _check_purpose(purpose)
    decode_list(encoded_list)  # refuse to publish a list a verifier would reject
    subject = {
        "id": f"{url}#list",
        "type": "BitstringStatusList",
        "statusPurpose": purpose,
        "encodedList": encoded_list,
    }
    if ttl_ms is not None:
        subject["ttl"] = ttl_ms
    credential = {
        # The VC 2.0 context defines every term of the status list (§5.2 Note).
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": xsd_datetime(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = xsd_datetime(valid_until)
    credential["credentialSubject"] = subject
    return credential


def status_list_entry(*, list_url: str, index: int, purpose: str, length: int = MIN_ENTRIES) -> dict:
    """One credential's BitstringStatusListEntry (§2.1, Example 1): its
    `credentialStatus`. statusListIndex is a base-10 string; the entry's id
    is the list URL with the index as fragment, never the list's own URL."""
    _check_purpose(purpose)
    if not 0 <= index < length:
        raise StatusListRangeError(f"Index {index} is outside a list of {length} entries.")
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def check_status(entry: dict, list_credential: dict) -> bool:
    """§3.2 Validate, after the caller has dereferenced the list and checked
    its proof: True when the entry's bit is set (revoked, or suspended).
    Raises StatusListError when the two do not belong together."""
    subject = list_credential.get("credentialSubject") or {}
    purposes = subject.get("statusPurpose")
    purposes = [purposes] if isinstance(purposes, str) else list(purposes or [])
    if "BitstringStatusListCredential" not in (list_credential.get("type") or []):
        raise StatusListError("The status list credential is not a BitstringStatusListCredential.")
    if entry.get("type") != "BitstringStatusListEntry" or entry.get("statusPurpose") not in purposes:
        raise StatusListError("The entry's statusPurpose is not the list's (STATUS_VERIFICATION_ERROR).")
    if list_credential.get("id") and list_credential["id"] != entry.get("statusListCredential"):
        raise StatusListError("The entry points at another status list.")
    if entry.get("statusSize", 1) != 1:
        raise StatusListError("Only one-bit statuses (statusSize 1) are supported.")
    index_text = entry.get("statusListIndex")
    if not isinstance(index_text, str) or not index_text.isdecimal() or not index_text.isascii():
        raise StatusListError("statusListIndex must be a base-10 integer in a string.")
    return bit(decode_list(subject.get("encodedList")), int(index_text))
