"""The workflow emails are recorded with the step that makes them due and go
once, however often the broker delivers the send task or the step's
occasion is recorded again."""

import contextlib

from django.core import mail
from django.db import transaction

from audits import emails, services
from members.models import OutboundEmail
from members.tasks import send_emails
from tests import factories as f

from .scenario import build, full_scores


def _send_again() -> None:
    send_emails.delay(email_ids=list(OutboundEmail.objects.values_list("pk", flat=True)))


def test_assignment_email_run_twice_sends_once(two_associations, django_capture_on_commit_callbacks):
    s = build(two_associations, declared=False)
    profile = f.AuditorFactory(associations=[two_associations.a])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.assign_auditor(
            s.application,
            auditor=profile,
            due_date=s.assignment.due_date,
            actor=two_associations.staff_admin_a,
        )

    _send_again()
    emails.queue_assignment_email(assignment)
    _send_again()

    assert [m.to for m in mail.outbox] == [[profile.user.email]]
    sent = OutboundEmail.objects.get(key=f"audit-assigned:{assignment.pk}")
    assert (sent.to, sent.sent_at is not None, sent.attempts) == (profile.user.email, True, 1)


def test_changes_requested_email_run_twice_sends_once_per_round(
    two_associations, django_capture_on_commit_callbacks
):
    s = build(two_associations)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_changes(
            s.application, actor=two_associations.auditor, items=[(s.criteria[1], "Add the SLA")]
        )

    _send_again()
    emails.queue_changes_requested_email(s.application)

    assert [m.to for m in mail.outbox] == [[two_associations.business_user_a.email]]


def test_decision_email_run_twice_sends_once(two_associations, django_capture_on_commit_callbacks):
    s = build(two_associations)
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 5), submit=True
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(s.application, actor=two_associations.staff_admin_a, level=s.levels[2])

    _send_again()
    s.application.refresh_from_db()
    emails.queue_decision_emails(s.application)

    decision_mail = [m.to for m in mail.outbox if "is ready" not in m.subject]
    assert decision_mail == [[two_associations.business_user_a.email], [two_associations.auditor.email]]


def test_workflow_emails_skip_inactive_business_users(two_associations, django_capture_on_commit_callbacks):
    s = build(two_associations)
    former = f.BusinessUserFactory(business=two_associations.business_a).user
    former.is_active = False
    former.save(update_fields=["is_active"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.request_changes(
            s.application, actor=two_associations.auditor, items=[(s.criteria[1], "Add the SLA")]
        )

    assert [m.to for m in mail.outbox] == [[two_associations.business_user_a.email]]


def test_assignment_email_of_an_assignment_rolled_back_is_never_sent(
    two_associations, django_capture_on_commit_callbacks
):
    s = build(two_associations, declared=False)
    profile = f.AuditorFactory(associations=[two_associations.a])
    mail.outbox.clear()

    with (
        django_capture_on_commit_callbacks(execute=True),
        contextlib.suppress(RuntimeError),
        transaction.atomic(),
    ):
        services.assign_auditor(
            s.application,
            auditor=profile,
            due_date=s.assignment.due_date,
            actor=two_associations.staff_admin_a,
        )
        raise RuntimeError("the request failed after the assignment")
    _send_again()

    assert OutboundEmail.objects.filter(to=profile.user.email).exists() is False
    assert mail.outbox == []
