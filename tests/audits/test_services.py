from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from associations.models import ActionLog, Dimension
from audits import queries, services
from audits.models import Assignment, Consensus, Score
from certification import services as certification
from certification.models import Application, ApplicationStatus
from members.models import ConflictOfInterest, Declaration
from tests import factories as f

from .scenario import build, full_scores, second_auditor

DUE = timezone.localdate() + timedelta(days=10)


def _actions(application):
    return [entry.action for entry in ActionLog.objects.for_object(application)]


def test_assign_auditor_creates_assignment_logs_and_emails(
    two_associations, django_capture_on_commit_callbacks
):
    s = build(two_associations, declared=False)
    profile = f.AuditorFactory(associations=[two_associations.a])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assignment = services.assign_auditor(
            s.application, auditor=profile, due_date=DUE, actor=two_associations.staff_admin_a
        )

    assert (assignment.declaration, assignment.due_date, assignment.assigned_by) == (
        Declaration.PENDING,
        DUE,
        two_associations.staff_admin_a,
    )
    assert _actions(s.application)[-1] == "audit.assigned"
    assert [m.to for m in mail.outbox] == [[profile.user.email]]


def test_assignment_email_uses_the_auditors_language(two_associations, django_capture_on_commit_callbacks):
    s = build(two_associations, declared=False)
    profile = f.AuditorFactory(associations=[two_associations.a], user__language="ur")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.assign_auditor(
            s.application, auditor=profile, due_date=DUE, actor=two_associations.staff_admin_a
        )

    assert len(mail.outbox) == 1
    assert two_associations.business_a.name in mail.outbox[0].subject


@pytest.mark.parametrize("case", ["business_user", "declared_conflict", "other_association", "twice"])
def test_assign_auditor_refuses_a_dependent_auditor(two_associations, case):
    s = build(two_associations, declared=False)
    profile = f.AuditorFactory(associations=[two_associations.a])
    if case == "business_user":
        f.BusinessUserFactory(business=two_associations.business_a, user=profile.user)
    elif case == "declared_conflict":
        ConflictOfInterest.objects.create(
            auditor=profile,
            business=two_associations.business_a,
            association=two_associations.a,
            reason="Cousin owns it",
        )
    elif case == "other_association":
        profile = f.AuditorFactory(associations=[two_associations.b])
    else:
        profile = two_associations.auditor.auditor_profile

    with pytest.raises(services.AuditError) as error:
        services.assign_auditor(
            s.application, auditor=profile, due_date=DUE, actor=two_associations.staff_admin_a
        )

    expected = {
        "business_user": f"is a user of {two_associations.business_a.name}",
        "declared_conflict": "declared a conflict of interest with Alpha Traders: Cousin owns it",
        "other_association": f"does not audit for {two_associations.a.name}",
        "twice": "already assigned",
    }[case]
    assert expected in str(error.value)


def test_assign_auditor_refuses_a_viewer(two_associations):
    s = build(two_associations, declared=False)

    with pytest.raises(services.AuditError):
        services.assign_auditor(
            s.application,
            auditor=f.AuditorFactory(associations=[two_associations.a]),
            due_date=DUE,
            actor=two_associations.staff_viewer_a,
        )


def test_first_no_conflict_declaration_starts_the_review(two_associations):
    s = build(two_associations, declared=False)

    services.declare_no_conflict(s.assignment, actor=two_associations.auditor)

    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.IN_REVIEW
    assert _actions(s.application)[-2:] == ["audit.no_conflict", "application.start_review"]


def test_declare_conflict_returns_the_assignment_and_refuses_later_assignments(two_associations):
    s = build(two_associations, declared=False)

    services.declare_conflict(s.assignment, actor=two_associations.auditor, reason="I consulted for them")

    s.assignment.refresh_from_db()
    s.application.refresh_from_db()
    assert (s.assignment.declaration, s.assignment.conflict_reason) == (
        Declaration.CONFLICT,
        "I consulted for them",
    )
    assert s.application.status == ApplicationStatus.SUBMITTED
    assert "I consulted for them" in services.assignment_refusal(
        f.SubmittedApplicationFactory(
            business=two_associations.business_a, standard__association=two_associations.a
        ),
        two_associations.auditor.auditor_profile,
    )


