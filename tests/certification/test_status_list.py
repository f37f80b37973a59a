"""The W3C Bitstring Status List v1.0, checked against the Recommendation's
own example and by round trips; no database."""

import base64
import datetime
import gzip
import random

import pytest

from certification import status_list as sl

# Example 3 of the Recommendation (§2.2): a revocation list with no bit set.
SPEC_EXAMPLE_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
LIST_URL = "https://cert.example.org/status/psa/suspension"


def gzip_base64url(raw: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(gzip.compress(raw)).rstrip(b"=").decode()


def test_decode_list_spec_example_is_131072_unset_bits():
    bits = sl.decode_list(SPEC_EXAMPLE_LIST)

    assert (len(bits), len(bits) * 8, sl.set_indexes(bits)) == (16384, 131_072, set())


def test_encode_list_empty_list_is_the_spec_example_byte_for_byte():
    assert sl.encode_list([]) == SPEC_EXAMPLE_LIST


def test_encode_list_round_trips_a_set_of_indexes():
    indexes = {0, 7, 8, 42, 94567, 131_071}

    bits = sl.decode_list(sl.encode_list(indexes))

    assert sl.set_indexes(bits) == indexes
    assert [sl.bit(bits, i) for i in (0, 1, 6, 7, 8, 9, 42, 43, 94567, 131_070, 131_071)] == [
        True,
        False,
        False,
        True,
        True,
        False,
        True,
        False,
        True,
        False,
        True,
    ]


def test_bitstring_index_zero_is_the_left_most_bit_of_the_first_byte():
    bits = sl.bitstring({0, 7, 8, 131_071})

    assert (bits[0], bits[1], bits[2], bits[-1]) == (0b1000_0001, 0b1000_0000, 0, 0b0000_0001)


def test_encode_list_is_base64url_without_padding_and_deterministic():
    encoded = sl.encode_list(range(0, 131_072, 97))

    assert encoded.startswith("u")
    assert not set(encoded) & set("+/=")
    assert encoded == sl.encode_list(reversed(range(0, 131_072, 97)))


def test_encode_list_larger_list_keeps_its_length():
    bits = sl.decode_list(sl.encode_list({200_000}, length=262_144))

    assert (len(bits) * 8, sl.set_indexes(bits)) == (262_144, {200_000})


def test_encode_list_refuses_lists_below_the_minimum_or_indexes_outside():
    with pytest.raises(sl.StatusListLengthError):
        sl.encode_list([1], length=131_064)
    with pytest.raises(sl.StatusListLengthError):
        sl.encode_list([1], length=131_073)  # not a whole number of bytes
    with pytest.raises(sl.StatusListRangeError):
        sl.encode_list([131_072])
    with pytest.raises(sl.StatusListRangeError):
        sl.encode_list([-1])


def test_decode_list_refuses_short_lists_with_the_spec_error():
    short = gzip_base64url(bytes(8192))

    with pytest.raises(sl.StatusListLengthError) as error:
        sl.decode_list(short)

    assert error.value.code == "STATUS_LIST_LENGTH_ERROR"


@pytest.mark.parametrize(
    "encoded",
    [
        SPEC_EXAMPLE_LIST[1:],  # no multibase prefix
        "z" + SPEC_EXAMPLE_LIST[1:],  # base58btc prefix
        SPEC_EXAMPLE_LIST + "==",  # padded
        "u" + base64.urlsafe_b64encode(bytes(16384)).rstrip(b"=").decode(),  # not gzip
        "u!!!!",
        None,
    ],
)
def test_decode_list_refuses_malformed_values(encoded):
    with pytest.raises(sl.StatusListError) as error:
        sl.decode_list(encoded)

    assert error.value.code == "MALFORMED_VALUE_ERROR"


def test_decode_list_refuses_a_decompression_bomb():
    bomb = gzip_base64url(bytes(sl.MAX_DECODED_BYTES + 8))

    assert len(bomb) < 40_000
    with pytest.raises(sl.StatusListLengthError):
        sl.decode_list(bomb)


def test_choose_index_is_free_random_and_repeatable_with_a_seed():
    taken = {5, 17, 99}

    first = sl.choose_index(taken, rng=random.Random(2026))
    again = sl.choose_index(taken, rng=random.Random(2026))
    others = {sl.choose_index(taken, rng=random.Random(seed)) for seed in range(50)}

    assert first == again
    assert first not in taken
    assert 0 <= first < 131_072
    assert len(others) == 50  # spread over the list, not handed out in order


def test_choose_index_finds_the_last_free_indexes_of_a_nearly_full_list():
    taken = set(range(131_072)) - {4242, 77_777}

    chosen = {sl.choose_index(taken, rng=random.Random(seed)) for seed in range(20)}

    assert chosen == {4242, 77_777}


def test_choose_index_full_list_says_so():
    with pytest.raises(sl.StatusListFull):
        sl.choose_index(range(131_072), rng=random.Random(1))


def test_status_list_entry_follows_the_data_model():
    entry = sl.status_list_entry(list_url=LIST_URL, index=94567, purpose="suspension")

    assert entry == {
        "id": f"{LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "suspension",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }


def test_status_list_entry_refuses_an_unknown_purpose_or_index():
    with pytest.raises(sl.StatusListError):
        sl.status_list_entry(list_url=LIST_URL, index=1, purpose="refresh")
    with pytest.raises(sl.StatusListRangeError):
        sl.status_list_entry(list_url=LIST_URL, index=131_072, purpose="revocation")


def test_status_list_credential_follows_the_data_model():
    valid_from = datetime.datetime(
        2026, 3, 1, 9, 30, 15, 123456, tzinfo=datetime.timezone(datetime.timedelta(hours=5))
    )

    credential = sl.status_list_credential(
        url=LIST_URL,
        issuer="https://cert.example.org/issuers/psa",
        purpose="suspension",
        encoded_list=SPEC_EXAMPLE_LIST,
        valid_from=valid_from,
        ttl_ms=300_000,
    )

    assert credential == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "https://cert.example.org/issuers/psa",
        "validFrom": "2026-03-01T04:30:15Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "suspension",
            "encodedList": SPEC_EXAMPLE_LIST,
            "ttl": 300_000,
        },
    }


