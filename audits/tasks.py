"""The findings' daily job. Thin, safe to run twice: every row is claimed
with a conditional update before its effect is recorded."""

import logging

from celery import shared_task

from config.celery import chunks

from .finding_reminders import (
    claim_due_reminders,
    handle_overdue_major,
    overdue_majors,
    record_finding_reminder,
)

logger = logging.getLogger(__name__)

REMINDER_CHUNK = 100


@shared_task(acks_late=True)
def record_finding_reminders(*, reminder_ids: list[int]) -> int:
    return sum(record_finding_reminder(pk) for pk in reminder_ids)


@shared_task(acks_late=True)
def handle_overdue_majors(*, finding_ids: list[int]) -> int:
    return sum(handle_overdue_major(pk) is not None for pk in finding_ids)


@shared_task(acks_late=True)
def daily_findings() -> dict:
    """Also run by the sweep's schedule: reminders whose message was lost are
    claimed again after REQUEUE_AFTER; overdue majors not handled are found again."""
    reminders = claim_due_reminders()
    for chunk in chunks(reminders, REMINDER_CHUNK):
        record_finding_reminders.delay(reminder_ids=chunk)
    overdue = overdue_majors()
    for chunk in chunks(overdue, REMINDER_CHUNK):
        handle_overdue_majors.delay(finding_ids=chunk)
    logger.info("findings: %s reminders queued, %s overdue majors", len(reminders), len(overdue))
    return {"reminders": len(reminders), "overdue": len(overdue)}
