from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from associations.models import ActionLog
from audits import findings, services
from audits.findings import NewFinding
from audits.models import CorrectiveAction, Finding, FindingGrade, FindingStatus
from certification.models import ApplicationStatus, Certificate, Decision
from certification.public_queries import open_badge
from certification.queries import BUSINESS, FULL, application_history
from tests import factories as f

from .scenario import build, full_scores, second_auditor

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _major(s, criterion=None, statement="No complaints log kept."):
    criterion = criterion or s.criteria[0]
    return NewFinding(
        criterion_id=criterion.pk,
        grade=FindingGrade.MAJOR,
        statement=statement,
        requirement="Clause 4.2: complaints are logged.",
        evidence=(s.evidence,) if criterion == s.criteria[0] else (),
    )


def _minor(s, criterion=None, statement="Response times not published."):
    criterion = criterion or s.criteria[1]
    return NewFinding(
        criterion_id=criterion.pk,
        grade=FindingGrade.MINOR,
        statement=statement,
        requirement="Clause 5.1: response times are published.",
    )


def _scored_with(people, *new, score: int = 4):
    """The scenario built, each of `new(s)` raised, the scorecard submitted."""
    s = build(people)
    new = [make(s) for make in new]
    services.save_scores(
        s.assignment,
        actor=people.auditor,
        entries=full_scores(s.criteria, score),
        submit=True,
        new_findings=new or (),
    )
    s.application.refresh_from_db()
    return s


def _approve(s, people, **kwargs):
    return services.approve(
        s.application, actor=people.staff_admin_a, level=s.application.level_reached, **kwargs
    )


def _answer(finding, user, *, days: int = 10, files=()):
    return findings.answer_finding(
        finding,
        actor=user,
        root_cause="Nobody owned the log.",
        correction="Started the log.",
        corrective_action="The service manager reviews it weekly.",
        due_date=timezone.localdate() + timedelta(days=days),
        files=files,
    )


def _close(finding, people):
    _answer(finding, people.business_user_a)
    findings.accept_answer(finding, actor=people.auditor)
    return findings.verify_effectiveness(finding, actor=people.auditor)


def test_submitting_the_scorecard_raises_its_findings_with_the_association_windows(two_associations):
    s = build(two_associations)
    services.save_scores(
        s.assignment,
        actor=two_associations.auditor,
        entries=full_scores(s.criteria, 4),
        new_findings=[_major(s), _minor(s)],
    )
    assert list(Finding.objects.values_list("status", flat=True)) == ["draft", "draft"]

    services.save_scores(s.assignment, actor=two_associations.auditor, entries={}, submit=True)

    major, minor = Finding.objects.order_by("grade")
    today = timezone.localdate()
    assert (major.status, major.deadline) == (FindingStatus.OPEN, today + timedelta(days=30))
    assert (minor.status, minor.deadline) == (FindingStatus.OPEN, today + timedelta(days=90))
    assert list(major.evidence.all()) == [s.evidence]


def test_observation_is_noted_and_needs_no_requirement(two_associations):
    s = build(two_associations)
    observation = NewFinding(criterion_id=s.criteria[2].pk, grade=FindingGrade.OBSERVATION, statement="Tidy.")

    services.save_scores(
        s.assignment,
        actor=two_associations.auditor,
        entries=full_scores(s.criteria, 4),
        submit=True,
        new_findings=[observation],
    )

    assert Finding.objects.get().status == FindingStatus.NOTED


def test_a_nonconformity_needs_the_requirement_not_met(two_associations):
    s = build(two_associations)
    bare = NewFinding(criterion_id=s.criteria[0].pk, grade=FindingGrade.MAJOR, statement="No log.")

    with pytest.raises(services.AuditError, match="requirement"):
        services.save_scores(s.assignment, actor=two_associations.auditor, entries={}, new_findings=[bare])

    assert not Finding.objects.exists()


def test_a_critical_criterion_below_threshold_needs_a_major_or_a_reason(two_associations):
    s = build(two_associations)
    critical = s.criteria[0]
    critical.critical = True
    critical.save()
    entries = full_scores(s.criteria, 4) | {critical.pk: (1, "Very weak.")}

    with pytest.raises(services.AuditError, match="critical criterion"):
        services.save_scores(s.assignment, actor=two_associations.auditor, entries=entries, submit=True)
    services.save_scores(
        s.assignment,
        actor=two_associations.auditor,
        entries=entries,
        submit=True,
        no_major_reasons={critical.pk: "A new system went live last week; evidence of it is sound."},
    )

    assert s.assignment.scorecard.scores.get(criterion=critical).no_major_reason.startswith("A new system")


