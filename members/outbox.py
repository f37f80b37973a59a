"""Sending what `members.emails.queue_email` recorded, each email once.

An email is claimed with a conditional update that commits before the mail
server is called, so two workers never both send it. A failed send releases
the claim and the task retries; a worker that dies while sending leaves a
claim that lapses after SEND_LEASE, and the sweep queues the email again.
(Between the mail server accepting an email and the row being marked sent
there is no transaction to share: a worker killed exactly there sends that
email a second time. Every other failure sends it once.)"""

import datetime
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Q
from django.utils import timezone

from config.celery import REQUEUE_AFTER, stamp_queued

from .models import OutboundEmail

logger = logging.getLogger(__name__)

# Longer than one send may take (settings.EMAIL_TIMEOUT), short enough that a
# dead worker's email goes out again within the recovery bound.
SEND_LEASE = datetime.timedelta(seconds=45)


def _claim(pk: int, now: datetime.datetime) -> bool:
    return (
        OutboundEmail.objects.filter(pk=pk, sent_at=None, failed_at=None)
        .filter(Q(claimed_at=None) | Q(claimed_at__lt=now - SEND_LEASE))
        .update(claimed_at=now, attempts=F("attempts") + 1)
        == 1
    )


def deliver_emails(email_ids: list[int]) -> int:
    """Send the unsent ones among `email_ids` over one connection; returns
    how many went. Raises the mail server's error after releasing the claim
    (and marking the rest as waiting for the retry the caller schedules)."""
    sent = 0
    connection = get_connection()
    try:
        for pk in email_ids:
            if not _claim(pk, timezone.now()):
                continue
            email = OutboundEmail.objects.get(pk=pk)
            message = EmailMessage(
                email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to], connection=connection
            )
            try:
                message.send()
            except smtplib.SMTPRecipientsRefused as error:
                OutboundEmail.objects.filter(pk=pk).update(
                    claimed_at=None, failed_at=timezone.now(), last_error=str(error)[:500]
                )
                logger.warning("email %s to %s refused by the mail server: %s", email.key, email.to, error)
                continue
            except Exception as error:
                OutboundEmail.objects.filter(pk=pk).update(claimed_at=None, last_error=str(error)[:500])
                OutboundEmail.objects.filter(pk__in=email_ids, sent_at=None).update(queued_at=timezone.now())
                raise
            OutboundEmail.objects.filter(pk=pk).update(sent_at=timezone.now(), claimed_at=None, last_error="")
            sent += 1
    finally:
        connection.close()
    return sent


def claim_unsent_emails(*, limit: int = 10_000) -> list[int]:
    """Ids of emails that should have gone and did not, stamped as queued
    now: never queued, queued longer ago than REQUEUE_AFTER, or claimed by a
    worker that died. An email being sent or retried is left alone."""
    now = timezone.now()
    unsent = OutboundEmail.objects.filter(sent_at=None, failed_at=None).filter(
        Q(queued_at=None) | Q(queued_at__lt=now - REQUEUE_AFTER)
    )
    return stamp_queued(
        unsent.filter(Q(claimed_at=None) | Q(claimed_at__lt=now - SEND_LEASE)), now=now, limit=limit
    )
