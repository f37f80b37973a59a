"""The public certificate page and Open Badges JSON rendered once per ETag
(certification/public_render.py), and the address's limit, the cached status
and the view count read in one Redis round trip."""

import re

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.urls import reverse

from certification import certificates as service
from certification import public_cache
from certification.models import Certificate
from tests import factories as f

needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (set REDIS_URL)")


@pytest.fixture
def certificate(two_associations):
    app = f.ApprovedApplicationFactory(association=two_associations.a, business=two_associations.business_a)
    return f.CertificateFactory(application=app)


@pytest.fixture
def redis_cache(settings):
    """The cache as in production: the Redis in REDIS_URL, this test's limits forgotten."""
    settings.CACHES = {
        "default": {"BACKEND": "config.cache.FallbackRedisCache", "LOCATION": settings.REDIS_URL}
    }
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match="*throttle:verify-page:127.0.0.1:*"):
        client.delete(key)
    public_cache.flush_verification_counts()  # what earlier tests left
    return client


def _page(certificate, query=""):
    return reverse("certification:verify_detail", args=[certificate.verification_token]) + query


def _json(certificate):
    return reverse("certification:verify_json", args=[certificate.verification_token])


def _switcher_next(body: str) -> str:
    """The path the language switcher returns to."""
    return re.search(r'<input name="next" type="hidden" value="([^"]*)"', body).group(1)


def _verdict(body: str) -> str:
    return re.search(r'data-testid="certificate-status"[^>]*>\s*(\w+)', body).group(1)


def test_each_visitor_gets_a_working_language_switcher_of_their_own(certificate):
    Client().get(_page(certificate))  # rendered for everyone now
    visitor = Client(enforce_csrf_checks=True)

    body = visitor.get(_page(certificate, "?from=qr&x=<b>")).content.decode()
    switched = visitor.post(reverse("set_language"), {"language": "ur", "next": _page(certificate)})

    assert _switcher_next(body) == _page(certificate, "?from=qr&amp;x=%3Cb%3E")
    assert "csrfmiddlewaretoken" not in body
    assert switched.status_code == 302
    assert 'lang="ur" dir="rtl"' in visitor.get(_page(certificate)).content.decode()


def test_second_anonymous_view_renders_no_template(client, certificate):
    client.get(_page(certificate))

    second = Client().get(_page(certificate))

    assert _verdict(second.content.decode()) == "Valid"
    assert second.templates == []


def test_page_in_another_language_after_one_was_rendered(client, certificate):
    client.get(_page(certificate), headers={"accept-language": "en"})

    urdu = client.get(_page(certificate), headers={"accept-language": "ur"}).content.decode()

    assert 'lang="ur" dir="rtl"' in urdu


def test_signed_in_user_sees_their_own_navigation(client, certificate, two_associations):
    Client().get(_page(certificate))
    client.force_login(two_associations.business_user_a)

    body = client.get(_page(certificate)).content.decode()

    assert two_associations.business_user_a.email in body
    assert "Log out" in body


def test_json_is_the_same_badge_when_served_again(client, certificate):
    first = client.get(_json(certificate))

    again = client.get(_json(certificate))

    assert again.content == first.content
    assert again["Content-Type"] == "application/ld+json; charset=utf-8"
    assert [entry["statusPurpose"] for entry in again.json()["credentialStatus"]] == [
        "revocation",
        "suspension",
    ]


@needs_redis
def test_page_views_over_the_limit_are_refused_and_not_counted(client, certificate, redis_cache, settings):
    settings.VERIFY_PAGES_PER_MINUTE = 3

    statuses = [client.get(url(certificate)).status_code for url in (_page, _json, _page, _page, _json)]

    public_cache.flush_verification_counts()
    certificate.refresh_from_db()
    assert statuses == [200, 200, 200, 429, 429]
    assert certificate.verification_count == 3
    keys = redis_cache.keys("*throttle:verify-page:127.0.0.1:*")
    assert [redis_cache.get(key) for key in keys] == [b"3"]


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_status_change_shows_at_once_through_the_one_round_trip(
    client, certificate, two_associations, redis_cache
):
    assert _verdict(client.get(_page(certificate)).content.decode()) == "Valid"  # cached now

    service.suspend_certificate(certificate, actor=two_associations.staff_admin_a, reason="Complaint")

    assert _verdict(client.get(_page(certificate)).content.decode()) == "Suspended"


@needs_redis
def test_unknown_token_is_404_and_counted_against_the_limit(client, certificate, redis_cache, settings):
    settings.VERIFY_PAGES_PER_MINUTE = 2

    missing = client.get(reverse("certification:verify_detail", args=["no-such-token"]))
    statuses = [client.get(_page(certificate)).status_code for _ in range(2)]

    assert missing.status_code == 404
    assert statuses == [200, 429]
    assert Certificate.objects.get(pk=certificate.pk).verification_count == 0


def test_shared_page_carries_no_csp_nonce(client, certificate):
    # A nonce must be fresh per response: a page rendered once for everyone cannot hold one.
    client.get(_page(certificate))

    again = Client().get(_page(certificate))

    assert "'self'" in again["Content-Security-Policy"]
    assert "nonce-" not in again["Content-Security-Policy"]
    assert "nonce=" not in again.content.decode()
