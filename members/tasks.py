"""Members' background work: sending the outbox (the task lives in
members.outbox, next to what it runs), large CSV imports. Every task
retries transient errors with backoff (config.celery.Task) and is safe to
run twice."""

import logging
import uuid

from celery import shared_task

from .metrics import csv_import
from .outbox import send_emails

__all__ = ["process_metric_import", "send_emails"]

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, time_limit=1800, soft_time_limit=1700)
def process_metric_import(self, *, job_id: int) -> None:
    """The claim is the task's id: a redelivered message (its worker died)
    takes the job back at once; another task waits for the claim to go stale."""
    claim = self.request.id or f"direct-{uuid.uuid4().hex}"  # called as a function, not through the broker
    if csv_import.process_import_job(job_id, claim=claim) is None:
        logger.info("metric import %s gone, finished or claimed by a live task; nothing to do", job_id)
