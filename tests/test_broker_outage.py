"""Redis down while people work (issue 8, items 12 and 13): the request
succeeds, what must happen is recorded, and once Redis is back the sweep
queues it and it happens, once. A private redis-server is stopped and
started; nothing is mocked."""

import contextlib
import datetime
import socket
import time
from contextlib import contextmanager

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse

from audits import services as audits
from certification.models import Application, ApplicationStatus, Certificate
from certification.tasks import sweep
from config import celery as celery_config
from members.metrics.csv_import import start_metric_import
from members.models import ImportStatus, MetricImportJob, MetricValue, OutboundEmail
from members.tasks import send_emails
from tests import factories as f

from .audits.scenario import build, full_scores
from .faults import celery_broker, drain, needs_redis_server

pytestmark = [needs_redis_server, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _broker_not_known_down(monkeypatch):
    # A failed publish pauses queueing in this process for a few seconds.
    monkeypatch.setattr(celery_config, "_broker_down_until", 0.0)


@contextmanager
def unresponsive_broker():
    """A port whose listen queue is full: connecting hangs, as with a host
    that is down (no refusal comes back)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(8):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        for sock in [*fillers, server]:
            sock.close()


@pytest.mark.parametrize("outage", ["stopped", "unresponsive"])
def test_a_dead_broker_costs_a_request_under_a_second(outage, private_redis):
    with contextlib.ExitStack() as stack:
        if outage == "stopped":
            private_redis.stop()
            url = private_redis.url
        else:
            url = stack.enter_context(unresponsive_broker())
        stack.enter_context(celery_broker(url))
        started = time.monotonic()
        with transaction.atomic():
            for n in range(10):
                send_emails.delay_on_commit(email_ids=[n])
        elapsed = time.monotonic() - started

    assert elapsed < 1.0, elapsed


def _as_if_older(seconds: int) -> None:
    """Move every "queued at" back, as if the sweep ran that much later."""
    delta = datetime.timedelta(seconds=seconds)
    Application.objects.exclude(issuance_queued_at=None).update(
        issuance_queued_at=F("issuance_queued_at") - delta
    )
    OutboundEmail.objects.exclude(queued_at=None).update(queued_at=F("queued_at") - delta)
    MetricImportJob.objects.exclude(queued_at=None).update(queued_at=F("queued_at") - delta)


def test_approving_while_redis_is_down_approves_all_and_issues_once_redis_is_back(
    two_associations, client_for, private_redis
):
    scenarios = [build(two_associations) for _ in range(3)]
    for s in scenarios:
        audits.save_scores(
            s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 5), submit=True
        )
    mail.outbox.clear()
    client = client_for("staff_admin_a")

    with celery_broker(private_redis.url):
        private_redis.stop()
        started = time.monotonic()
        response = client.post(
            reverse("admin:certification_application_changelist"),
            {
                "action": "approve",
                "_selected_action": [s.application.pk for s in scenarios],
                "apply": "1",
                "level": scenarios[0].levels[2].pk,
                "reason": "",
            },
        )
        elapsed = time.monotonic() - started
        statuses = [Application.objects.get(pk=s.application.pk).status for s in scenarios]
        nothing_yet = (Certificate.objects.count(), len(mail.outbox))

        private_redis.start()
        _as_if_older(60)
        swept = sweep.apply().get()
        ran = drain(private_redis.url)

    assert response.status_code == 302
    assert statuses == [ApplicationStatus.APPROVED] * 3
    # Six publishes failed (issuance and the decision emails) and the
    # request paid for one (config.celery.BROKER_DOWN_PAUSE); the same
    # request with Redis up takes about 0.9 s on a quiet machine. What a
    # dead broker costs is measured on its own below.
    assert elapsed < 5.0, elapsed
    assert nothing_yet == (0, 0)
    assert swept == {"issuance": 3, "emails": 6, "reminders": 0, "imports": 0, "status_lists": 0}
    assert ran.count("certification.tasks.issue_certificates") == 1  # one chunk of three
    certificates = Certificate.objects.order_by("application_id")
    assert [c.application_id for c in certificates] == [s.application.pk for s in scenarios]
    assert all(len(c.pdf_sha256) == 64 for c in certificates)
    recipients = [m.to for m in mail.outbox]
    # Per application: the decision and the certificate to the business, the decision to the auditor.
    assert len(recipients) == 9
    assert recipients.count([two_associations.business_user_a.email]) == 6
    assert recipients.count([two_associations.auditor.email]) == 3
    assert OutboundEmail.objects.filter(sent_at=None).count() == 0


def test_large_csv_import_while_redis_is_down_runs_once_redis_is_back(
    two_associations, private_redis, settings
):
    settings.METRIC_IMPORT_SYNC_MAX_ROWS = 1
    kpi = f.KpiFactory(association=two_associations.a, code="fcr")
    rows = "".join(f"2025-{month:02d},fcr,{70 + month},\n" for month in range(1, 7))
    upload = SimpleUploadedFile("metrics.csv", f"month,kpi_code,value,sample_size\n{rows}".encode())

    with celery_broker(private_redis.url):
        private_redis.stop()
        job = start_metric_import(
            two_associations.business_a,
            association=two_associations.a,
            upload=upload,
            actor=two_associations.business_user_a,
        )
        waiting = MetricImportJob.objects.get(pk=job.pk).status

        private_redis.start()
        _as_if_older(60)
        swept = sweep.apply().get()
        drain(private_redis.url)

    assert waiting == ImportStatus.QUEUED
    assert swept["imports"] == 1
    assert MetricImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE
    assert MetricValue.objects.filter(kpi=kpi).count() == 6
