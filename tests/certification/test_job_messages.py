"""What the periodic jobs put on a real broker (a private redis-server,
nothing consuming): one message per chunk of ids, never one per row, and a
reminder already queued is not queued again until its claim lapses."""

import base64
import datetime
import json

import pytest
import redis
from django.utils import timezone

from certification.models import Certificate, ReminderSent
from certification.tasks import REMINDER_CHUNK, daily_lifecycle, sweep
from config.celery import REQUEUE_AFTER
from tests import factories as f

from ..faults import celery_broker, needs_redis_server

pytestmark = [needs_redis_server]

LONG_AGO = timezone.now() - datetime.timedelta(days=1)


def _certificates_due(association, count: int) -> None:
    level = f.LevelFactory(association=association)
    for _ in range(count):
        f.CertificateFactory(
            application=f.ApprovedApplicationFactory(
                association=association, level=level, decided_at=LONG_AGO
            ),
            valid_from=datetime.date(2020, 1, 1),
            valid_until=timezone.localdate() + datetime.timedelta(days=20),
            pdf="certificates/psa/x.pdf",
            pdf_sha256="a" * 64,
            issued_email_recorded_at=LONG_AGO,
        )


def _queued(queue: redis.Redis) -> list[tuple[str, list[int]]]:
    """(task name, ids) of each message waiting, oldest first; empties the queue."""
    messages = []
    while (raw := queue.rpop("celery")) is not None:
        message = json.loads(raw)
        _args, kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        messages.append((message["headers"]["task"], next(iter(kwargs.values()))))
    return messages


@pytest.fixture
def broker(private_redis):
    with celery_broker(private_redis.url):
        yield redis.Redis.from_url(private_redis.url)


def test_daily_job_sends_one_message_per_chunk_of_reminders(two_associations, broker):
    _certificates_due(two_associations.a, REMINDER_CHUNK * 2 + 5)

    counts = daily_lifecycle()

    messages = _queued(broker)
    assert counts["reminders"] == 205
    assert [(name, len(ids)) for name, ids in messages] == [
        ("certification.tasks.record_renewal_reminders", 100),
        ("certification.tasks.record_renewal_reminders", 100),
        ("certification.tasks.record_renewal_reminders", 5),
    ]
    assert sorted(pk for _name, ids in messages for pk in ids) == sorted(
        ReminderSent.objects.values_list("pk", flat=True)
    )


def test_reminder_queued_is_not_queued_again_until_its_claim_lapses(two_associations, broker):
    _certificates_due(two_associations.a, 3)
    daily_lifecycle()
    _queued(broker)

    soon = sweep()
    queued_soon = _queued(broker)
    ReminderSent.objects.update(queued_at=timezone.now() - REQUEUE_AFTER - datetime.timedelta(seconds=1))
    later = sweep()
    queued_later = _queued(broker)

    assert (soon["reminders"], queued_soon) == (0, [])
    assert later["reminders"] == 3
    assert [(name, len(ids)) for name, ids in queued_later] == [
        ("certification.tasks.record_renewal_reminders", 3)
    ]


def test_sweep_sends_one_message_per_chunk_of_unfinished_issuance(two_associations, broker):
    _certificates_due(two_associations.a, 12)
    Certificate.objects.update(issued_email_recorded_at=None)

    counts = sweep()

    assert counts["issuance"] == 12
    assert [(name, len(ids)) for name, ids in _queued(broker) if name.endswith("issue_certificates")] == [
        ("certification.tasks.issue_certificates", 10),
        ("certification.tasks.issue_certificates", 2),
    ]
