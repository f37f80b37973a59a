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
def setup(world):
    standard = f.PublishedStandardFactory(association=world.a, name="Courier service")
    r1 = f.CriterionFactory(standard=standard, code="R1", dimension=Dimension.RELIABILITY)
    r2 = f.CriterionFactory(standard=standard, code="T1", dimension=Dimension.TANGIBLES)
    optional = f.CriterionFactory(
        standard=standard, code="E1", dimension=Dimension.EMPATHY, evidence_required=False
    )
    application = services.create_application(
        world.business_a, standard=standard, actor=world.business_user_a
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


def test_create_application_starts_a_draft_with_history(setup, world):
    application, _criteria = setup

    assert application.status == S.DRAFT
    assert history(application) == [("application.created", None, "draft", world.business_user_a)]


def test_create_application_refuses_a_second_open_one(setup, world):
    application, _criteria = setup

    with pytest.raises(CertificationError, match="already has an open application"):
        services.create_application(
            world.business_a, standard=application.standard, actor=world.business_user_a
        )

    assert Application.objects.filter(business=world.business_a).count() == 1


def test_create_application_allowed_again_after_withdrawal(setup, world):
    application, _criteria = setup
    services.withdraw_application(application, actor=world.business_user_a)

    again = services.create_application(
        world.business_a, standard=application.standard, actor=world.business_user_a
    )

    assert again.status == S.DRAFT
    assert again.pk != application.pk


def test_create_application_refuses_a_draft_standard(world):
    standard = f.StandardFactory(association=world.a)

    with pytest.raises(CertificationError, match="published standard"):
        services.create_application(world.business_a, standard=standard, actor=world.business_user_a)

    assert Application.objects.count() == 0


def test_create_application_refuses_another_associations_standard(world):
    standard = f.PublishedStandardFactory(association=world.b)

    with pytest.raises(CertificationError, match="not an active member"):
        services.create_application(world.business_a, standard=standard, actor=world.business_user_a)

    assert Application.objects.count() == 0


def test_create_application_refuses_someone_outside_the_business(world):
    standard = f.PublishedStandardFactory(association=world.a)

    with pytest.raises(CertificationError, match="business's own users"):
        services.create_application(world.business_a, standard=standard, actor=world.business_user_b)

    assert Application.objects.count() == 0


# --- submit ------------------------------------------------------------------


def test_submit_moves_draft_to_submitted(setup, world):
    application, criteria = setup
    attach_all(application, criteria, world.business_user_a)

    application = services.submit_application(application, actor=world.business_user_a)

    assert status_of(application) == S.SUBMITTED
    assert application.submitted_at is not None
    assert history(application) == [
        ("application.created", None, "draft", world.business_user_a),
        ("application.submit", "draft", "submitted", world.business_user_a),
    ]


def test_submit_refused_naming_the_missing_criteria(setup, world):
    application, criteria = setup
    services.attach_evidence(application, criterion=criteria[1], file=pdf(), actor=world.business_user_a)

    assert_refused(
        lambda: services.submit_application(application, actor=world.business_user_a),
        application,
        "Missing: R1.",
    )


def test_submit_refused_for_staff(setup, world):
    application, criteria = setup
    attach_all(application, criteria, world.business_user_a)

    assert_refused(
        lambda: services.submit_application(application, actor=world.staff_admin_a),
        application,
        "Only the business's own users",
    )


def test_submit_refused_for_another_business_before_naming_missing_evidence(setup, world):
    application, _criteria = setup

    assert_refused(
        lambda: services.submit_application(application, actor=world.business_user_b),
        application,
        "Only the business's own users",
    )


def test_submit_refused_when_already_submitted(setup, world):
    application, criteria = setup
    application = advance(application, S.SUBMITTED, world, criteria)

    assert_refused(
        lambda: services.submit_application(application, actor=world.business_user_a),
        application,
        "This application is submitted, so it cannot be submitted.",
    )


# --- start review --------------------------------------------------------------


def test_start_review_by_staff(setup, world):
    application, criteria = setup
    application = advance(application, S.SUBMITTED, world, criteria)

    services.start_review(application, actor=world.staff_admin_a)

    assert status_of(application) == S.IN_REVIEW
    assert history(application)[-1] == (
        "application.start_review",
        "submitted",
        "in_review",
        world.staff_admin_a,
    )


@pytest.mark.parametrize("actor", ["business_user_a", "staff_viewer_a", "staff_b", "auditor"])
def test_start_review_refused_for_non_reviewers(setup, world, actor):
    application, criteria = setup
    application = advance(application, S.SUBMITTED, world, criteria)

    assert_refused(
        lambda: services.start_review(application, actor=getattr(world, actor)),
        application,
        "Only an auditor assigned to this application or association staff",
    )


def test_start_review_refused_from_draft(setup, world):
    application, _criteria = setup

    assert_refused(
        lambda: services.start_review(application, actor=world.staff_admin_a),
        application,
        "This application is draft, so it cannot be taken into review.",
    )


# --- request changes -----------------------------------------------------------


def test_request_changes_records_one_request_per_criterion(setup, world):
    application, criteria = setup
    application = advance(application, S.IN_REVIEW, world, criteria)

    items = [(criteria[0], "Add the log."), (criteria[1], " "), (criteria[2], "Photo")]
    services.request_changes(application, actor=world.staff_admin_a, items=items)

    assert status_of(application) == S.CHANGES_REQUESTED
    assert list(application.change_requests.values_list("criterion__code", "message")) == [
        ("R1", "Add the log."),
        ("E1", "Photo"),
    ]
    log = ActionLog.objects.for_object(application).last()
    assert (log.action, log.data["criteria"]) == ("application.request_changes", ["R1", "E1"])


def test_request_changes_refused_without_any_item(setup, world):
    application, criteria = setup
    application = advance(application, S.IN_REVIEW, world, criteria)

    assert_refused(
        lambda: services.request_changes(application, actor=world.staff_admin_a, items=[(criteria[0], "  ")]),
        application,
        "Name at least one criterion",
    )


def test_request_changes_refused_for_another_standards_criterion(setup, world):
    application, criteria = setup
    application = advance(application, S.IN_REVIEW, world, criteria)
    foreign = f.CriterionFactory(standard=f.PublishedStandardFactory(association=world.a))

    assert_refused(
        lambda: services.request_changes(application, actor=world.staff_admin_a, items=[(foreign, "x")]),
        application,
        "criteria of this application's standard",
    )


def test_request_changes_refused_from_submitted(setup, world):
    application, criteria = setup
    application = advance(application, S.SUBMITTED, world, criteria)

    assert_refused(
        lambda: services.request_changes(application, actor=world.staff_admin_a, items=[(criteria[0], "x")]),
        application,
        "cannot be sent back for changes",
    )
    assert ChangeRequest.objects.count() == 0


def test_request_changes_refused_for_the_business(setup, world):
    application, criteria = setup
    application = advance(application, S.IN_REVIEW, world, criteria)

    assert_refused(
        lambda: services.request_changes(
            application, actor=world.business_user_a, items=[(criteria[0], "x")]
        ),
        application,
        "Only an auditor assigned",
    )
    assert ChangeRequest.objects.count() == 0


# --- answer and resubmit ----------------------------------------------------------


def test_answer_change_request_records_the_answer(setup, world):
    application, criteria = setup
    application = advance(application, S.CHANGES_REQUESTED, world, criteria)
    change_request = application.change_requests.get()

    services.answer_change_request(change_request, actor=world.business_user_a, response=" Added. ")

    change_request.refresh_from_db()
    assert (change_request.response, change_request.resolved_at) == ("Added.", None)
    log = ActionLog.objects.for_object(application).last()
    assert (log.action, log.data) == ("change_request.answered", {"criterion": "R1", "response": "Added."})


def test_answer_change_request_refused_for_another_business(setup, world):
    application, criteria = setup
    application = advance(application, S.CHANGES_REQUESTED, world, criteria)
    change_request = application.change_requests.get()

    with pytest.raises(CertificationError, match="business's own users"):
        services.answer_change_request(change_request, actor=world.business_user_b, response="x")

    change_request.refresh_from_db()
    assert change_request.response == ""


def test_answer_change_request_refused_when_empty(setup, world):
    application, criteria = setup
    application = advance(application, S.CHANGES_REQUESTED, world, criteria)

    with pytest.raises(CertificationError, match="Say what you changed"):
        services.answer_change_request(
            application.change_requests.get(), actor=world.business_user_a, response="  "
        )


def test_resubmit_moves_back_to_review_and_resolves_requests(setup, world):
    application, criteria = setup
    application = advance(application, S.CHANGES_REQUESTED, world, criteria)
    services.answer_change_request(
        application.change_requests.get(), actor=world.business_user_a, response="Added."
    )

    services.resubmit_application(application, actor=world.business_user_a)

    assert status_of(application) == S.IN_REVIEW
    assert application.change_requests.open().count() == 0
    assert history(application)[-2:] == [
        ("application.request_changes", "in_review", "changes_requested", world.staff_admin_a),
        ("application.resubmit", "changes_requested", "in_review", world.business_user_a),
    ]


def test_resubmit_refused_while_a_request_is_unanswered(setup, world):
    application, criteria = setup
    application = advance(application, S.CHANGES_REQUESTED, world, criteria)

    assert_refused(
        lambda: services.resubmit_application(application, actor=world.business_user_a),
        application,
        "Answer every change request before resubmitting. Open: R1.",
    )


def test_resubmit_refused_for_staff(setup, world):
    application, criteria = setup
    application = advance(application, S.CHANGES_REQUESTED, world, criteria)
    services.answer_change_request(
        application.change_requests.get(), actor=world.business_user_a, response="Added."
    )

    assert_refused(
        lambda: services.resubmit_application(application, actor=world.staff_admin_a),
        application,
        "Only the business's own users",
    )


def test_resubmit_refused_from_draft(setup, world):
    application, _criteria = setup

    assert_refused(
        lambda: services.resubmit_application(application, actor=world.business_user_a),
        application,
        "This application is draft, so it cannot be resubmitted.",
    )


# --- scoring and decision ---------------------------------------------------------


def test_mark_scored_by_staff(setup, world):
    application, criteria = setup
    application = advance(application, S.IN_REVIEW, world, criteria)

    gold = f.LevelFactory(association=world.a, name="Gold", min_score=80)

    services.mark_scored(application, actor=world.staff_admin_a, result=scored("80.00", gold))

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


def test_mark_scored_refused_from_submitted_and_for_the_business(setup, world):
    application, criteria = setup
    application = advance(application, S.SUBMITTED, world, criteria)

    assert_refused(
        lambda: services.mark_scored(application, actor=world.staff_admin_a, result=scored()),
        application,
        "cannot be marked as scored",
    )
    services.start_review(application, actor=world.staff_admin_a)
    assert_refused(
        lambda: services.mark_scored(application, actor=world.business_user_a, result=scored()),
        application,
        "Only an auditor assigned",
    )


def test_approve_records_level_and_decider(setup, world):
    application, criteria = setup
    level = f.LevelFactory(association=world.a, name="Gold", min_score=80)
    application = advance(application, S.SCORED, world, criteria, result=scored("80.00", level))

    application = services.approve_application(application, actor=world.staff_admin_a, level=level)

    assert (status_of(application), application.level, application.decided_by) == (
        S.APPROVED,
        level,
        world.staff_admin_a,
    )
    assert history(application)[-1] == ("application.approve", "scored", "approved", world.staff_admin_a)


@pytest.mark.parametrize("actor", ["business_user_a", "staff_viewer_a", "staff_b"])
def test_approve_refused_for_non_deciders(setup, world, actor):
    application, criteria = setup
    application = advance(application, S.SCORED, world, criteria)
    level = f.LevelFactory(association=world.a)

    assert_refused(
        lambda: services.approve_application(application, actor=getattr(world, actor), level=level),
        application,
        "Only association staff with a deciding role",
    )


def test_approve_refused_before_scoring_and_with_a_foreign_level(setup, world):
    application, criteria = setup
    application = advance(application, S.IN_REVIEW, world, criteria)

    assert_refused(
        lambda: services.approve_application(
            application, actor=world.staff_admin_a, level=f.LevelFactory(association=world.a)
        ),
        application,
        "This application is in review, so it cannot be approved.",
    )
    assert_refused(
        lambda: services.approve_application(
            application, actor=world.staff_admin_a, level=f.LevelFactory(association=world.b)
        ),
        application,
        "Choose a level of this application's association.",
    )


def test_reject_with_rationale(setup, world):
    application, criteria = setup
    application = advance(application, S.SCORED, world, criteria)

    services.reject_application(application, actor=world.staff_admin_a, reason="Scores too low.")

    assert status_of(application) == S.REJECTED
    log = ActionLog.objects.for_object(application).last()
    assert (log.action, log.data["reason"]) == ("application.reject", "Scores too low.")


def test_reject_refused_without_rationale_wrong_state_or_actor(setup, world):
    application, criteria = setup
    application = advance(application, S.SCORED, world, criteria)

    assert_refused(
        lambda: services.reject_application(application, actor=world.staff_admin_a, reason=" "),
        application,
        "Give the rationale",
    )
    assert_refused(
        lambda: services.reject_application(application, actor=world.business_user_a, reason="No."),
        application,
        "Only association staff with a deciding role",
    )
    services.reject_application(application, actor=world.staff_admin_a, reason="No.")
    assert_refused(
        lambda: services.reject_application(application, actor=world.staff_admin_a, reason="No."),
        application,
        "This application is rejected, so it cannot be rejected.",
    )


# --- withdraw ---------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED])
def test_withdraw_allowed_from_open_business_states(setup, world, state):
    application, criteria = setup
    application = advance(application, state, world, criteria) if state != S.DRAFT else application

    services.withdraw_application(application, actor=world.business_user_a, reason="Not ready")

    assert status_of(application) == S.WITHDRAWN
    log = ActionLog.objects.for_object(application).last()
    assert (log.action, log.data["from"], log.data["reason"]) == ("application.withdraw", state, "Not ready")


@pytest.mark.parametrize("state", [S.IN_REVIEW, S.SCORED])
def test_withdraw_refused_while_under_review(setup, world, state):
    application, criteria = setup
    application = advance(application, state, world, criteria)

    assert_refused(
        lambda: services.withdraw_application(application, actor=world.business_user_a),
        application,
        "cannot be withdrawn",
    )


def test_withdraw_refused_for_staff_and_other_business(setup, world):
    application, _criteria = setup

    assert_refused(
        lambda: services.withdraw_application(application, actor=world.staff_admin_a),
        application,
        "Only the business's own users",
    )
    assert_refused(
        lambda: services.withdraw_application(application, actor=world.business_user_b),
        application,
        "Only the business's own users",
    )


def test_allowed_actions_per_actor(setup, world):
    application, criteria = setup

    assert services.allowed_actions(application, world.business_user_a) == ["submit", "withdraw"]
    assert services.allowed_actions(application, world.staff_admin_a) == []
    application = advance(application, S.SUBMITTED, world, criteria)
    assert services.allowed_actions(application, world.business_user_a) == ["withdraw"]
    assert services.allowed_actions(application, world.staff_admin_a) == ["start_review"]
    assert services.allowed_actions(application, world.business_user_b) == []


def test_approve_checks_the_level_against_the_stored_result(setup, world):
    application, criteria = setup
    silver = f.LevelFactory(association=world.a, name="Silver", min_score=70)
    gold = f.LevelFactory(association=world.a, name="Gold", min_score=85)
    application = advance(application, S.SCORED, world, criteria, result=scored("75.00", silver))

    assert_refused(
        lambda: services.approve_application(application, actor=world.staff_admin_a, level=gold),
        application,
        "You cannot approve above the level the scores reached.",
    )
    approved = services.approve_application(application, actor=world.staff_admin_a, level=silver)

    assert (status_of(approved), approved.level) == (S.APPROVED, silver)


def test_approve_below_the_level_reached_needs_a_reason(setup, world):
    application, criteria = setup
    bronze = f.LevelFactory(association=world.a, name="Bronze", min_score=50)
    silver = f.LevelFactory(association=world.a, name="Silver", min_score=70)
    application = advance(application, S.SCORED, world, criteria, result=scored("75.00", silver))

    assert_refused(
        lambda: services.approve_application(application, actor=world.staff_admin_a, level=bronze),
        application,
        "Give a reason for approving below the level reached.",
    )


def test_approve_refused_when_the_scores_reach_no_level(setup, world):
    application, criteria = setup
    bronze = f.LevelFactory(association=world.a, name="Bronze", min_score=50)
    application = advance(application, S.SCORED, world, criteria, result=scored("40.00"))

    assert_refused(
        lambda: services.approve_application(
            application, actor=world.staff_admin_a, level=bronze, reason="Close enough."
        ),
        application,
        "The scores reach no certification level; reject the application instead.",
    )
