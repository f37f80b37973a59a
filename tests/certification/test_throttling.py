"""Public verification is limited per client address (certification/throttles.py):
lookups by number at 20 a minute, the QR code's page only at abuse level; behind
the proxy, the address is the client's, for these limits and for allauth's."""

import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
from django.conf import settings as django_settings
from django.urls import reverse

from certification import throttles
from tests import factories as f
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def one_minute(monkeypatch):
    """Every request of a test in the same minute of the limit's clock: a run
    that crossed a minute boundary would (rightly) weigh the earlier minute's
    requests by their overlap and let one more through."""
    start = (time.time() // 60) * 60 + 1
    monkeypatch.setattr(throttles, "time", SimpleNamespace(time=lambda: start))


def _look_up(client, number="NOPE-0000", **headers):
    return client.get(reverse("certification:verify"), {"number": number}, headers=headers)


def test_verify_number_lookups_are_limited_per_address(client, db):
    certificate = f.CertificateFactory()

    allowed = [_look_up(client, certificate.number) for _ in range(20)]
    refused = _look_up(client, certificate.number)

    assert {r.status_code for r in allowed} == {302}
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert refused.templates[0].name == "429.html"
    body = refused.content.decode()
    assert "Please wait a minute and try again." in body
    assert '<a class="brand" href="/">' in body  # in the site's layout


def test_verify_page_without_a_lookup_is_not_counted(client, db):
    for _ in range(20):
        _look_up(client)

    form = client.get(reverse("certification:verify"))

    assert form.status_code == 200


def test_verify_upload_counts_as_a_lookup(client, db, settings):
    settings.VERIFY_LOOKUPS_PER_MINUTE = 1
    _look_up(client)

    response = client.post(reverse("certification:verify"), {})

    assert response.status_code == 429


def test_qr_page_and_badge_survive_normal_use_after_lookups_are_refused(client, db):
    certificate = f.CertificateFactory()
    for _ in range(21):
        _look_up(client)

    pages = [
        client.get(reverse("certification:verify_detail", args=[certificate.verification_token]))
        for _ in range(30)
    ]
    badge = client.get(reverse("certification:verify_json", args=[certificate.verification_token]))

    assert {r.status_code for r in pages} == {200}
    assert badge.status_code == 200


def test_qr_page_is_limited_at_abuse_level(client, db, settings):
    settings.VERIFY_PAGES_PER_MINUTE = 5
    certificate = f.CertificateFactory()
    detail = reverse("certification:verify_detail", args=[certificate.verification_token])

    allowed = [client.get(detail) for _ in range(5)]
    refused = client.get(reverse("certification:verify_json", args=[certificate.verification_token]))

    assert {r.status_code for r in allowed} == {200}
    assert refused.status_code == 429


# --- behind the proxy ----------------------------------------------------------


@pytest.fixture
def behind_one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def test_verify_lookups_behind_the_proxy_are_limited_per_client(behind_one_proxy, client, db):
    # Both come from the proxy (REMOTE_ADDR 127.0.0.1); the proxy appended their addresses.
    for _ in range(20):
        _look_up(client, x_forwarded_for="198.51.100.7")

    first = _look_up(client, x_forwarded_for="198.51.100.7")
    second = _look_up(client, x_forwarded_for="198.51.100.8")
    # A client cannot escape by writing its own header: the proxy appends the real one.
    spoofed = _look_up(client, x_forwarded_for="10.9.9.9, 198.51.100.7")

    assert (first.status_code, second.status_code, spoofed.status_code) == (429, 200, 429)


def test_verify_lookups_from_one_ipv6_prefix_share_a_limit(client, db):
    for n in range(20):
        client.get(reverse("certification:verify"), {"number": "X"}, REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}")

    same_prefix = client.get(reverse("certification:verify"), {"number": "X"}, REMOTE_ADDR="2001:db8:1:2::ff")
    other_prefix = client.get(reverse("certification:verify"), {"number": "X"}, REMOTE_ADDR="2001:db8:1:3::1")

    assert (same_prefix.status_code, other_prefix.status_code) == (429, 200)


def test_login_limits_behind_the_proxy_are_per_client(behind_one_proxy, client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "2/m/ip"}
    user = f.UserFactory()

    def log_in(address):
        client.logout()
        return client.post(
            reverse("account_login"),
            {"login": user.email, "password": PASSWORD},
            headers={"x-forwarded-for": address},
        )

    first_client = [log_in("203.0.113.10") for _ in range(3)]
    second_client = log_in("203.0.113.11")

    assert [r.status_code for r in first_client] == [302, 302, 429]
    assert second_client.status_code == 302


def test_trusted_proxy_settings_come_from_the_environment():
    env = {
        **os.environ,
        "TRUSTED_PROXY_COUNT": "2",
        "TRUSTED_CLIENT_IP_HEADER": "X-Real-IP",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    code = (
        "from django.conf import settings as s; "
        "print(s.ALLAUTH_TRUSTED_PROXY_COUNT, s.ALLAUTH_TRUSTED_CLIENT_IP_HEADER)"
    )

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(django_settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert result.stdout.split() == ["2", "X-Real-IP"]


def test_lookup_counts_live_in_redis_for_every_process(private_redis, client, db, settings):
    settings.CACHES = {
        "default": {"BACKEND": "config.cache.FallbackRedisCache", "LOCATION": private_redis.url}
    }

    for _ in range(3):
        _look_up(client)

    keys = redis.Redis.from_url(private_redis.url).keys("*throttle:verify-lookup:127.0.0.1:*")
    assert len(keys) == 1
    assert redis.Redis.from_url(private_redis.url).get(keys[0]) == b"3"


def test_lookups_limited_in_redis_refuse_at_the_limit_without_counting_the_refused(
    private_redis, client, db, settings
):
    settings.CACHES = {
        "default": {"BACKEND": "config.cache.FallbackRedisCache", "LOCATION": private_redis.url}
    }
    settings.VERIFY_LOOKUPS_PER_MINUTE = 3

    statuses = [_look_up(client).status_code for _ in range(5)]

    keys = redis.Redis.from_url(private_redis.url).keys("*throttle:verify-lookup:127.0.0.1:*")
    assert statuses == [200, 200, 200, 429, 429]
    assert [redis.Redis.from_url(private_redis.url).get(key) for key in keys] == [b"3"]
    assert 0 < redis.Redis.from_url(private_redis.url).ttl(keys[0]) <= 120
