"""The outbox sends each recorded email once, and a mail server that is
down only delays it; large CSV imports are claimed by their task, beat a
heart while they run, and are taken over or swept when their worker dies."""

import datetime

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from certification.tasks import sweep
from config.celery import REQUEUE_AFTER
from members.emails import queue_email
from members.metrics import import_jobs
from members.metrics.csv_import import start_metric_import
from members.models import ImportStatus, MetricImportJob, MetricValue, OutboundEmail
from members.outbox import SEND_LEASE, claim_unsent_emails
from members.tasks import send_emails
from tests import factories as f
from tests.faults import mail_server_down


def _queue(key: str = "renewal-reminder:1:30", to: str = "ayesha@example.org", language: str = "en"):
    return queue_email(
        key, to=to, language=language, template="renewal_reminder", context=_reminder_context()
    )


def _reminder_context() -> dict:
    certificate = f.CertificateFactory()
    return {"certificate": certificate, "link": "https://example.org/renew", "user": None, "days": 30}


def test_queue_email_records_an_occasion_once_per_recipient(
    two_associations, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _queue(to="ayesha@example.org", language="ur")
        again = _queue(to="ayesha@example.org")
        other = _queue(to="bilal@example.org")

    assert (first is not None, again, other is not None) == (True, None, True)
    assert sorted(m.to[0] for m in mail.outbox) == ["ayesha@example.org", "bilal@example.org"]
    email = OutboundEmail.objects.get(to="ayesha@example.org")
    assert (email.language, email.attempts, email.claimed_at) == ("ur", 1, None)
    assert email.sent_at is not None
    assert mail.outbox[0].subject == email.subject


def test_a_password_reset_email_goes_through_the_outbox_once(
    two_associations, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_reset_password"), {"email": two_associations.business_user_a.email}
        )

    email = OutboundEmail.objects.get()
    assert response.status_code == 302
    assert email.key.startswith("account:password_reset_key:")
    assert (email.to, email.language, email.sent_at is not None) == (
        two_associations.business_user_a.email,
        "en",
        True,
    )
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [([email.to], email.subject, email.body)]
    assert "/accounts/password/reset/key/" in email.body


def test_a_password_reset_with_the_mail_server_down_answers_and_waits_for_the_sweep(
    two_associations, client, settings, django_capture_on_commit_callbacks
):
    mail_server_down(settings)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("account_reset_password"), {"email": two_associations.business_user_a.email}
        )

    assert response.status_code == 302
    assert OutboundEmail.objects.filter(sent_at=None).count() == 1