def test_declare_conflict_needs_a_reason_and_only_once(two_associations):
    s = build(two_associations, declared=False)

    with pytest.raises(services.AuditError):
        services.declare_conflict(s.assignment, actor=two_associations.auditor, reason="  ")
    services.declare_no_conflict(s.assignment, actor=two_associations.auditor)
    with pytest.raises(services.AuditError):
        services.declare_conflict(s.assignment, actor=two_associations.auditor, reason="late")


def test_only_the_assigned_auditor_declares(two_associations):
    s = build(two_associations, declared=False)

    with pytest.raises(services.AuditError):
        services.declare_no_conflict(s.assignment, actor=two_associations.staff_admin_a)


def test_save_scores_draft_then_submit_locks_and_marks_scored(two_associations):
    s = build(two_associations)

    services.save_scores(s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria[:2], 4))
    scorecard = services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 5), submit=True
    )

    s.application.refresh_from_db()
    assert scorecard.is_submitted
    assert sorted(Score.objects.filter(scorecard=scorecard).values_list("score", flat=True)) == [5] * 5
    assert s.application.status == ApplicationStatus.SCORED
    with pytest.raises(services.AuditError):
        services.save_scores(s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 1))


def test_save_scores_logs_before_and_after(two_associations):
    s = build(two_associations)
    c = s.criteria[0]
    services.save_scores(s.assignment, actor=two_associations.auditor, entries={c.pk: (4, "ok")})

    services.save_scores(s.assignment, actor=two_associations.auditor, entries={c.pk: (5, "better")})

    entry = ActionLog.objects.for_object(s.application).filter(action="audit.scores_saved").last()
    assert entry.data["before"] == {c.code: [4, "ok"]}
    assert entry.data["after"] == {c.code: [5, "better"]}
    with pytest.raises(ValueError):
        entry.save()


def test_score_below_half_needs_a_comment(two_associations):
    s = build(two_associations)

    with pytest.raises(services.AuditError) as error:
        services.save_scores(
            s.assignment, actor=two_associations.auditor, entries={s.criteria[0].pk: (2, "")}
        )

    assert "Explain a score below half the maximum" in str(error.value)


def test_score_out_of_range_and_incomplete_submit_are_refused(two_associations):
    s = build(two_associations)

    with pytest.raises(services.AuditError):
        services.save_scores(
            s.assignment, actor=two_associations.auditor, entries={s.criteria[0].pk: (6, "x")}
        )
    with pytest.raises(services.AuditError) as error:
        services.save_scores(
            s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria[:4], 5), submit=True
        )
    assert f"{s.criteria[4].code}: Give a score." in str(error.value)


def test_scoring_needs_the_declaration(two_associations):
    s = build(two_associations, declared=False)

    with pytest.raises(services.AuditError):
        services.save_scores(s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 5))


def test_not_scored_until_every_auditor_submitted(two_associations):
    s = build(two_associations)
    other = second_auditor(two_associations, s.application)

    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 5), submit=True
    )
    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.IN_REVIEW

    services.save_scores(other, actor=other.auditor.user, entries=full_scores(s.criteria, 4), submit=True)
    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.SCORED


def test_disagreement_waits_for_consensus_then_scores(two_associations):
    s = build(two_associations)
    other = second_auditor(two_associations, s.application)
    disputed = s.criteria[2]
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 5), submit=True
    )
    services.save_scores(
        other,
        actor=other.auditor.user,
        entries={**full_scores(s.criteria, 5), disputed.pk: (1, "Nothing shown")},
        submit=True,
    )
    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.IN_REVIEW
    assert queries.result_for(s.application).open_flags == [disputed.code]

    services.record_consensus(
        s.application,
        criterion=disputed,
        score=Decimal(3),
        rationale="Partly met",
        actor=two_associations.auditor,
    )

    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.SCORED
    result = queries.result_for(s.application)
    assert result.scores[disputed.code] == Decimal(3)
    assert result.outcome.overall.value == Decimal("92.00")
    assert _actions(s.application)[-2:] == ["audit.consensus", "application.mark_scored"]


