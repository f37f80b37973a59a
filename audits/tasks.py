"""Emails of the auditor workflow, each in the recipient's language. Thin:
load fresh rows, return if gone, send.

Safe to run twice (the broker redelivers under acks_late): each task claims
its email with a conditional write in the transaction that sends, and a
redelivery finds the claim and sends nothing. A send that fails rolls the
claim back, so the retry sends."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from certification.models import Application
from members.emails import send_templated_email
from members.models import BusinessUser

from .models import Assignment, Declaration, EmailSent

logger = logging.getLogger(__name__)


def _business_recipients(application: Application):
    # Only the roles the application's association granted: a user of the
    # business in another association hears nothing of this one.
    return [
        bu.user
        for bu in BusinessUser.objects.covering(application.business_id, application.association_id)
        .filter(user__is_active=True)
        .select_related("user")
    ]


def _claim(application: Application, kind: str, key: str) -> bool:
    """True for the first caller; call inside the sending transaction."""
    try:
        with transaction.atomic():
            EmailSent.objects.create(application=application, kind=kind, key=key)
    except IntegrityError:
        return False
    return True


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, ignore_result=True)
def send_assignment_email(*, assignment_id: int) -> None:
    with transaction.atomic():
        claimed = Assignment.objects.filter(pk=assignment_id, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
        if not claimed:
            logger.info("assignment %s gone or already notified; nothing to send", assignment_id)
            return
        assignment = Assignment.objects.select_related(
            "auditor__user", "application__business", "application__standard", "application__association"
        ).get(pk=assignment_id)
        user = assignment.auditor.user
        send_templated_email(
            "audit_assigned",
            to=[user.email],
            language=user.language,
            context={
                "assignment": assignment,
                "application": assignment.application,
                "link": settings.SITE_URL + reverse("audits:assignment", args=[assignment.pk]),
            },
        )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, ignore_result=True)
def send_changes_requested_email(*, application_id: int) -> None:
    application = (
        Application.objects.select_related("business", "standard", "association")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        logger.info("application %s gone; nothing to send", application_id)
        return
    requests = list(application.change_requests.open().select_related("criterion").order_by("pk"))
    if not requests:
        logger.info("application %s has no open change request; nothing to send", application_id)
        return
    with transaction.atomic():
        # The newest open request names this round: a later round sends again.
        if not _claim(application, EmailSent.Kind.CHANGES_REQUESTED, str(requests[-1].pk)):
            logger.info("changes requested email of %s already sent", application_id)
            return
        for user in _business_recipients(application):
            send_templated_email(
                "changes_requested",
                to=[user.email],
                language=user.language,
                context={
                    "application": application,
                    "change_requests": requests,
                    "link": settings.SITE_URL + reverse("applications:detail", args=[application.pk]),
                },
            )


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, ignore_result=True)
def send_decision_email(*, application_id: int) -> None:
    application = (
        Application.objects.select_related("business", "standard", "association", "level")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        logger.info("application %s gone; nothing to send", application_id)
        return
    link = settings.SITE_URL + reverse("audits:result", args=[application.pk])
    auditors = application.assignments.filter(
        declaration=Declaration.NO_CONFLICT, auditor__user__is_active=True
    ).select_related("auditor__user")
    with transaction.atomic():
        if not _claim(application, EmailSent.Kind.DECISION, application.status):
            logger.info("decision email of %s already sent", application_id)
            return
        for user in _business_recipients(application):
            send_templated_email(
                "decision",
                to=[user.email],
                language=user.language,
                context={"application": application, "link": link},
            )
        for assignment in auditors:
            user = assignment.auditor.user
            send_templated_email(
                "audit_decided",
                to=[user.email],
                language=user.language,
                context={"application": application, "link": link},
            )
