"""The associations' published status lists (W3C Bitstring Status List) and
the signed Open Badges credential pointing at them."""

import random

import pytest
from django.conf import settings
from django.urls import reverse

from certification import badges, credentials, status_list, status_lists
from certification.certificates import reinstate_certificate, revoke_certificate, suspend_certificate
from certification.issuance import issue_certificate
from certification.models import Certificate, StatusList
from tests import factories as f


def _list(client, slug: str, purpose: str) -> dict:
    response = client.get(reverse("certification:status_list", args=[slug, purpose]))
    assert response.status_code == 200
    return response.json()


def _bits(client, slug: str, purpose: str) -> bytes:
    return status_list.decode_list(_list(client, slug, purpose)["credentialSubject"]["encodedList"])


def test_issuance_gives_each_certificate_a_distinct_index_once(two_associations):
    first = issue_certificate(f.ApprovedApplicationFactory(association=two_associations.a))
    second = issue_certificate(f.ApprovedApplicationFactory(association=two_associations.a))

    again = status_lists.allocate_status_index(Certificate.objects.get(pk=first.pk))

    assert first.status_index is not None and second.status_index is not None
    assert first.status_index != second.status_index
    assert again == first.status_index


def test_allocation_draws_again_when_the_index_is_taken(two_associations):
    taken = f.CertificateFactory(application__association=two_associations.a, status_index=None)
    fresh = f.CertificateFactory(application__association=two_associations.a, status_index=None)
    first_draw = random.Random(7).randrange(status_list.MIN_ENTRIES)
    Certificate.objects.filter(pk=taken.pk).update(status_index=first_draw)

    index = status_lists.allocate_status_index(fresh, rng=random.Random(7))

    assert index != first_draw


def test_every_certificate_bit_matches_its_status(client, two_associations):
    a = two_associations.a
    wanted = ["active"] * 5 + ["suspended"] * 3 + ["revoked"] * 2 + ["expired"]
    certificates = [f.CertificateFactory(application__association=a, status=s) for s in wanted]
    other = f.CertificateFactory(application__association=two_associations.b, status="revoked")
    status_lists.regenerate_status_lists(a)

    revocation, suspension = _bits(client, a.slug, "revocation"), _bits(client, a.slug, "suspension")

    assert len(revocation) * 8 >= 131_072
    for certificate in certificates:
        assert status_list.bit(revocation, certificate.status_index) is (certificate.status == "revoked")
        assert status_list.bit(suspension, certificate.status_index) is (certificate.status == "suspended")
    assert status_list.set_indexes(revocation) == {
        c.status_index for c in certificates if c.status == "revoked"
    }
    assert other.status_index not in status_list.set_indexes(revocation) or other.status_index in {
        c.status_index for c in certificates if c.status == "revoked"
    }


def test_the_bit_flips_on_suspension_and_back(client, two_associations):
    w = two_associations
    certificate = f.CertificateFactory(application__association=w.a, application__business=w.business_a)
    status_lists.regenerate_status_lists(w.a)
    before = status_list.bit(_bits(client, w.a.slug, "suspension"), certificate.status_index)

    suspend_certificate(certificate, actor=w.staff_admin_a, reason="Complaint.")
    stale = StatusList.objects.filter(association=w.a, stale_since__isnull=False).count()
    status_lists.regenerate_status_lists(w.a)
    during = status_list.bit(_bits(client, w.a.slug, "suspension"), certificate.status_index)
    reinstate_certificate(certificate, actor=w.staff_admin_a, reason="Resolved.")
    status_lists.regenerate_status_lists(w.a)
    after = status_list.bit(_bits(client, w.a.slug, "suspension"), certificate.status_index)

    assert (before, stale, during, after) == (False, 2, True, False)
    assert not StatusList.objects.filter(stale_since__isnull=False).exists()


def test_status_list_is_cacheable_and_answers_304_until_it_changes(client, two_associations):
    w = two_associations
    certificate = f.CertificateFactory(application__association=w.a, application__business=w.business_a)
    url = reverse("certification:status_list", args=[w.a.slug, "revocation"])
    first = client.get(url)

    unchanged = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    revoke_certificate(certificate, actor=w.staff_admin_a, reason="Fraud.")
    status_lists.regenerate_status_lists(w.a)
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["Cache-Control"] == f"public, max-age={status_lists.LIST_MAX_AGE}"
    assert (unchanged.status_code, changed.status_code) == (304, 200)


def test_status_list_unknown_purpose_or_association_is_404(client, two_associations):
    assert client.get(reverse("certification:status_list", args=["psa", "other"])).status_code == 404
    assert client.get(reverse("certification:status_list", args=["nobody", "revocation"])).status_code == 404


def test_status_list_and_badge_verify_with_the_issuer_published_key(client, two_associations):
    w = two_associations
    certificate = f.CertificateFactory(application__association=w.a, application__business=w.business_a)
    badge = client.get(reverse("certification:verify_json", args=[certificate.verification_token])).json()
    listed = _list(client, w.a.slug, "suspension")

    issuer = client.get(reverse("certification:issuer", args=[w.a.slug])).json()
    key = credentials.public_key_from_multibase(issuer["verificationMethod"][0]["publicKeyMultibase"])

    assert badge["issuer"]["id"] == issuer["id"] == badges.issuer_id(w.a.slug)
    assert badge["proof"]["verificationMethod"] in issuer["assertionMethod"]
    assert credentials.verify_credential(badge, public_key=key)
    assert credentials.verify_credential(listed, public_key=key)
    tampered = {**badge, "name": badge["name"] + " (Gold)"}
    assert not credentials.verify_credential(tampered, public_key=key)
    assert issuer["id"].startswith(settings.SITE_URL)


@pytest.mark.parametrize("publish", [False, True])
def test_under_watch_shows_publicly_only_when_the_association_opts_in(client, two_associations, publish):
    w = two_associations
    w.a.publish_under_watch = publish
    w.a.save()
    certificate = f.CertificateFactory(
        application__association=w.a, application__business=w.business_a, watch_since="2026-04-16"
    )

    page = client.get(reverse("certification:verify_detail", args=[certificate.verification_token]))
    badge = client.get(reverse("certification:verify_json", args=[certificate.verification_token])).json()

    assert ("Under watch" in page.text) is publish
    assert ("Under watch" in badge["credentialSubject"]["achievement"]["description"]) is publish