def test_consensus_only_for_flagged_criteria_after_everyone_submitted(two_associations):
    s = build(two_associations)
    other = second_auditor(two_associations, s.application)
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 5), submit=True
    )

    with pytest.raises(services.AuditError):
        services.record_consensus(
            s.application,
            criterion=s.criteria[0],
            score=Decimal(4),
            rationale="x",
            actor=two_associations.auditor,
        )
    services.save_scores(
        other,
        actor=other.auditor.user,
        entries={**full_scores(s.criteria, 5), s.criteria[1].pk: (1, "No")},
        submit=True,
    )
    with pytest.raises(services.AuditError):
        services.record_consensus(
            s.application,
            criterion=s.criteria[0],
            score=Decimal(4),
            rationale="x",
            actor=two_associations.auditor,
        )
    with pytest.raises(services.AuditError):
        services.record_consensus(
            s.application,
            criterion=s.criteria[1],
            score=Decimal(4),
            rationale="",
            actor=two_associations.auditor,
        )
    with pytest.raises(services.AuditError):
        services.record_consensus(
            s.application,
            criterion=s.criteria[1],
            score=Decimal(4),
            rationale="ok",
            actor=two_associations.staff_admin_a,
        )
    assert Consensus.objects.count() == 0


def test_request_changes_emails_the_business_and_shows_what_changed(
    two_associations, django_capture_on_commit_callbacks
):
    s = build(two_associations)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.request_changes(
            s.application, actor=two_associations.auditor, items=[(s.criteria[1], "Add the SLA")]
        )

    assert [m.to for m in mail.outbox] == [[two_associations.business_user_a.email]]
    assert "Add the SLA" in mail.outbox[0].body
    s.application.refresh_from_db()
    change_request = s.application.change_requests.get()
    certification.answer_change_request(
        change_request, actor=two_associations.business_user_a, response="Uploaded"
    )
    new = f.EvidenceFactory(application=s.application, criterion=s.criteria[1])
    certification.resubmit_application(s.application, actor=two_associations.business_user_a)
    requests, evidence = queries.changes_since_request(s.application)
    assert [(r.message, r.response) for r in requests] == [("Add the SLA", "Uploaded")]
    assert evidence == [new]


def test_approve_at_level_reached_emails_the_business(two_associations, django_capture_on_commit_callbacks):
    s = build(two_associations)
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 4), submit=True
    )
    silver = s.levels[1]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        application = services.approve(s.application, actor=two_associations.staff_admin_a, level=silver)

    assert (application.status, application.level) == (ApplicationStatus.APPROVED, silver)
    # Approval also issues the certificate, whose email comes on its own.
    decision_mail = [m for m in mail.outbox if "is ready" not in m.subject]
    assert [m.to for m in decision_mail] == [
        [two_associations.business_user_a.email],
        [two_associations.auditor.email],
    ]
    assert "Silver" in decision_mail[1].body


def test_approve_above_level_reached_or_lower_without_reason_is_refused(two_associations):
    s = build(two_associations)
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 4), submit=True
    )
    bronze, _silver, gold = s.levels

    with pytest.raises(services.AuditError):
        services.approve(s.application, actor=two_associations.staff_admin_a, level=gold)
    with pytest.raises(services.AuditError):
        services.approve(s.application, actor=two_associations.staff_admin_a, level=bronze)
    application = services.approve(
        s.application, actor=two_associations.staff_admin_a, level=bronze, reason="Complaints"
    )
    assert application.level == bronze