def test_queue_email_records_nothing_when_the_step_rolls_back(
    two_associations, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                _queue()
                raise RuntimeError("the decision failed")
        except RuntimeError:
            pass

    assert (OutboundEmail.objects.count(), mail.outbox) == (0, [])


def test_send_emails_twice_sends_once(two_associations, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        email = _queue()

    send_emails.delay(email_ids=[email.pk])
    send_emails.delay(email_ids=[email.pk])

    assert len(mail.outbox) == 1


def test_send_emails_leaves_an_email_another_worker_is_sending(
    two_associations, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        email = _queue()
    OutboundEmail.objects.filter(pk=email.pk).update(claimed_at=timezone.now())

    sent = send_emails.delay(email_ids=[email.pk]).get()

    assert (sent, mail.outbox) == (0, [])


def test_send_emails_takes_over_the_claim_of_a_worker_that_died(
    two_associations, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        email = _queue()
    OutboundEmail.objects.filter(pk=email.pk).update(
        claimed_at=timezone.now() - SEND_LEASE - datetime.timedelta(seconds=1)
    )

    sent = send_emails.delay(email_ids=[email.pk]).get()

    assert (sent, len(mail.outbox)) == (1, 1)


def test_mail_server_down_releases_the_claim_and_the_sweep_sends_it_once_back(
    two_associations, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        email = _queue()
    mail_server_down(settings)

    with pytest.raises(Retry):
        send_emails.delay(email_ids=[email.pk])
    failed = OutboundEmail.objects.get(pk=email.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    too_soon = claim_unsent_emails()
    OutboundEmail.objects.filter(pk=email.pk).update(queued_at=timezone.now() - REQUEUE_AFTER)
    due = claim_unsent_emails()
    send_emails.delay(email_ids=due)
    send_emails.delay(email_ids=due)

    assert (failed.sent_at, failed.claimed_at, failed.attempts) == (None, None, 1)
    assert "refused" in failed.last_error.lower()
    assert (too_soon, due) == ([], [email.pk])
    assert len(mail.outbox) == 1
    assert OutboundEmail.objects.get(pk=email.pk).last_error == ""


def test_claim_unsent_emails_skips_sent_refused_and_recently_queued(
    two_associations, django_capture_on_commit_callbacks
):
    old = timezone.now() - REQUEUE_AFTER - datetime.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=False):
        lost, recent, sent, refused, sending = (_queue(to=f"{n}@example.org") for n in "abcde")
    OutboundEmail.objects.filter(pk__in=[lost.pk, sent.pk, refused.pk, sending.pk]).update(queued_at=old)
    OutboundEmail.objects.filter(pk=sent.pk).update(sent_at=timezone.now())
    OutboundEmail.objects.filter(pk=refused.pk).update(failed_at=timezone.now())
    OutboundEmail.objects.filter(pk=sending.pk).update(claimed_at=timezone.now())

    claimed = claim_unsent_emails()
    again = claim_unsent_emails()

    assert (claimed, again) == ([lost.pk], [])
    assert recent.pk not in claimed


# --- CSV imports ------------------------------------------------------------------


@pytest.fixture
def queued_job(two_associations, settings):
    settings.METRIC_IMPORT_SYNC_MAX_ROWS = 1
    f.KpiFactory(association=two_associations.a, code="fcr")
    upload = SimpleUploadedFile(
        "m.csv", b"month,kpi_code,value,sample_size\n2026-01,fcr,70,\n2026-02,fcr,71,\n"
    )
    with transaction.atomic():
        # The message is lost: the on-commit publish never happens here.
        job = start_metric_import(
            two_associations.business_a,
            association=two_associations.a,
            upload=upload,
            actor=two_associations.business_user_a,
        )
    return job


def test_process_import_job_redelivered_takes_its_own_claim_back(queued_job):
    MetricImportJob.objects.filter(pk=queued_job.pk).update(
        status=ImportStatus.RUNNING, claim="task-1", heartbeat_at=timezone.now()
    )

    done = import_jobs.process_import_job(queued_job.pk, claim="task-1")

    assert done is not None
    assert MetricImportJob.objects.get(pk=queued_job.pk).status == ImportStatus.DONE
    assert MetricValue.objects.count() == 2


def test_process_import_job_leaves_a_live_claim_and_takes_over_a_stopped_heart(queued_job):
    MetricImportJob.objects.filter(pk=queued_job.pk).update(
        status=ImportStatus.RUNNING, claim="task-1", heartbeat_at=timezone.now()
    )
    left = import_jobs.process_import_job(queued_job.pk, claim="task-2")
    values_while_alive = MetricValue.objects.count()
    MetricImportJob.objects.filter(pk=queued_job.pk).update(
        heartbeat_at=timezone.now() - import_jobs.STALE_AFTER - datetime.timedelta(seconds=1)
    )

    taken = import_jobs.process_import_job(queued_job.pk, claim="task-2")

    assert (left, values_while_alive) == (None, 0)
    assert taken is not None
    job = MetricImportJob.objects.get(pk=queued_job.pk)
    assert (job.status, job.claim) == (ImportStatus.DONE, "task-2")
    assert MetricValue.objects.count() == 2


def test_process_import_job_stops_when_another_worker_took_it_over(queued_job):
    MetricImportJob.objects.filter(pk=queued_job.pk).update(status=ImportStatus.RUNNING, claim="new-owner")

    # The old owner's heartbeat finds the claim gone and stops before writing.
    job = MetricImportJob.objects.get(pk=queued_job.pk)
    job.claim = "old-owner"
    with pytest.raises(import_jobs.ClaimLost):
        import_jobs._run(job)

    assert MetricValue.objects.count() == 0
    assert MetricImportJob.objects.get(pk=queued_job.pk).status == ImportStatus.RUNNING


def test_sweep_requeues_a_lost_import_and_one_whose_worker_died(queued_job, two_associations):
    dead = MetricImportJob.objects.create(
        business=two_associations.business_a,
        association=two_associations.a,
        file=queued_job.file.name,
        total_rows=2,
        replace=True,
        status=ImportStatus.RUNNING,
        claim="killed-task",
        heartbeat_at=timezone.now() - import_jobs.STALE_AFTER - datetime.timedelta(seconds=1),
        queued_at=timezone.now() - REQUEUE_AFTER - datetime.timedelta(seconds=1),
    )
    live = MetricImportJob.objects.create(
        business=two_associations.business_a,
        association=two_associations.a,
        file=queued_job.file.name,
        status=ImportStatus.RUNNING,
        claim="live-task",
        heartbeat_at=timezone.now(),
        queued_at=timezone.now() - REQUEUE_AFTER - datetime.timedelta(seconds=1),
    )
    too_soon = sweep.delay().get()
    MetricImportJob.objects.filter(pk=queued_job.pk).update(
        replace=True, queued_at=timezone.now() - REQUEUE_AFTER - datetime.timedelta(seconds=1)
    )

    counts = sweep.delay().get()
    again = sweep.delay().get()

    assert (too_soon["imports"], counts["imports"], again["imports"]) == (1, 1, 0)
    statuses = dict(MetricImportJob.objects.values_list("pk", "status"))
    assert statuses[queued_job.pk] == statuses[dead.pk] == ImportStatus.DONE
    assert statuses[live.pk] == ImportStatus.RUNNING
