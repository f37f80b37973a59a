"""The sweep: it queues again what was recorded and not done (issuance,
emails, reminders), set-based and in chunks, leaves what was queued
recently or is being worked on, says what it did, and brings lost work
back within two minutes."""

import datetime
import logging

import pytest
from celery.exceptions import Retry
from celery.signals import task_prerun
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from certification import issuance, reminders, services
from certification.models import Application, Certificate, ReminderSent
from certification.tasks import daily_lifecycle, sweep
from config.celery import REQUEUE_AFTER, TRANSIENT_ERRORS, app
from members.emails import queue_email
from members.metrics import import_jobs
from members.models import OutboundEmail
from members.outbox import SEND_LEASE, claim_unsent_emails
from tests import factories as f
from tests.concurrency import at_once
from tests.faults import mail_server_down

LONG_AGO = timezone.now() - datetime.timedelta(days=1)


@pytest.fixture
def tasks_run():
    """Names of the tasks run (eagerly) while the test runs, in order."""
    names = []

    def record(sender=None, **kwargs):
        names.append(sender.name)

    task_prerun.connect(record, weak=False)
    yield names
    task_prerun.disconnect(record)


def _back(seconds: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=seconds)


def test_every_task_retries_transient_errors_with_backoff():
    ours = {
        name: task for name, task in app.tasks.items() if name.split(".")[0] in {"certification", "members"}
    }

    assert sorted(ours) == [
        "certification.tasks.daily_lifecycle",
        "certification.tasks.daily_surveillance",
        "certification.tasks.delete_orphan_files_task",
        "certification.tasks.flush_verification_counts_task",
        "certification.tasks.issue_certificates",
        "certification.tasks.record_renewal_reminders",
        "certification.tasks.regenerate_status_lists_task",
        "certification.tasks.sweep",
        "members.tasks.compute_customer_kpis_task",
        "members.tasks.process_metric_import",
        "members.tasks.send_emails",
    ]
    for task in ours.values():
        assert (task.autoretry_for, task.retry_backoff) == (TRANSIENT_ERRORS, True), task.name
        assert task.retry_backoff_max < REQUEUE_AFTER.total_seconds()


def test_sweep_runs_every_minute_so_lost_work_resumes_within_two_minutes():
    schedule = django_settings.CELERY_BEAT_SCHEDULE["sweep-missing-work"]

    assert schedule["task"] == "certification.tasks.sweep"
    # Lost work is taken back once its window or lease lapsed, at the next sweep.
    for window in (REQUEUE_AFTER, issuance.RENDER_LEASE, SEND_LEASE, import_jobs.STALE_AFTER):
        assert window.total_seconds() + schedule["schedule"] <= 120, window


def test_sweep_logs_what_it_queued(two_associations, caplog):
    f.ApprovedApplicationFactory(association=two_associations.a, decided_at=LONG_AGO)

    with caplog.at_level(logging.INFO, logger="certification.tasks"):
        sweep.delay()
        sweep.delay()

    messages = [r.getMessage() for r in caplog.records if r.name == "certification.tasks"]
    assert messages == [
        "sweep queued: 1 issuance, 0 emails, 0 reminders, 0 imports, 0 status_lists",
        "sweep queued: 0 issuance, 0 emails, 0 reminders, 0 imports, 0 status_lists",
    ]


def test_sweep_leaves_issuance_queued_recently_and_takes_it_when_lost(
    two_associations, django_capture_on_commit_callbacks
):
    level = f.LevelFactory(association=two_associations.a)
    app_ = f.ApprovedApplicationFactory(association=two_associations.a, status="scored", level=level)
    with django_capture_on_commit_callbacks(execute=False):  # the message is lost
        services.approve_application(app_, actor=two_associations.staff_admin_a, level=level)

    too_soon = sweep.delay().get()
    Application.objects.filter(pk=app_.pk).update(issuance_queued_at=_back(REQUEUE_AFTER.seconds + 1))
    counts = sweep.delay().get()
    again = sweep.delay().get()

    assert (too_soon["issuance"], counts["issuance"], again["issuance"]) == (0, 1, 0)
    assert len(Certificate.objects.get(application=app_).pdf_sha256) == 64


def test_sweep_leaves_a_live_rendering_and_takes_over_a_lapsed_one(two_associations):
    certificate = f.CertificateFactory(
        application=f.ApprovedApplicationFactory(association=two_associations.a, decided_at=LONG_AGO),
        pdf_claim="busy-worker",
        pdf_claimed_at=timezone.now(),
    )

    live = sweep.delay().get()
    Certificate.objects.filter(pk=certificate.pk).update(
        pdf_claimed_at=timezone.now() - issuance.RENDER_LEASE - datetime.timedelta(seconds=1)
    )
    Application.objects.filter(pk=certificate.application_id).update(issuance_queued_at=LONG_AGO)
    lapsed = sweep.delay().get()

    certificate.refresh_from_db()
    assert (live["issuance"], lapsed["issuance"]) == (0, 1)
    assert len(certificate.pdf_sha256) == 64
    assert certificate.pdf_claim != "busy-worker"