def test_kpi_gate_caps_the_level_reached(two_associations):
    s = build(two_associations)
    kpi = f.KpiFactory(association=two_associations.a, code="csat")
    s.criteria[0].kpi, s.criteria[0].kpi_threshold = kpi, Decimal(80)
    s.criteria[0].save()
    old = f.MetricReportFactory(
        business=two_associations.business_a,
        association=two_associations.a,
        period=timezone.localdate().replace(day=1) - timedelta(days=40),
    )
    f.MetricValueFactory(report=old, kpi=kpi, value=95)
    latest = f.MetricReportFactory(business=two_associations.business_a, association=two_associations.a)
    f.MetricValueFactory(report=latest, kpi=kpi, value=70)
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 5), submit=True
    )

    result = queries.result_for(s.application)

    assert (result.level_by_score, result.level) == (s.levels[2], s.levels[1])
    assert [(g.code, g.value) for g in result.outcome.capped_by] == [(s.criteria[0].code, Decimal(70))]


def test_scoring_stores_the_result_the_decision_is_checked_against(two_associations):
    s = build(two_associations)
    kpi = f.KpiFactory(association=two_associations.a, code="csat")
    s.criteria[0].kpi, s.criteria[0].kpi_threshold = kpi, Decimal(80)
    s.criteria[0].save()
    f.MetricValueFactory(
        report=f.MetricReportFactory(business=two_associations.business_a, association=two_associations.a),
        kpi=kpi,
        value=70,
    )
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 5), submit=True
    )

    kpi.values.update(value=95)  # the business reports better after the scoring
    s.application.refresh_from_db()

    assert s.application.status == ApplicationStatus.SCORED
    assert (s.application.overall_score, s.application.level_reached) == (Decimal("100.00"), s.levels[1])
    assert s.application.dimension_scores == dict.fromkeys(Dimension.values, "100.00")
    assert [gate["criterion"] for gate in s.application.gates_missed] == [s.criteria[0].code]
    with pytest.raises(services.AuditError, match="above the level the scores reached"):
        services.approve(s.application, actor=two_associations.staff_admin_a, level=s.levels[2])


def test_decider_who_scored_is_refused(two_associations):
    s = build(two_associations)
    f.StaffFactory(association=two_associations.a, user=two_associations.auditor, role="officer")
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 5), submit=True
    )

    with pytest.raises(services.AuditError) as error:
        services.approve(s.application, actor=two_associations.auditor, level=s.levels[2])
    with pytest.raises(services.AuditError, match="someone else must decide"):
        services.reject(s.application, actor=two_associations.auditor, reason="no")

    assert "someone else must decide" in str(error.value)
    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.SCORED


def test_reject_needs_a_rationale_and_emails(two_associations, django_capture_on_commit_callbacks):
    s = build(two_associations)
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 1, "weak"), submit=True
    )
    with pytest.raises(services.AuditError):
        services.reject(s.application, actor=two_associations.staff_admin_a, reason=" ")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        application = services.reject(
            s.application, actor=two_associations.staff_admin_a, reason="Below every level"
        )

    assert application.status == ApplicationStatus.REJECTED
    assert [m.to for m in mail.outbox] == [
        [two_associations.business_user_a.email],
        [two_associations.auditor.email],
    ]


def test_cleared_auditor_sees_the_application_only_after_declaring(two_associations):
    s = build(two_associations, declared=False)
    assert list(Application.objects.visible_to(two_associations.auditor)) == []

    services.declare_no_conflict(s.assignment, actor=two_associations.auditor)

    assert list(Application.objects.visible_to(two_associations.auditor)) == [s.application]


def test_queue_lists_overdue_first(two_associations):
    s = build(two_associations, declared=False)
    late = f.AssignmentFactory(
        auditor=two_associations.auditor.auditor_profile,
        application__standard=s.standard,
        due_date=timezone.localdate() - timedelta(days=1),
    )

    assert list(queries.queue_for(two_associations.auditor)) == [late, s.assignment]
    assert Assignment.objects.count() == 2


def test_decided_applications_leave_the_queue(two_associations, django_capture_on_commit_callbacks):
    s = build(two_associations)
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 4), submit=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.reject(
            s.application, actor=two_associations.staff_admin_a, reason="Evidence does not hold up."
        )

    assert list(queries.queue_for(two_associations.auditor)) == []
    assert list(queries.finished_for(two_associations.auditor)) == [s.assignment]


