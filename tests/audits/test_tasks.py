"""The workflow emails go once, however often the broker delivers the task."""

from django.core import mail

from audits import services, tasks
from tests import factories as f

from .scenario import build, full_scores


def test_assignment_email_run_twice_sends_once(world):
    s = build(world, declared=False)
    mail.outbox.clear()

    tasks.send_assignment_email.delay(assignment_id=s.assignment.pk)
    tasks.send_assignment_email.delay(assignment_id=s.assignment.pk)

    s.assignment.refresh_from_db()
    assert [m.to for m in mail.outbox] == [[world.auditor.email]]
    assert s.assignment.notified_at is not None


def test_changes_requested_email_run_twice_sends_once_per_round(world, django_capture_on_commit_callbacks):
    s = build(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_changes(s.application, actor=world.auditor, items=[(s.criteria[1], "Add the SLA")])

    tasks.send_changes_requested_email.delay(application_id=s.application.pk)

    assert [m.to for m in mail.outbox] == [[world.business_user_a.email]]


def test_decision_email_run_twice_sends_once(world, django_capture_on_commit_callbacks):
    s = build(world)
    services.save_scores(s.assignment, actor=world.auditor, entries=full_scores(s.criteria, 5), submit=True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(s.application, actor=world.staff_admin_a, level=s.levels[2])

    tasks.send_decision_email.delay(application_id=s.application.pk)

    decision_mail = [m.to for m in mail.outbox if "is ready" not in m.subject]
    assert decision_mail == [[world.business_user_a.email], [world.auditor.email]]


def test_workflow_emails_skip_inactive_business_users(world, django_capture_on_commit_callbacks):
    s = build(world)
    former = f.BusinessUserFactory(business=world.business_a).user
    former.is_active = False
    former.save(update_fields=["is_active"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.request_changes(s.application, actor=world.auditor, items=[(s.criteria[1], "Add the SLA")])

    assert [m.to for m in mail.outbox] == [[world.business_user_a.email]]


def test_assignment_email_for_a_removed_assignment_sends_nothing(world):
    s = build(world, declared=False)
    pk = s.assignment.pk
    s.assignment.delete()
    mail.outbox.clear()

    tasks.send_assignment_email.delay(assignment_id=pk)

    assert mail.outbox == []
