"""Every transition of the application state machine, allowed and refused
(wrong state, wrong actor), with the state and the history rows it leaves."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from associations.models import ActionLog, Dimension
from certification import services
from certification.models import Application, ApplicationStatus, ChangeRequest
from certification.services import CertificationError
from tests import factories as f

S = ApplicationStatus


@pytest.fixture
def draft_with_criteria(two_associations):
    standard = f.PublishedStandardFactory(association=two_associations.a, name="Courier service")
    r1 = f.CriterionFactory(standard=standard, code="R1", dimension=Dimension.RELIABILITY)
    r2 = f.CriterionFactory(standard=standard, code="T1", dimension=Dimension.TANGIBLES)
    optional = f.CriterionFactory(
        standard=standard, code="E1", dimension=Dimension.EMPATHY, evidence_required=False
    )
    application = services.create_application(
        two_associations.business_a, standard=standard, actor=two_associations.business_user_a
    )
    return application, [r1, r2, optional]


def pdf(name="evidence.pdf"):
    return SimpleUploadedFile(name, f.PDF_BYTES, content_type="application/pdf")


def attach_all(application, criteria, actor):
    for criterion in criteria:
        if criterion.evidence_required:
            services.attach_evidence(application, criterion=criterion, file=pdf(), actor=actor)


def history(application):
    """(action, from, to, actor) of every state row, oldest first."""
    return [
        (log.action, log.data.get("from"), log.data.get("to"), log.actor)
        for log in ActionLog.objects.for_object(application).filter(action__startswith="application.")
    ]


def status_of(application):
    return Application.objects.get(pk=application.pk).status


def scored(overall: str = "80.00", level=None) -> services.AuditResult:
    """An audit's result, as audits computes it when the auditors finish."""
    return services.AuditResult(
        overall=Decimal(overall), dimensions={"reliability": Decimal(overall)}, level=level
    )


def advance(application, target, w, criteria, result=None):
    """Walk the application along the happy path up to `target` (scored
    with `result`, by default one that reaches no level)."""
    result = result or scored()
    steps = [
        (
            S.SUBMITTED,
            lambda: (
                attach_all(application, criteria, w.business_user_a),
                services.submit_application(application, actor=w.business_user_a),
            ),
        ),
        (S.IN_REVIEW, lambda: services.start_review(application, actor=w.staff_admin_a)),
        (
            S.CHANGES_REQUESTED,
            lambda: services.request_changes(
                application, actor=w.staff_admin_a, items=[(criteria[0], "Add the complaint log.")]
            ),
        ),
    ]
    if target == S.SCORED:
        steps = [
            *steps[:2],
            (S.SCORED, lambda: services.mark_scored(application, actor=w.staff_admin_a, result=result)),
        ]
    for state, step in steps:
        step()
        if state == target:
            break
    return Application.objects.get(pk=application.pk)


def assert_refused(call, application, message_part):
    before_status, before_history = status_of(application), history(application)

    with pytest.raises(CertificationError) as error:
        call()

    assert message_part in str(error.value)
    assert status_of(application) == before_status
    assert history(application) == before_history


# --- create ------------------------------------------------------------------


def test_create_application_starts_a_draft_with_history(draft_with_criteria, two_associations):
    application, _criteria = draft_with_criteria

    assert application.status == S.DRAFT
    assert history(application) == [("application.created", None, "draft", two_associations.business_user_a)]


def test_create_application_refuses_a_second_open_one(draft_with_criteria, two_associations):
    application, _criteria = draft_with_criteria

    with pytest.raises(CertificationError, match="already has an open application"):
        services.create_application(
            two_associations.business_a, standard=application.standard, actor=two_associations.business_user_a
        )

    assert Application.objects.filter(business=two_associations.business_a).count() == 1


def test_create_application_allowed_again_after_withdrawal(draft_with_criteria, two_associations):
    application, _criteria = draft_with_criteria
    services.withdraw_application(application, actor=two_associations.business_user_a)

    again = services.create_application(
        two_associations.business_a, standard=application.standard, actor=two_associations.business_user_a
    )

    assert again.status == S.DRAFT
    assert again.pk != application.pk


