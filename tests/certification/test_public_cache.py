"""The public certificate page and Open Badges JSON: conditional GETs, the
cached status forgotten on every status change, views counted in Redis and
added to the rows exactly once."""

import datetime
import pickle
import re

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification import certificates as service
from certification import public_cache, reminders
from certification.models import Certificate, CertificateQuerySet, VerificationCountBatch
from certification.tasks import flush_verification_counts_task
from tests import factories as f

needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (set REDIS_URL)")


def _page(certificate):
    return reverse("certification:verify_detail", args=[certificate.verification_token])


def _json(certificate):
    return reverse("certification:verify_json", args=[certificate.verification_token])


def _shown(client, certificate) -> str:
    """The status the page shows (the badge JSON carries no status of its
    own: its credentialStatus points at the association's status lists)."""
    page = client.get(_page(certificate)).content.decode()
    assert client.get(_json(certificate)).status_code == 200
    return {shown: status for status, shown in SHOWN.items()}[_verdict(page)]


# What the page says for each status.
SHOWN = {"active": "Valid", "suspended": "Suspended", "revoked": "Revoked", "expired": "Expired"}


def _verdict(page: str) -> str:
    return re.search(r'data-testid="certificate-status"[^>]*>\s*(\w+)', page).group(1)


@pytest.fixture
def certificate(two_associations):
    app = f.ApprovedApplicationFactory(association=two_associations.a, business=two_associations.business_a)
    return f.CertificateFactory(application=app)


@pytest.mark.parametrize("url", [_page, _json])
def test_unchanged_certificate_answers_not_modified(client, certificate, url):
    first = client.get(url(certificate))

    again = client.get(url(certificate), headers={"if-none-match": first["ETag"]})

    assert first.status_code == 200
    assert "no-cache" in first["Cache-Control"]
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("url", [_page, _json])
def test_revoked_certificate_answers_in_full_to_an_old_etag(client, certificate, two_associations, url):
    first = client.get(url(certificate))
    service.revoke_certificate(certificate, actor=two_associations.staff_admin_a, reason="False evidence")

    again = client.get(url(certificate), headers={"if-none-match": first["ETag"]})

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    if url is _page:  # the badge's revocation is its bit in the status list (test_status_lists.py)
        assert "False evidence" in again.content.decode()


def test_etag_differs_by_language(client, certificate):
    english = client.get(_page(certificate), headers={"accept-language": "en"})

    urdu = client.get(_page(certificate), headers={"accept-language": "ur", "if-none-match": english["ETag"]})

    assert urdu.status_code == 200


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("steps", "shown"),
    [
        (["suspend"], "suspended"),
        (["revoke"], "revoked"),
        (["suspend", "reinstate"], "active"),
        (["suspend", "revoke"], "revoked"),
    ],
)
def test_status_change_shows_at_once(client, certificate, two_associations, steps, shown):
    assert _shown(client, certificate) == "active"  # cached now

    for step in steps:
        getattr(service, f"{step}_certificate")(certificate, actor=two_associations.staff_admin_a, reason="r")
        after = _shown(client, certificate)

    assert after == shown


@pytest.mark.django_db(transaction=True)
def test_expiry_by_the_daily_job_shows_at_once(client, certificate, two_associations):
    service.suspend_certificate(certificate, actor=two_associations.staff_admin_a, reason="Complaint")
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_from=datetime.date(2020, 1, 1), valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    public_cache.forget_public_pages([certificate.verification_token])  # only the test moved the date
    assert _shown(client, certificate) == "suspended"  # cached now

    reminders.expire_certificates()

    assert _shown(client, certificate) == "expired"


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_a_reader_that_loaded_the_row_before_a_revoke_cannot_cache_it_as_valid(
    client, certificate, two_associations
):
    stale = public_cache.view_certificate(certificate.verification_token)
    version_before = 0
    service.revoke_certificate(certificate, actor=two_associations.staff_admin_a, reason="False evidence")
    # The slow reader stores what it read, under the version it saw before the revoke.
    fields = {name: getattr(stale, name) for name in ("pk", *CertificateQuerySet.PRINTED_FIELDS)}
    public_cache._redis().set(
        public_cache._data_key(certificate.verification_token), pickle.dumps((version_before, fields))
    )

    assert _shown(client, certificate) == "revoked"


@needs_redis
def test_a_cached_certificate_page_reads_nothing_from_the_database(client, certificate):
    client.get(_page(certificate))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(_page(certificate))

    assert response.status_code == 200
    assert len(queries) == 0


def test_views_are_counted_once_after_the_flush(client, certificate):
    public_cache.flush_verification_counts()  # what earlier tests left
    Certificate.objects.filter(pk=certificate.pk).update(verification_count=7)

    for _ in range(3):
        client.get(_page(certificate))
    client.get(_json(certificate))
    etag = client.get(_json(certificate))["ETag"]
    client.get(_json(certificate), headers={"if-none-match": etag})
    public_cache.flush_verification_counts()
    public_cache.flush_verification_counts()

    certificate.refresh_from_db()
    assert certificate.verification_count == 7 + 6


@needs_redis
def test_views_are_not_written_to_the_database_per_request(client, certificate):
    public_cache.flush_verification_counts()

    client.get(_page(certificate))
    client.get(_json(certificate))

    certificate.refresh_from_db()
    assert certificate.verification_count == 0
    assert public_cache.flush_verification_counts() == 2


@needs_redis
def test_a_batch_left_by_a_stopped_flush_is_added_once(certificate):
    public_cache.flush_verification_counts()
    client = public_cache._redis()
    # One run stopped after its commit, before deleting its batch; one before its commit.
    client.hset(public_cache.BATCH_PREFIX + "done", certificate.verification_token, 5)
    VerificationCountBatch.objects.create(batch="done")
    client.hset(public_cache.BATCH_PREFIX + "undone", certificate.verification_token, 2)

    added = public_cache.flush_verification_counts()
    again = public_cache.flush_verification_counts()

    certificate.refresh_from_db()
    assert (added, again, certificate.verification_count) == (2, 0, 2)


def test_without_redis_views_are_counted_at_once(client, certificate, settings):
    settings.REDIS_URL = ""

    client.get(_page(certificate))

    certificate.refresh_from_db()
    assert certificate.verification_count == 1


@needs_redis
def test_redis_unreachable_falls_back_to_the_database(client, certificate, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get(_page(certificate))

    certificate.refresh_from_db()
    assert response.status_code == 200
    assert certificate.verification_count == 1
    assert isinstance(public_cache._clients[settings.REDIS_URL], redis.Redis)


@needs_redis
def test_flush_task_twice_adds_the_views_once(client, certificate):
    public_cache.flush_verification_counts()
    client.get(_page(certificate))

    first = flush_verification_counts_task.delay().get()
    second = flush_verification_counts_task.delay().get()

    certificate.refresh_from_db()
    assert (first, second, certificate.verification_count) == (1, 0, 1)
    assert (
        settings.CELERY_BEAT_SCHEDULE["flush-verification-counts"]["task"]
        == flush_verification_counts_task.name
    )
