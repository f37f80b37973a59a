from datetime import timedelta

from django.core import mail
from django.utils import timezone

from associations.models import ActionLog
from audits import finding_reminders, findings, services
from audits.findings import NewFinding
from audits.models import Finding, FindingGrade, FindingReminder
from audits.tasks import daily_findings
from certification.issuance import issue_certificate
from certification.models import ApplicationStatus, Certificate, Decision
from members.models import OutboundEmail

from .scenario import build, full_scores, second_auditor


def _scored(people, grade=FindingGrade.MAJOR):
    s = build(people)
    services.save_scores(
        s.assignment,
        actor=people.auditor,
        entries=full_scores(s.criteria, 4),
        submit=True,
        new_findings=[
            NewFinding(
                criterion_id=s.criteria[0].pk, grade=grade, statement="No complaints log.", requirement="4.2"
            )
        ],
    )
    s.application.refresh_from_db()
    s.finding = Finding.objects.get()
    return s


def _due_in(finding, days: int):
    Finding.objects.filter(pk=finding.pk).update(due_date=timezone.localdate() + timedelta(days=days))


def _run_twice(django_capture_on_commit_callbacks, today):
    for _run in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            ids = finding_reminders.claim_due_reminders(today=today)
            for pk in ids:
                finding_reminders.record_finding_reminder(pk)


def test_reminders_go_once_each_at_14_7_1_and_0_days_under_a_double_run(
    two_associations, django_capture_on_commit_callbacks
):
    s = _scored(two_associations)
    _due_in(s.finding, 14)
    due = timezone.localdate() + timedelta(days=14)

    for days_before in (14, 13, 7, 7, 2, 1, 0):
        _run_twice(django_capture_on_commit_callbacks, due - timedelta(days=days_before))

    assert sorted(FindingReminder.objects.values_list("offset_days", flat=True)) == [0, 1, 7, 14]
    keys = OutboundEmail.objects.filter(key__startswith="finding-reminder:").values_list("key", flat=True)
    assert len(keys) == 4
    assert len([m for m in mail.outbox if "corrective action is due" in m.subject]) == 4


def test_an_answered_finding_gets_no_reminder(two_associations, django_capture_on_commit_callbacks):
    s = _scored(two_associations)
    findings.answer_finding(
        s.finding,
        actor=two_associations.business_user_a,
        root_cause="r",
        correction="c",
        corrective_action="a",
        due_date=timezone.localdate() + timedelta(days=5),
    )

    _run_twice(django_capture_on_commit_callbacks, timezone.localdate())

    assert not OutboundEmail.objects.filter(key__startswith="finding-reminder:").exists()


def test_a_major_past_due_refuses_the_scored_application_once(
    two_associations, django_capture_on_commit_callbacks
):
    s = _scored(two_associations)
    _due_in(s.finding, -1)

    with django_capture_on_commit_callbacks(execute=True):
        daily_findings()
        daily_findings()

    s.application.refresh_from_db()
    assert (s.application.status, s.application.decision) == (ApplicationStatus.REJECTED, Decision.REFUSE)
    assert "No complaints log." in s.application.decision_reason
    assert ActionLog.objects.filter(action="application.reject").count() == 1
    assert len([m for m in mail.outbox if m.to == [two_associations.business_user_a.email]]) == 1


def test_a_major_past_due_while_still_in_review_waits_for_the_decision(two_associations):
    s = build(two_associations)
    second_auditor(two_associations, s.application)
    services.save_scores(
        s.assignment,
        actor=two_associations.auditor,
        entries=full_scores(s.criteria, 4),
        submit=True,
        new_findings=[
            NewFinding(criterion_id=s.criteria[0].pk, grade="major", statement="Gap.", requirement="4.2")
        ],
    )
    _due_in(Finding.objects.get(), -1)

    assert finding_reminders.overdue_majors() == []


def test_a_major_past_due_on_a_live_certificate_proposes_suspension_naming_it(
    two_associations, django_capture_on_commit_callbacks
):
    s = _scored(two_associations)
    findings.answer_finding(
        s.finding,
        actor=two_associations.business_user_a,
        root_cause="r",
        correction="c",
        corrective_action="a",
        due_date=timezone.localdate() + timedelta(days=3),
    )
    findings.accept_answer(s.finding, actor=two_associations.auditor)
    services.approve(
        s.application,
        actor=two_associations.staff_admin_a,
        level=s.application.level_reached,
        with_conditions=True,
    )
    certificate = issue_certificate(s.application)
    _due_in(s.finding, -1)

    with django_capture_on_commit_callbacks(execute=True):
        daily_findings()
        daily_findings()

    proposals = ActionLog.objects.filter(action="certificate.suspension_proposed")
    assert proposals.count() == 1
    assert "No complaints log." in proposals.get().data["reason"]
    certificate.refresh_from_db()
    assert certificate.status == "active"
    staff_mail = [m for m in mail.outbox if m.to == [two_associations.staff_admin_a.email]]
    assert len(staff_mail) == 1 and "Suspension proposed" in staff_mail[0].subject
    assert Certificate.objects.count() == 1