def test_sweep_records_the_email_of_a_certificate_stored_by_a_worker_that_died(
    two_associations, django_capture_on_commit_callbacks
):
    approved = f.ApprovedApplicationFactory(
        association=two_associations.a, business=two_associations.business_a, decided_at=LONG_AGO
    )
    with django_capture_on_commit_callbacks(execute=True):
        certificate = issuance.create_certificate(approved)
        certificate = issuance.store_certificate_pdf(certificate)  # died before recording the email

        sweep.delay()
        sweep.delay()

    assert [m.to for m in mail.outbox] == [[two_associations.business_user_a.email]]
    assert Certificate.objects.get(pk=certificate.pk).issued_email_recorded_at is not None


def test_sweep_queues_chunks_of_ids_not_one_message_per_row(
    two_associations, tasks_run, django_capture_on_commit_callbacks
):
    for _ in range(12):
        f.CertificateFactory(
            application=f.ApprovedApplicationFactory(association=two_associations.a, decided_at=LONG_AGO),
            pdf="certificates/psa/x.pdf",
            pdf_sha256="a" * 64,
        )
    with django_capture_on_commit_callbacks(execute=False):
        for n in range(150):
            _email(f"lost-{n}@example.org")
    OutboundEmail.objects.update(queued_at=LONG_AGO)

    with django_capture_on_commit_callbacks(execute=False):
        counts = sweep.delay().get()

    assert counts == {"issuance": 12, "emails": 150, "reminders": 0, "imports": 0, "status_lists": 0}
    assert tasks_run == [
        "certification.tasks.sweep",
        "certification.tasks.issue_certificates",  # 10
        "certification.tasks.issue_certificates",  # 2
        "members.tasks.send_emails",  # 100
        "members.tasks.send_emails",  # 50
    ]


def _email(to: str, key: str = "test:1"):
    return queue_email(
        key,
        to=to,
        language="en",
        template="renewal_reminder",
        context={"certificate": f.CertificateFactory.build(), "link": "x", "user": None, "days": 7},
    )


def _certificates_due(two_associations, count: int):
    level = f.LevelFactory(association=two_associations.a)
    return [
        f.CertificateFactory(
            application=f.ApprovedApplicationFactory(
                association=two_associations.a, level=level, decided_at=LONG_AGO
            ),
            valid_from=datetime.date(2020, 1, 1),
            valid_until=timezone.localdate() + datetime.timedelta(days=20),
            pdf="certificates/psa/x.pdf",
            pdf_sha256="a" * 64,
            issued_email_recorded_at=LONG_AGO,
        )
        for _ in range(count)
    ]


@pytest.mark.parametrize("count", [1, 30])
def test_sweep_claims_are_set_based(
    two_associations, count, django_assert_num_queries, django_capture_on_commit_callbacks
):
    for certificate in _certificates_due(two_associations, count):
        Certificate.objects.filter(pk=certificate.pk).update(issued_email_recorded_at=None)
    with django_capture_on_commit_callbacks(execute=False):
        for n in range(count):
            _email(f"{n}@example.org")
    OutboundEmail.objects.update(queued_at=LONG_AGO)

    # savepoint, one UPDATE ... RETURNING on PostgreSQL (elsewhere a locking
    # read, then an update), release
    claim = 3 if connection.vendor == "postgresql" else 4
    with django_assert_num_queries(claim):
        unfinished = issuance.claim_unfinished_issuance()
    with django_assert_num_queries(claim):
        emails = claim_unsent_emails()
    with django_assert_num_queries(claim + 2):  # + the offsets and one INSERT ... SELECT of the due rows
        due = reminders.claim_due_reminders()

    assert (len(unfinished), len(emails), len(due)) == (count, count, count)


def test_reminder_blocked_by_a_mail_outage_goes_at_the_next_sweep_after_the_window(
    two_associations, settings, django_capture_on_commit_callbacks
):
    (certificate,) = _certificates_due(two_associations, 1)
    Certificate.objects.filter(pk=certificate.pk).update(business=two_associations.business_a)

    mail_server_down(settings)
    with pytest.raises(Retry), django_capture_on_commit_callbacks(execute=True):
        daily_lifecycle.delay()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the mail server is back

    with django_capture_on_commit_callbacks(execute=True):
        soon = sweep.delay().get()
        OutboundEmail.objects.update(queued_at=_back(REQUEUE_AFTER.seconds + 1))
        later = sweep.delay().get()
        again = sweep.delay().get()

    assert ReminderSent.objects.get().recorded_at is not None
    assert (soon["emails"], later["emails"], again["emails"]) == (0, 1, 0)
    assert [m.to for m in mail.outbox] == [[two_associations.business_user_a.email]]
    assert "expires on" in mail.outbox[0].body


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_claim_each_email_once():
    OutboundEmail.objects.bulk_create(
        OutboundEmail(
            key="race:1", to=f"{n}@example.org", language="en", subject="s", body="b", queued_at=LONG_AGO
        )
        for n in range(200)
    )
    claimed = at_once(lambda: claim_unsent_emails(limit=150), 2)

    first, second = claimed
    assert set(first) & set(second) == set()
    assert len(first) + len(second) == 200