def test_create_application_refuses_a_draft_standard(two_associations):
    standard = f.StandardFactory(association=two_associations.a)

    with pytest.raises(CertificationError, match="published standard"):
        services.create_application(
            two_associations.business_a, standard=standard, actor=two_associations.business_user_a
        )

    assert Application.objects.count() == 0


def test_create_application_refuses_another_associations_standard(two_associations):
    standard = f.PublishedStandardFactory(association=two_associations.b)

    with pytest.raises(CertificationError, match="not an active member"):
        services.create_application(
            two_associations.business_a, standard=standard, actor=two_associations.business_user_a
        )

    assert Application.objects.count() == 0


def test_create_application_refuses_someone_outside_the_business(two_associations):
    standard = f.PublishedStandardFactory(association=two_associations.a)

    with pytest.raises(CertificationError, match="business's own users"):
        services.create_application(
            two_associations.business_a, standard=standard, actor=two_associations.business_user_b
        )

    assert Application.objects.count() == 0


# --- submit ------------------------------------------------------------------


def test_submit_moves_draft_to_submitted(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    attach_all(application, criteria, two_associations.business_user_a)

    application = services.submit_application(application, actor=two_associations.business_user_a)

    assert status_of(application) == S.SUBMITTED
    assert application.submitted_at is not None
    assert history(application) == [
        ("application.created", None, "draft", two_associations.business_user_a),
        ("application.submit", "draft", "submitted", two_associations.business_user_a),
    ]


def test_submit_refused_naming_the_missing_criteria(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    services.attach_evidence(
        application, criterion=criteria[1], file=pdf(), actor=two_associations.business_user_a
    )

    assert_refused(
        lambda: services.submit_application(application, actor=two_associations.business_user_a),
        application,
        "Missing: R1.",
    )


def test_submit_refused_for_staff(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    attach_all(application, criteria, two_associations.business_user_a)

    assert_refused(
        lambda: services.submit_application(application, actor=two_associations.staff_admin_a),
        application,
        "Only the business's own users",
    )


def test_submit_refused_for_another_business_before_naming_missing_evidence(
    draft_with_criteria, two_associations
):
    application, _criteria = draft_with_criteria

    assert_refused(
        lambda: services.submit_application(application, actor=two_associations.business_user_b),
        application,
        "Only the business's own users",
    )


def test_submit_refused_when_already_submitted(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    application = advance(application, S.SUBMITTED, two_associations, criteria)

    assert_refused(
        lambda: services.submit_application(application, actor=two_associations.business_user_a),
        application,
        "This application is submitted, so it cannot be submitted.",
    )


# --- start review --------------------------------------------------------------


def test_start_review_by_staff(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    application = advance(application, S.SUBMITTED, two_associations, criteria)

    services.start_review(application, actor=two_associations.staff_admin_a)

    assert status_of(application) == S.IN_REVIEW
    assert history(application)[-1] == (
        "application.start_review",
        "submitted",
        "in_review",
        two_associations.staff_admin_a,
    )


@pytest.mark.parametrize("actor", ["business_user_a", "staff_viewer_a", "staff_b", "auditor"])
def test_start_review_refused_for_non_reviewers(draft_with_criteria, two_associations, actor):
    application, criteria = draft_with_criteria
    application = advance(application, S.SUBMITTED, two_associations, criteria)

    assert_refused(
        lambda: services.start_review(application, actor=getattr(two_associations, actor)),
        application,
        "Only an auditor assigned to this application or association staff",
    )


def test_start_review_refused_from_draft(draft_with_criteria, two_associations):
    application, _criteria = draft_with_criteria

    assert_refused(
        lambda: services.start_review(application, actor=two_associations.staff_admin_a),
        application,
        "This application is draft, so it cannot be taken into review.",
    )


# --- request changes -----------------------------------------------------------


def test_request_changes_records_one_request_per_criterion(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    application = advance(application, S.IN_REVIEW, two_associations, criteria)

    items = [(criteria[0], "Add the log."), (criteria[1], " "), (criteria[2], "Photo")]
    services.request_changes(application, actor=two_associations.staff_admin_a, items=items)

    assert status_of(application) == S.CHANGES_REQUESTED
    assert list(application.change_requests.values_list("criterion__code", "message")) == [
        ("R1", "Add the log."),
        ("E1", "Photo"),
    ]
    log = ActionLog.objects.for_object(application).last()
    assert (log.action, log.data["criteria"]) == ("application.request_changes", ["R1", "E1"])


def test_request_changes_refused_without_any_item(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    application = advance(application, S.IN_REVIEW, two_associations, criteria)

    assert_refused(
        lambda: services.request_changes(
            application, actor=two_associations.staff_admin_a, items=[(criteria[0], "  ")]
        ),
        application,
        "Name at least one criterion",
    )


def test_request_changes_refused_for_another_standards_criterion(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    application = advance(application, S.IN_REVIEW, two_associations, criteria)
    foreign = f.CriterionFactory(standard=f.PublishedStandardFactory(association=two_associations.a))

    assert_refused(
        lambda: services.request_changes(
            application, actor=two_associations.staff_admin_a, items=[(foreign, "x")]
        ),
        application,
        "criteria of this application's standard",
    )


def test_request_changes_refused_from_submitted(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    application = advance(application, S.SUBMITTED, two_associations, criteria)

    assert_refused(
        lambda: services.request_changes(
            application, actor=two_associations.staff_admin_a, items=[(criteria[0], "x")]
        ),
        application,
        "cannot be sent back for changes",
    )
    assert ChangeRequest.objects.count() == 0


def test_request_changes_refused_for_the_business(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    application = advance(application, S.IN_REVIEW, two_associations, criteria)

    assert_refused(
        lambda: services.request_changes(
            application, actor=two_associations.business_user_a, items=[(criteria[0], "x")]
        ),
        application,
        "Only an auditor assigned",
    )
    assert ChangeRequest.objects.count() == 0


# --- answer and resubmit ----------------------------------------------------------


def test_answer_change_request_records_the_answer(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    application = advance(application, S.CHANGES_REQUESTED, two_associations, criteria)
    change_request = application.change_requests.get()

    services.answer_change_request(
        change_request, actor=two_associations.business_user_a, response=" Added. "
    )

    change_request.refresh_from_db()
    assert (change_request.response, change_request.resolved_at) == ("Added.", None)
    log = ActionLog.objects.for_object(application).last()
    assert (log.action, log.data) == ("change_request.answered", {"criterion": "R1", "response": "Added."})


def test_answer_change_request_refused_for_another_business(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    application = advance(application, S.CHANGES_REQUESTED, two_associations, criteria)
    change_request = application.change_requests.get()

    with pytest.raises(CertificationError, match="business's own users"):
        services.answer_change_request(change_request, actor=two_associations.business_user_b, response="x")

    change_request.refresh_from_db()
    assert change_request.response == ""


def test_answer_change_request_refused_when_empty(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    application = advance(application, S.CHANGES_REQUESTED, two_associations, criteria)

    with pytest.raises(CertificationError, match="Say what you changed"):
        services.answer_change_request(
            application.change_requests.get(), actor=two_associations.business_user_a, response="  "
        )


def test_resubmit_moves_back_to_review_and_resolves_requests(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    application = advance(application, S.CHANGES_REQUESTED, two_associations, criteria)
    services.answer_change_request(
        application.change_requests.get(), actor=two_associations.business_user_a, response="Added."
    )

    services.resubmit_application(application, actor=two_associations.business_user_a)

    assert status_of(application) == S.IN_REVIEW
    assert application.change_requests.open().count() == 0
    assert history(application)[-2:] == [
        ("application.request_changes", "in_review", "changes_requested", two_associations.staff_admin_a),
        ("application.resubmit", "changes_requested", "in_review", two_associations.business_user_a),
    ]


def test_resubmit_refused_while_a_request_is_unanswered(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    application = advance(application, S.CHANGES_REQUESTED, two_associations, criteria)

    assert_refused(
        lambda: services.resubmit_application(application, actor=two_associations.business_user_a),
        application,
        "Answer every change request before resubmitting. Open: R1.",
    )


def test_resubmit_refused_for_staff(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    application = advance(application, S.CHANGES_REQUESTED, two_associations, criteria)
    services.answer_change_request(
        application.change_requests.get(), actor=two_associations.business_user_a, response="Added."
    )

    assert_refused(
        lambda: services.resubmit_application(application, actor=two_associations.staff_admin_a),
        application,
        "Only the business's own users",
    )


def test_resubmit_refused_from_draft(draft_with_criteria, two_associations):
    application, _criteria = draft_with_criteria

    assert_refused(
        lambda: services.resubmit_application(application, actor=two_associations.business_user_a),
        application,
        "This application is draft, so it cannot be resubmitted.",
    )


# --- scoring and decision ---------------------------------------------------------


def test_mark_scored_by_staff(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    application = advance(application, S.IN_REVIEW, two_associations, criteria)

    gold = f.LevelFactory(association=two_associations.a, name="Gold", min_score=80)

    services.mark_scored(application, actor=two_associations.staff_admin_a, result=scored("80.00", gold))

    application.refresh_from_db()
    assert (application.status, application.overall_score, application.level_reached) == (
        S.SCORED,
        Decimal("80.00"),
        gold,
    )
    assert application.dimension_scores == {"reliability": "80.00"}
    log = ActionLog.objects.for_object(application).last()
    assert log.data == {
        "from": "in_review",
        "to": "scored",
        "reason": "",
        "overall": "80.00",
        "level_reached": "Gold",
    }


def test_mark_scored_refused_from_submitted_and_for_the_business(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    application = advance(application, S.SUBMITTED, two_associations, criteria)

    assert_refused(
        lambda: services.mark_scored(application, actor=two_associations.staff_admin_a, result=scored()),
        application,
        "cannot be marked as scored",
    )
    services.start_review(application, actor=two_associations.staff_admin_a)
    assert_refused(
        lambda: services.mark_scored(application, actor=two_associations.business_user_a, result=scored()),
        application,
        "Only an auditor assigned",
    )


def test_approve_records_level_and_decider(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    level = f.LevelFactory(association=two_associations.a, name="Gold", min_score=80)
    application = advance(application, S.SCORED, two_associations, criteria, result=scored("80.00", level))

    application = services.approve_application(application, actor=two_associations.staff_admin_a, level=level)

    assert (status_of(application), application.level, application.decided_by) == (
        S.APPROVED,
        level,
        two_associations.staff_admin_a,
    )
    assert history(application)[-1] == (
        "application.approve",
        "scored",
        "approved",
        two_associations.staff_admin_a,
    )


@pytest.mark.parametrize("actor", ["business_user_a", "staff_viewer_a", "staff_b"])
def test_approve_refused_for_non_deciders(draft_with_criteria, two_associations, actor):
    application, criteria = draft_with_criteria
    application = advance(application, S.SCORED, two_associations, criteria)
    level = f.LevelFactory(association=two_associations.a)

    assert_refused(
        lambda: services.approve_application(
            application, actor=getattr(two_associations, actor), level=level
        ),
        application,
        "Only association staff with a deciding role",
    )


def test_approve_refused_before_scoring_and_with_a_foreign_level(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    application = advance(application, S.IN_REVIEW, two_associations, criteria)

    assert_refused(
        lambda: services.approve_application(
            application,
            actor=two_associations.staff_admin_a,
            level=f.LevelFactory(association=two_associations.a),
        ),
        application,
        "This application is in review, so it cannot be approved.",
    )
    assert_refused(
        lambda: services.approve_application(
            application,
            actor=two_associations.staff_admin_a,
            level=f.LevelFactory(association=two_associations.b),
        ),
        application,
        "Choose a level of this application's association.",
    )


def test_reject_with_rationale(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    application = advance(application, S.SCORED, two_associations, criteria)

    services.reject_application(application, actor=two_associations.staff_admin_a, reason="Scores too low.")

    assert status_of(application) == S.REJECTED
    log = ActionLog.objects.for_object(application).last()
    assert (log.action, log.data["reason"]) == ("application.reject", "Scores too low.")


def test_reject_refused_without_rationale_wrong_state_or_actor(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    application = advance(application, S.SCORED, two_associations, criteria)

    assert_refused(
        lambda: services.reject_application(application, actor=two_associations.staff_admin_a, reason=" "),
        application,
        "Give the rationale",
    )
    assert_refused(
        lambda: services.reject_application(
            application, actor=two_associations.business_user_a, reason="No."
        ),
        application,
        "Only association staff with a deciding role",
    )
    services.reject_application(application, actor=two_associations.staff_admin_a, reason="No.")
    assert_refused(
        lambda: services.reject_application(application, actor=two_associations.staff_admin_a, reason="No."),
        application,
        "This application is rejected, so it cannot be rejected.",
    )


# --- withdraw ---------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED])
def test_withdraw_allowed_from_open_business_states(draft_with_criteria, two_associations, state):
    application, criteria = draft_with_criteria
    application = advance(application, state, two_associations, criteria) if state != S.DRAFT else application

    services.withdraw_application(application, actor=two_associations.business_user_a, reason="Not ready")

    assert status_of(application) == S.WITHDRAWN
    log = ActionLog.objects.for_object(application).last()
    assert (log.action, log.data["from"], log.data["reason"]) == ("application.withdraw", state, "Not ready")


@pytest.mark.parametrize("state", [S.IN_REVIEW, S.SCORED])
def test_withdraw_refused_while_under_review(draft_with_criteria, two_associations, state):
    application, criteria = draft_with_criteria
    application = advance(application, state, two_associations, criteria)

    assert_refused(
        lambda: services.withdraw_application(application, actor=two_associations.business_user_a),
        application,
        "cannot be withdrawn",
    )


def test_withdraw_refused_for_staff_and_other_business(draft_with_criteria, two_associations):
    application, _criteria = draft_with_criteria

    assert_refused(
        lambda: services.withdraw_application(application, actor=two_associations.staff_admin_a),
        application,
        "Only the business's own users",
    )
    assert_refused(
        lambda: services.withdraw_application(application, actor=two_associations.business_user_b),
        application,
        "Only the business's own users",
    )


def test_allowed_actions_per_actor(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria

    assert services.allowed_actions(application, two_associations.business_user_a) == ["submit", "withdraw"]
    assert services.allowed_actions(application, two_associations.staff_admin_a) == []
    application = advance(application, S.SUBMITTED, two_associations, criteria)
    assert services.allowed_actions(application, two_associations.business_user_a) == ["withdraw"]
    assert services.allowed_actions(application, two_associations.staff_admin_a) == ["start_review"]
    assert services.allowed_actions(application, two_associations.business_user_b) == []


def test_approve_checks_the_level_against_the_stored_result(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    silver = f.LevelFactory(association=two_associations.a, name="Silver", min_score=70)
    gold = f.LevelFactory(association=two_associations.a, name="Gold", min_score=85)
    application = advance(application, S.SCORED, two_associations, criteria, result=scored("75.00", silver))

    assert_refused(
        lambda: services.approve_application(application, actor=two_associations.staff_admin_a, level=gold),
        application,
        "You cannot approve above the level the scores reached.",
    )
    approved = services.approve_application(application, actor=two_associations.staff_admin_a, level=silver)

    assert (status_of(approved), approved.level) == (S.APPROVED, silver)


def test_approve_below_the_level_reached_needs_a_reason(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    bronze = f.LevelFactory(association=two_associations.a, name="Bronze", min_score=50)
    silver = f.LevelFactory(association=two_associations.a, name="Silver", min_score=70)
    application = advance(application, S.SCORED, two_associations, criteria, result=scored("75.00", silver))

    assert_refused(
        lambda: services.approve_application(application, actor=two_associations.staff_admin_a, level=bronze),
        application,
        "Give a reason for approving below the level reached.",
    )


def test_approve_refused_when_the_scores_reach_no_level(draft_with_criteria, two_associations):
    application, criteria = draft_with_criteria
    bronze = f.LevelFactory(association=two_associations.a, name="Bronze", min_score=50)
    application = advance(application, S.SCORED, two_associations, criteria, result=scored("40.00"))

    assert_refused(
        lambda: services.approve_application(
            application, actor=two_associations.staff_admin_a, level=bronze, reason="Close enough."
        ),
        application,
        "The scores reach no certification level; reject the application instead.",
    )