def test_a_critical_criterion_below_threshold_passes_with_a_major(two_associations):
    s = build(two_associations)
    s.criteria[0].critical = True
    s.criteria[0].save()

    services.save_scores(
        s.assignment,
        actor=two_associations.auditor,
        entries=full_scores(s.criteria, 4) | {s.criteria[0].pk: (1, "Very weak.")},
        submit=True,
        new_findings=[_major(s)],
    )

    assert Finding.objects.get().grade == FindingGrade.MAJOR


def test_findings_are_blind_until_every_auditor_submits(two_associations):
    s = build(two_associations)
    other = second_auditor(two_associations, s.application)
    services.save_scores(
        s.assignment,
        actor=two_associations.auditor,
        entries=full_scores(s.criteria, 4),
        submit=True,
        new_findings=[_major(s)],
    )
    mine = Finding.objects.get()

    hidden = list(Finding.objects.visible_to(other.auditor.user))
    services.save_scores(other, actor=other.auditor.user, entries=full_scores(s.criteria, 4), submit=True)

    assert hidden == []
    assert list(Finding.objects.visible_to(other.auditor.user)) == [mine]
    assert list(Finding.objects.visible_to(two_associations.auditor)) == [mine]


def test_business_sees_its_findings_once_scored_and_never_another_business(two_associations):
    s = _scored_with(two_associations, _major)

    assert list(Finding.objects.visible_to(two_associations.business_user_a)) == list(Finding.objects.all())
    assert list(Finding.objects.visible_to(two_associations.business_user_b)) == []
    assert list(Finding.objects.visible_to(two_associations.staff_b)) == []
    assert s.application.status == ApplicationStatus.SCORED


def test_lead_auditor_merges_a_duplicate_with_a_rationale(two_associations):
    s = build(two_associations)
    other = second_auditor(two_associations, s.application)
    services.save_scores(
        s.assignment,
        actor=two_associations.auditor,
        entries=full_scores(s.criteria, 4),
        submit=True,
        new_findings=[_major(s)],
    )
    services.save_scores(
        other,
        actor=other.auditor.user,
        entries=full_scores(s.criteria, 4),
        submit=True,
        new_findings=[_major(s, statement="Complaints are not recorded.")],
    )
    kept, duplicate = Finding.objects.order_by("pk")

    with pytest.raises(findings.FindingError, match="lead auditor"):
        findings.merge_finding(duplicate, into=kept, actor=other.auditor.user, rationale="Same gap.")
    with pytest.raises(findings.FindingError, match="rationale"):
        findings.merge_finding(duplicate, into=kept, actor=two_associations.auditor, rationale=" ")
    findings.merge_finding(duplicate, into=kept, actor=two_associations.auditor, rationale="Same gap.")

    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into, duplicate.merge_rationale) == (
        FindingStatus.MERGED,
        kept,
        "Same gap.",
    )
    assert list(Finding.objects.visible_to(two_associations.business_user_a)) == [kept]


def test_an_open_major_blocks_approval_and_names_it(two_associations):
    s = _scored_with(two_associations, _major)

    with pytest.raises(services.AuditError, match=r"major nonconformity blocks approval.*No complaints log"):
        _approve(s, two_associations)

    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.SCORED


def test_an_answered_major_still_blocks_and_an_accepted_one_allows_only_conditions(two_associations):
    s = _scored_with(two_associations, _major)
    major = Finding.objects.get()
    _answer(major, two_associations.business_user_a)

    with pytest.raises(services.AuditError, match="blocks approval"):
        _approve(s, two_associations)
    findings.accept_answer(major, actor=two_associations.auditor)
    with pytest.raises(services.AuditError, match="only a grant with conditions"):
        _approve(s, two_associations)
    _approve(s, two_associations, with_conditions=True)

    s.application.refresh_from_db()
    assert (s.application.status, s.application.decision) == (
        ApplicationStatus.APPROVED,
        Decision.GRANT_WITH_CONDITIONS,
    )


def _badge_description(certificate) -> str:
    badge = open_badge(certificate, association_slug=certificate.association.slug, status=certificate.status)
    return badge["credentialSubject"]["achievement"]["description"]


def test_open_minor_gives_a_conditional_grant_shown_until_the_last_one_closes(
    two_associations, django_capture_on_commit_callbacks
):
    s = _scored_with(two_associations, _minor)

    with django_capture_on_commit_callbacks(execute=True):
        _approve(s, two_associations, with_conditions=True)

    certificate = Certificate.objects.get(application=s.application)
    assert certificate.conditions_open is True
    assert "Granted with conditions" in _badge_description(certificate)
    _close(Finding.objects.get(), two_associations)
    certificate.refresh_from_db()
    assert certificate.conditions_open is False
    assert "Granted with conditions" not in _badge_description(certificate)


