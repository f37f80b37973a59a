"""Members' background work: sending the recorded emails, large CSV imports.
Thin: each task calls one function. Every task retries transient errors
with backoff (config.celery.Task) and is safe to run twice."""

import datetime
import logging
import uuid

from celery import shared_task

from .metrics.import_jobs import process_import_job
from .outbox import deliver_emails
from .surveys.kpis import compute_customer_kpis, months_to_compute

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def send_emails(*, email_ids: list[int]) -> int:
    """The one email task (members.emails.queue_email queues it): sends the
    recorded emails among `email_ids` that are not sent yet."""
    return deliver_emails(email_ids)


@shared_task(bind=True, acks_late=True, time_limit=1800, soft_time_limit=1700)
def process_metric_import(self, *, job_id: int) -> None:
    """The claim is the task's id: a redelivered message (its worker died)
    takes the job back at once; another task waits for the claim to go stale."""
    claim = self.request.id or f"direct-{uuid.uuid4().hex}"  # called as a function, not through the broker
    if process_import_job(job_id, claim=claim) is None:
        logger.info("metric import %s gone, finished or claimed by a live task; nothing to do", job_id)


@shared_task(acks_late=True)
def compute_customer_kpis_task(*, month: str | None = None) -> int:
    """Daily (beat): CSAT, NPS and FCR of the last and the current month from
    customer responses, or of `month` (YYYY-MM-DD) when given. Idempotent:
    each run replaces the months' computed values as a whole."""
    months = [datetime.date.fromisoformat(month)] if month else months_to_compute()
    return sum(compute_customer_kpis(period) for period in months)
