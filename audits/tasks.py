"""Emails of the auditor workflow, each in the recipient's language. Thin:
load fresh rows, return if gone, send."""

import logging

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from certification.models import Application
from members.emails import send_templated_email

from .models import Assignment, Declaration

logger = logging.getLogger(__name__)


def _business_recipients(application: Application):
    return [bu.user for bu in application.business.users.select_related("user")]


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, ignore_result=True)
def send_assignment_email(*, assignment_id: int) -> None:
    assignment = (
        Assignment.objects.select_related(
            "auditor__user", "application__business", "application__standard", "application__association"
        )
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        logger.info("assignment %s gone; nothing to send", assignment_id)
        return
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
    requests = list(application.change_requests.open().select_related("criterion"))
    for user in _business_recipients(application):
        send_templated_email(
            "changes_requested",
            to=[user.email],
            language=user.language,
            context={"application": application, "change_requests": requests, "link": settings.SITE_URL},
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
    for user in _business_recipients(application):
        send_templated_email(
            "decision",
            to=[user.email],
            language=user.language,
            context={"application": application, "link": link},
        )
    auditors = application.assignments.filter(declaration=Declaration.NO_CONFLICT).select_related(
        "auditor__user"
    )
    for assignment in auditors:
        user = assignment.auditor.user
        send_templated_email(
            "audit_decided",
            to=[user.email],
            language=user.language,
            context={"application": application, "link": link},
        )
