"""Certificate background work, and the sweep. Tasks are thin, take ids,
and are safe to run twice; every task retries transient errors with
backoff (config.celery.Task). Periodic jobs claim their rows set-based and
queue chunks of ids, one message per chunk."""

import datetime
import logging

from celery import shared_task
from django.utils import timezone

from config.celery import TRANSIENT_ERRORS, chunks
from members.metrics.import_jobs import claim_stalled_imports
from members.outbox import claim_unsent_emails
from members.tasks import process_metric_import, send_emails

from .complaints.services import flag_unhonoured
from .files import delete_orphan_files
from .issuance import claim_unfinished_issuance, issue_certificate
from .models import Application, ApplicationStatus
from .public_cache import flush_verification_counts
from .reminders import claim_due_reminders, expire_certificates, record_renewal_reminder

logger = logging.getLogger(__name__)

# Rendering is the slow part: small chunks keep several workers busy.
ISSUANCE_CHUNK = 10
EMAIL_CHUNK = 100
REMINDER_CHUNK = 100


@shared_task(bind=True, acks_late=True)
def issue_certificates(self, *, application_ids: list[int]) -> list[int]:
    """Issue (or finish issuing) each approved application's certificate.
    The task's id claims the renderings, so a redelivered task takes its
    own claims back. One application's failure does not hold up the rest;
    a transient one retries the chunk afterwards (what is done is skipped)."""
    issued, retry = [], None
    applications = Application.objects.filter(pk__in=application_ids, status=ApplicationStatus.APPROVED)
    for application in applications.order_by("pk"):
        try:
            issued.append(issue_certificate(application, claim=self.request.id).pk)
        except TRANSIENT_ERRORS as error:
            logger.warning("issuance of application %s failed, will retry: %s", application.pk, error)
            retry = retry or error
        except Exception:
            logger.exception("issuance of application %s failed; the sweep will try again", application.pk)
    if retry is not None:
        raise retry
    return issued


@shared_task(acks_late=True)
def record_renewal_reminders(*, reminder_ids: list[int]) -> int:
    return sum(record_renewal_reminder(pk) for pk in reminder_ids)


def _queue_reminders() -> int:
    ids = claim_due_reminders()
    for chunk in chunks(ids, REMINDER_CHUNK):
        record_renewal_reminders.delay(reminder_ids=chunk)
    return len(ids)


@shared_task(acks_late=True)
def daily_lifecycle() -> dict:
    expired = expire_certificates()
    reminders = _queue_reminders()
    flagged = flag_unhonoured()
    logger.info(
        "daily lifecycle: %s certificates expired, %s renewal reminders queued, %s outcomes flagged",
        expired,
        reminders,
        flagged,
    )
    return {"expired": expired, "reminders": reminders, "flagged": flagged}


@shared_task(acks_late=True)
def daily_surveillance() -> dict:
    """Live certification: every certificate under surveillance evaluated
    against its standard's KPI gates, each change recorded once (safe to run
    twice or at once: live.record_decision re-checks under a row lock)."""
    from .live import run_surveillance  # noqa: PLC0415  (live -> certificates -> services -> tasks)

    moved = run_surveillance()
    logger.info("surveillance: %s", moved or "no change")
    return moved


@shared_task(acks_late=True)
def regenerate_status_lists_task(*, association_id: int) -> int:
    from associations.models import Association  # noqa: PLC0415

    from .status_lists import regenerate_status_lists  # noqa: PLC0415  (it queues this task)

    association = Association.objects.filter(pk=association_id).first()
    if association is None:
        return 0
    return regenerate_status_lists(association)


@shared_task(acks_late=True)
def sweep() -> dict:
    """Queue again what was recorded and is not done, so a broker outage or
    a killed worker delays work and never loses it: issuance, emails,
    renewal reminders, metric imports. Each kind is claimed set-based (rows
    queued within REQUEUE_AFTER, or claimed by a live worker, are left
    alone) and queued in chunks. Logs what it queued."""
    issuance = claim_unfinished_issuance()
    for chunk in chunks(issuance, ISSUANCE_CHUNK):
        issue_certificates.delay(application_ids=chunk)
    emails = claim_unsent_emails()
    for chunk in chunks(emails, EMAIL_CHUNK):
        send_emails.delay(email_ids=chunk)
    reminders = _queue_reminders()
    from .status_lists import claim_stale_status_lists  # noqa: PLC0415  (it queues a task here)

    status_lists = claim_stale_status_lists()
    for association_id in status_lists:
        regenerate_status_lists_task.delay(association_id=association_id)
    imports = claim_stalled_imports()
    for job_id in imports:
        # One message per import: each is a whole file's work.
        process_metric_import.delay(job_id=job_id)
    counts = {
        "issuance": len(issuance),
        "emails": len(emails),
        "reminders": reminders,
        "imports": len(imports),
        "status_lists": len(status_lists),
    }
    logger.info("sweep queued: %s", ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    return counts


@shared_task(acks_late=True)
def flush_verification_counts_task() -> int:
    added = flush_verification_counts()
    logger.info("certificate page views added: %s", added)
    return added


# Stored files nobody points at are deleted once older than this (an upload
# in progress has its row long before).
ORPHAN_AGE = datetime.timedelta(days=1)


@shared_task(acks_late=True)
def delete_orphan_files_task() -> dict:
    deleted = delete_orphan_files(older_than=timezone.now() - ORPHAN_AGE)
    logger.info("orphan files deleted: %s", deleted)
    return deleted
