"""The live seal: the certificate's current status in the association's
language, a warning on sites the business did not register, conditional
GETs, and the business's own page to register its sites."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certification import certificates as service
from certification import public_render
from certification.seal import SealDomainError, add_seal_domain, site_check
from members.models import SealDomain
from tests import factories as f


@pytest.fixture(autouse=True)
def _fresh_memo():
    public_render.forget_all()


@pytest.fixture
def certificate(two_associations):
    app = f.ApprovedApplicationFactory(association=two_associations.a, business=two_associations.business_a)
    return f.CertificateFactory(application=app)


def _seal(client, certificate, **headers):
    return client.get(reverse("certification:seal", args=[certificate.verification_token]), headers=headers)


def test_seal_shows_association_level_and_valid_status(client, certificate):
    response = _seal(client, certificate)

    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert certificate.association_name in body
    assert certificate.level_name in body
    assert 'data-status="active">Valid<' in body
    assert "Not verified for this site" not in body


def test_seal_changes_to_suspended_when_staff_suspend(
    client, certificate, two_associations, django_capture_on_commit_callbacks
):
    _seal(client, certificate)

    with django_capture_on_commit_callbacks(execute=True):
        service.suspend_certificate(certificate, actor=two_associations.staff_admin_a, reason="Ignored")

    assert 'data-status="suspended">Suspended<' in _seal(client, certificate).content.decode()


def test_seal_text_is_in_the_associations_language(client, certificate):
    certificate.association.default_language = "ur"
    certificate.association.save()

    body = _seal(client, certificate).content.decode()

    assert 'direction="rtl"' in body
    assert 'data-status="active">Valid<' not in body


def test_seal_on_an_unregistered_site_says_not_verified(client, certificate, two_associations):
    add_seal_domain(
        two_associations.business_a, domain="alpha.example", actor=two_associations.business_user_a
    )

    own = _seal(client, certificate, referer="https://www.alpha.example/about").content.decode()
    copied = _seal(client, certificate, referer="https://copycat.example/").content.decode()
    no_referer = _seal(client, certificate).content.decode()

    assert "Not verified for this site" not in own
    assert "Not verified for this site" in copied
    assert "Not verified for this site" not in no_referer
    assert 'data-status="active"' in copied


def test_registering_a_domain_updates_a_seal_already_seen(
    client, certificate, two_associations, django_capture_on_commit_callbacks
):
    assert "Not verified" in _seal(client, certificate, referer="https://alpha.example/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        add_seal_domain(
            two_associations.business_a, domain="alpha.example", actor=two_associations.business_user_a
        )

    assert "Not verified" not in _seal(client, certificate, referer="https://alpha.example/").content.decode()


def test_unchanged_seal_answers_not_modified(client, certificate):
    first = _seal(client, certificate)

    again = _seal(client, certificate, if_none_match=first["ETag"])

    assert again.status_code == 304
    assert "max-age=" in first["Cache-Control"]
    assert first["Vary"] == "Referer" or "Referer" in first["Vary"]


def test_unknown_seal_is_not_found(client, db):
    response = client.get(reverse("certification:seal", args=["nope"]))

    assert response.status_code == 404


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (set REDIS_URL)")
def test_repeated_seal_views_read_no_row(client, certificate):
    _seal(client, certificate)

    with CaptureQueriesContext(connection) as queries:
        _seal(client, certificate, referer="https://elsewhere.example/")

    assert len(queries) == 0


@pytest.mark.parametrize(
    ("referer", "expected"),
    [
        (None, "unknown"),
        ("", "unknown"),
        ("https://alpha.example/x", "verified"),
        ("https://shop.alpha.example/", "verified"),
        ("https://alpha.example.evil.test/", "foreign"),
        ("https://notalpha.example/", "foreign"),
        ("http://[bad", "unknown"),
    ],
)
def test_site_check(referer, expected):
    assert site_check(referer, ["alpha.example"]) == expected


def test_domains_are_normalised_and_not_duplicated(two_associations):
    business, owner = two_associations.business_a, two_associations.business_user_a

    add_seal_domain(business, domain="https://WWW.Alpha.example/shop", actor=owner)

    assert list(SealDomain.objects.values_list("domain", flat=True)) == ["alpha.example"]
    with pytest.raises(SealDomainError):
        add_seal_domain(business, domain="alpha.example", actor=owner)
    with pytest.raises(SealDomainError):
        add_seal_domain(business, domain="localhost", actor=owner)


def test_business_registers_a_domain_and_sees_its_snippet(client, certificate, two_associations):
    client.force_login(two_associations.business_user_a)
    url = reverse("portal:seal_domains", args=[two_associations.business_a.pk])

    response = client.post(url, {"domain": "alpha.example"}, follow=True)

    page = response.content.decode()
    assert "alpha.example" in page
    assert reverse("certification:seal", args=[certificate.verification_token]) in page
    assert reverse("certification:verify_detail", args=[certificate.verification_token]) in page


def test_seal_page_query_count_does_not_grow(client, two_associations, django_assert_max_num_queries):
    business, owner = two_associations.business_a, two_associations.business_user_a
    client.force_login(owner)
    url = reverse("portal:seal_domains", args=[business.pk])
    f.CertificateFactory(
        application=f.ApprovedApplicationFactory(association=two_associations.a, business=business)
    )
    add_seal_domain(business, domain="one.example", actor=owner)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(4):
        f.CertificateFactory(
            application=f.ApprovedApplicationFactory(association=two_associations.a, business=business)
        )
        add_seal_domain(business, domain=f"more{n}.example", actor=owner)

    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(one)