def test_grant_without_conditions_refused_while_a_minor_is_open(two_associations):
    s = _scored_with(two_associations, _minor)

    with pytest.raises(services.AuditError, match=r"only a grant with conditions.*Response times"):
        _approve(s, two_associations)


def test_grant_with_conditions_refused_when_nothing_is_open(two_associations):
    s = _scored_with(two_associations)

    with pytest.raises(services.AuditError, match="no conditions"):
        _approve(s, two_associations, with_conditions=True)
    _approve(s, two_associations)

    s.application.refresh_from_db()
    assert s.application.decision == Decision.GRANT


def test_reject_records_refuse(two_associations):
    s = _scored_with(two_associations)

    services.reject(s.application, actor=two_associations.staff_admin_a, reason="Scores too low.")

    s.application.refresh_from_db()
    assert (s.application.decision, s.application.decision_reason) == (Decision.REFUSE, "Scores too low.")


def test_answers_are_versioned_and_a_returned_one_stays_readable(two_associations):
    s = _scored_with(two_associations, _major)
    major = Finding.objects.get()
    upload = SimpleUploadedFile("log.png", PNG, content_type="image/png")

    first = _answer(major, two_associations.business_user_a, files=[upload])
    with pytest.raises(findings.FindingError, match="why"):
        findings.return_answer(major, actor=two_associations.auditor, reason="")
    findings.return_answer(major, actor=two_associations.auditor, reason="Show a week of entries.")
    second = _answer(major, two_associations.business_user_a)

    first.refresh_from_db()
    assert (first.version, first.review, first.review_reason) == (1, "returned", "Show a week of entries.")
    assert [e.original_name for e in first.evidence.all()] == ["log.png"]
    assert second.version == 2
    assert CorrectiveAction.objects.count() == 2
    assert s.application.evidence.filter(original_name="log.png").exists()


def test_answer_refuses_a_due_date_past_the_window(two_associations):
    _scored_with(two_associations, _major)

    with pytest.raises(findings.FindingError, match="on or before"):
        _answer(Finding.objects.get(), two_associations.business_user_a, days=31)


def test_answer_refuses_a_file_of_a_forbidden_type(two_associations):
    _scored_with(two_associations, _major)
    script = SimpleUploadedFile("x.png", b"#!/bin/sh\necho hi\n", content_type="image/png")

    with pytest.raises(findings.FindingError):
        _answer(Finding.objects.get(), two_associations.business_user_a, files=[script])

    assert not CorrectiveAction.objects.exists()


def test_illegal_transitions_are_refused_with_a_clear_message(two_associations):
    _scored_with(two_associations, _major)
    major = Finding.objects.get()

    with pytest.raises(findings.FindingError, match="This finding is open, so it cannot be accepted"):
        findings.accept_answer(major, actor=two_associations.auditor)
    with pytest.raises(findings.FindingError, match="business's own users"):
        _answer(major, two_associations.auditor)
    with pytest.raises(findings.FindingError, match="business's own users"):
        _answer(major, two_associations.business_user_b)
    _answer(major, two_associations.business_user_a)
    with pytest.raises(findings.FindingError, match="auditor assigned"):
        findings.accept_answer(major, actor=two_associations.staff_admin_a)


def test_every_step_lands_in_the_history(two_associations):
    s = _scored_with(two_associations, _major)

    _close(Finding.objects.get(), two_associations)

    actions = list(
        ActionLog.objects.for_object(s.application)
        .filter(action__startswith="finding.")
        .values_list("action", flat=True)
    )
    assert actions == [
        "finding.drafted",
        "finding.raised",
        "finding.answer",
        "finding.answer_version",
        "finding.accept",
        "finding.verify",
    ]


def test_auditor_of_another_application_cannot_review_answers(two_associations):
    _scored_with(two_associations, _major)
    major = Finding.objects.get()
    _answer(major, two_associations.business_user_a)
    stranger = f.AuditorFactory(associations=[two_associations.a]).user

    with pytest.raises(findings.FindingError, match="auditor assigned"):
        findings.accept_answer(major, actor=stranger)
    assert list(Finding.objects.visible_to(stranger)) == []


def test_history_is_labelled_per_audience_and_hides_the_auditors_drafting_from_the_business(two_associations):
    s = _scored_with(two_associations, _major)
    major = Finding.objects.get()
    _answer(major, two_associations.business_user_a)
    findings.return_answer(major, actor=two_associations.auditor, reason="Show a week of entries.")

    business = [(e.label, e.reason) for e in application_history(s.application, audience=BUSINESS)]
    full = [e.label for e in application_history(s.application, audience=FULL)]

    assert ("Corrective action returned", "Show a week of entries.") in business
    assert "Corrective action submitted" in [label for label, _reason in business]
    assert "Finding drafted" not in [label for label, _reason in business]
    assert {"Finding drafted", "Finding raised", "Corrective action returned"} <= set(full)
