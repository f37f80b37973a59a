"""The emails of the auditor workflow, recorded through the one outbox
(`members.emails.queue_email`) in the transaction of the step that makes
them due; each goes once, after that commits."""

from django.conf import settings
from django.urls import reverse

from certification.emails import queue_business_emails
from certification.models import Application
from members.emails import queue_email
from members.models import Declaration

from .models import Assignment


def queue_assignment_email(assignment: Assignment, *, occasion: int | None = None) -> None:
    """`occasion`: the history entry of a re-assignment (the first one needs none)."""
    user = assignment.auditor.user
    queue_email(
        f"audit-assigned:{assignment.pk}" + (f":{occasion}" if occasion else ""),
        to=user.email,
        language=user.language,
        template="audit_assigned",
        context={
            "assignment": assignment,
            "application": assignment.application,
            "link": settings.SITE_URL + reverse("audits:assignment", args=[assignment.pk]),
        },
    )


def queue_changes_requested_email(application: Application) -> None:
    """The open change requests, to the business. The newest open request
    names the round: a later round is another occasion."""
    requests = list(application.change_requests.open().select_related("criterion").order_by("pk"))
    if not requests:
        return
    queue_business_emails(
        application,
        f"changes-requested:{application.pk}:{requests[-1].pk}",
        template="changes_requested",
        context={
            "application": application,
            "change_requests": requests,
            "link": settings.SITE_URL + reverse("applications:detail", args=[application.pk]),
        },
    )


def queue_decision_emails(application: Application) -> None:
    """The decision, to the business and to the auditors who reviewed it."""
    link = settings.SITE_URL + reverse("audits:result", args=[application.pk])
    context = {"application": application, "link": link}
    occasion = f"decision:{application.pk}:{application.status}"
    queue_business_emails(application, f"{occasion}:business", template="decision", context=context)
    auditors = application.assignments.filter(
        declaration=Declaration.NO_CONFLICT, auditor__user__is_active=True
    ).select_related("auditor__user")
    for assignment in auditors.order_by("pk"):
        user = assignment.auditor.user
        queue_email(
            f"{occasion}:auditor",
            to=user.email,
            language=user.language,
            template="audit_decided",
            context=context,
        )
