"""Certificate background work. Tasks are thin and safe to run twice; the
periodic ones query, then fan out one task per row."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from members.emails import send_templated_email
from members.models import BusinessUser

from . import certificates as service
from .models import Application, ApplicationStatus, Certificate, ReminderSent

logger = logging.getLogger(__name__)

# Transient: the database or the mail server hiccups. A broken rule is not.
TRANSIENT = (OperationalError, InterfaceError, OSError)


def _recipients(certificate: Certificate):
    return [
        bu.user
        for bu in BusinessUser.objects.covering(certificate.business_id, certificate.association_id)
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ]


@shared_task(
    bind=True,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def issue_certificate_task(self, *, application_id: int) -> int | None:
    application = Application.objects.filter(pk=application_id, status=ApplicationStatus.APPROVED).first()
    if application is None:
        logger.info("application %s gone or not approved; nothing to issue", application_id)
        return None
    return service.issue_certificate(application, claim=self.request.id).pk


@shared_task(ignore_result=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_certificate_issued_email(*, certificate_id: int) -> None:
    # Claimed before sending: a second run sends nothing. A failed send
    # releases the claim for the retry.
    claimed = Certificate.objects.filter(pk=certificate_id, issued_email_sent_at=None).update(
        issued_email_sent_at=timezone.now()
    )
    if claimed != 1:
        return
    certificate = Certificate.objects.get(pk=certificate_id)
    link = settings.SITE_URL + reverse("certification:download", args=[certificate.pk])
    try:
        for user in _recipients(certificate):
            send_templated_email(
                "certificate_issued",
                to=[user.email],
                language=user.language,
                context={
                    "certificate": certificate,
                    "link": link,
                    "user": user,
                    "verify_link": _verify_link(certificate),
                },
            )
    except OSError:
        Certificate.objects.filter(pk=certificate_id).update(issued_email_sent_at=None)
        raise


def _verify_link(certificate: Certificate) -> str:
    return settings.SITE_URL + reverse("certification:verify_detail", args=[certificate.verification_token])


@shared_task(ignore_result=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_certificate_status_email(*, certificate_id: int, reason: str) -> None:
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None:
        return
    for user in _recipients(certificate):
        send_templated_email(
            "certificate_status",
            to=[user.email],
            language=user.language,
            context={
                "certificate": certificate,
                "reason": reason,
                "user": user,
                "verify_link": _verify_link(certificate),
            },
        )


@shared_task(ignore_result=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_renewal_reminder(*, certificate_id: int, offset_days: int) -> bool:
    certificate = Certificate.objects.select_related("association").filter(pk=certificate_id).first()
    if certificate is None:
        return False
    claim = service.claim_reminder(certificate, offset_days=offset_days)
    if claim is None:
        return False
    link = settings.SITE_URL + reverse("certification:renew", args=[certificate.pk])
    for user in _recipients(certificate):
        send_templated_email(
            "renewal_reminder",
            to=[user.email],
            language=user.language,
            context={"certificate": certificate, "link": link, "user": user, "days": offset_days},
        )
    ReminderSent.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
    return True


def _enqueue_reminders() -> int:
    due = service.reminders_due()
    for certificate_id, offset in due:
        send_renewal_reminder.delay(certificate_id=certificate_id, offset_days=offset)
    return len(due)


@shared_task(ignore_result=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def daily_lifecycle() -> dict:
    expired = service.expire_certificates()
    reminders = _enqueue_reminders()
    return {"expired": expired, "reminders": reminders}


# Work younger than this is probably still in the queue.
SWEEP_GRACE = datetime.timedelta(minutes=2)


@shared_task(ignore_result=True, acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def sweep() -> dict:
    """Re-enqueue what should have happened and did not (a broker outage
    delays work; it never loses it)."""
    cutoff = timezone.now() - SWEEP_GRACE
    application_ids = set(
        Application.objects.filter(status=ApplicationStatus.APPROVED, certificate__isnull=True)
        .filter(Q(decided_at__lt=cutoff) | Q(decided_at__isnull=True))
        .values_list("pk", flat=True)
    )
    application_ids |= set(
        Certificate.objects.filter(pdf_sha256="", issued_at__lt=cutoff).values_list(
            "application_id", flat=True
        )
    )
    for application_id in sorted(application_ids):
        issue_certificate_task.delay(application_id=application_id)
    emails = list(
        Certificate.objects.filter(issued_email_sent_at=None, issued_at__lt=cutoff)
        .exclude(pdf_sha256="")
        .values_list("pk", flat=True)
    )
    for certificate_id in emails:
        send_certificate_issued_email.delay(certificate_id=certificate_id)
    reminders = _enqueue_reminders()
    return {"issuance": len(application_ids), "emails": len(emails), "reminders": reminders}