def test_conflict_after_the_others_submitted_lets_the_application_be_scored(two_associations):
    s = build(two_associations)
    late = f.AssignmentFactory(
        application=s.application, auditor=f.AuditorFactory(associations=[two_associations.a])
    )
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 5), submit=True
    )
    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.IN_REVIEW

    services.declare_conflict(late, actor=late.auditor.user, reason="Shareholder")

    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.SCORED


def test_certificate_prints_the_scores_of_the_scorecards(
    two_associations, django_capture_on_commit_callbacks
):
    s = build(two_associations)
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 4), submit=True
    )
    result = queries.result_for(s.application)

    with django_capture_on_commit_callbacks(execute=True):
        services.approve(s.application, actor=two_associations.staff_admin_a, level=s.levels[1])

    certificate = s.application.certificate
    certificate.refresh_from_db()
    assert certificate.overall_score == result.outcome.overall.value
    assert certificate.dimension_scores == {
        dim: str(score.value) for dim, score in result.outcome.dimensions.items() if score.terms
    }


def test_kpi_gate_uses_each_kpis_latest_value_when_the_latest_month_left_it_out(
    two_associations, django_assert_num_queries
):
    s = build(two_associations)
    csat = f.KpiFactory(association=two_associations.a, code="csat")
    response = f.KpiFactory(association=two_associations.a, code="response")
    s.criteria[0].kpi, s.criteria[0].kpi_threshold = csat, Decimal(80)
    s.criteria[0].save()
    s.criteria[1].kpi, s.criteria[1].kpi_threshold = response, Decimal(60)
    s.criteria[1].save()
    old = f.MetricReportFactory(
        business=two_associations.business_a,
        association=two_associations.a,
        period=timezone.localdate().replace(day=1) - timedelta(days=40),
    )
    f.MetricValueFactory(report=old, kpi=csat, value=95)
    f.MetricValueFactory(report=old, kpi=response, value=40)
    latest = f.MetricReportFactory(business=two_associations.business_a, association=two_associations.a)
    f.MetricValueFactory(report=latest, kpi=response, value=75)
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 5), submit=True
    )

    with django_assert_num_queries(1):
        values = queries.latest_kpi_values(s.application)
    result = queries.result_for(s.application)

    assert values == {
        "csat": Decimal(95),
        "response": Decimal(75),
        # Also by source, for the gates that require one.
        ("csat", "reported"): Decimal(95),
        ("response", "reported"): Decimal(75),
    }
    assert [(g.code, g.value, g.passed) for g in result.outcome.gates] == [
        (s.criteria[0].code, Decimal(95), True),
        (s.criteria[1].code, Decimal(75), True),
    ]
    assert result.level == s.levels[2]


def test_conflict_that_completes_the_scoring_records_the_declaring_auditor(two_associations):
    s = build(two_associations)
    late = f.AuditorFactory(associations=[two_associations.a])
    pending = f.AssignmentFactory(application=s.application, auditor=late)
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 5), submit=True
    )

    services.declare_conflict(pending, actor=late.user, reason="My brother runs it")

    entry = ActionLog.objects.for_object(s.application).last()
    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.SCORED
    assert (entry.action, entry.actor, entry.data["after"]) == (
        "application.mark_scored",
        late.user,
        "conflict",
    )


def test_result_visible_to_staff_always_auditors_after_all_submitted_business_after_decision(
    two_associations,
):
    s = build(two_associations)
    other = second_auditor(two_associations, s.application)
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 5), submit=True
    )

    def seen():
        s.application.refresh_from_db()
        return [
            queries.result_visible_to(user, s.application)
            for user in (
                two_associations.staff_admin_a,
                two_associations.auditor,
                two_associations.business_user_a,
            )
        ]

    while_scoring = seen()
    services.save_scores(other, actor=other.auditor.user, entries=full_scores(s.criteria, 5), submit=True)
    scored = seen()
    services.approve(s.application, actor=two_associations.staff_admin_a, level=s.levels[2])
    decided = seen()

    assert (while_scoring, scored, decided) == (
        [True, False, False],
        [True, True, False],
        [True, True, True],
    )