def test_status_list_credential_refuses_a_list_a_verifier_would_reject():
    with pytest.raises(sl.StatusListLengthError):
        sl.status_list_credential(
            url=LIST_URL,
            issuer="https://cert.example.org/issuers/psa",
            purpose="revocation",
            encoded_list=gzip_base64url(bytes(100)),
            valid_from=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
        )


def test_check_status_reads_each_certificates_bit():
    suspended, active = 94567, 23452
    credential = sl.status_list_credential(
        url=LIST_URL,
        issuer="https://cert.example.org/issuers/psa",
        purpose="suspension",
        encoded_list=sl.encode_list({suspended}),
        valid_from=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
    )

    assert [
        sl.check_status(sl.status_list_entry(list_url=LIST_URL, index=i, purpose="suspension"), credential)
        for i in (suspended, active)
    ] == [True, False]


def test_check_status_refuses_an_entry_of_another_purpose_or_list():
    credential = sl.status_list_credential(
        url=LIST_URL,
        issuer="https://cert.example.org/issuers/psa",
        purpose="suspension",
        encoded_list=SPEC_EXAMPLE_LIST,
        valid_from=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
    )
    revocation = sl.status_list_entry(list_url=LIST_URL, index=1, purpose="revocation")
    elsewhere = sl.status_list_entry(list_url=LIST_URL + "-2", index=1, purpose="suspension")
    bad_index = {
        **sl.status_list_entry(list_url=LIST_URL, index=1, purpose="suspension"),
        "statusListIndex": 1,
    }

    for entry in (revocation, elsewhere, bad_index):
        with pytest.raises(sl.StatusListError):
            sl.check_status(entry, credential)
