"""Evidence carried forward by a renewal: the auditor confirms or rejects it,
and the scoring cannot be submitted before."""

import pytest
from django.urls import reverse

from associations.models import ActionLog
from audits import services
from audits.models import Scorecard
from certification import services as certification
from certification.models import ApplicationStatus, Evidence
from tests import factories as f

from .scenario import build, carry_evidence, full_scores


@pytest.fixture
def s(world):
    scenario = build(world)
    scenario.carried = carry_evidence(world, scenario)
    return scenario


def _actions(application):
    return list(
        ActionLog.objects.filter(object_id=application.pk, action__startswith="evidence.carried").values_list(
            "action", "data__criterion"
        )
    )


def test_confirm_carried_evidence_marks_and_logs(s, world):
    services.confirm_carried_evidence(s.assignment, evidence=s.carried, actor=world.auditor)

    s.carried.refresh_from_db()
    assert s.carried.carried_confirmed is True
    assert _actions(s.application) == [("evidence.carried_confirmed", s.criteria[1].code)]


def test_confirm_carried_evidence_refuses_another_auditor(s, world):
    other = f.AuditorFactory(associations=[world.a]).user

    with pytest.raises(services.AuditError):
        services.confirm_carried_evidence(s.assignment, evidence=s.carried, actor=other)

    s.carried.refresh_from_db()
    assert s.carried.carried_confirmed is False


def test_confirm_carried_evidence_refuses_business_at_certification_level(s, world):
    with pytest.raises(certification.CertificationError):
        certification.confirm_carried_evidence(s.carried, actor=world.business_user_a)


def test_confirm_carried_evidence_refuses_evidence_uploaded_this_cycle(s, world):
    with pytest.raises(services.AuditError):
        services.confirm_carried_evidence(s.assignment, evidence=s.evidence, actor=world.auditor)


def test_confirm_carried_evidence_refuses_scored_application(s, world):
    services.confirm_carried_evidence(s.assignment, evidence=s.carried, actor=world.auditor)
    other = carry_evidence(world, s, criterion=s.criteria[2])
    other.carried_confirmed = True
    other.save()
    services.save_scores(s.assignment, actor=world.auditor, entries=full_scores(s.criteria, 5), submit=True)
    other.carried_confirmed = False
    other.save()

    with pytest.raises(services.AuditError, match="scored"):
        services.confirm_carried_evidence(s.assignment, evidence=other, actor=world.auditor)


def test_confirm_carried_evidence_twice_is_refused(s, world):
    services.confirm_carried_evidence(s.assignment, evidence=s.carried, actor=world.auditor)

    with pytest.raises(services.AuditError):
        services.confirm_carried_evidence(s.assignment, evidence=s.carried, actor=world.auditor)


def test_reject_carried_evidence_in_review_requests_changes(s, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_carried_evidence(
            s.assignment, evidence=s.carried, actor=world.auditor, reason="The policy has changed."
        )

    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.CHANGES_REQUESTED
    requested = list(s.application.change_requests.values_list("criterion__code", flat=True))
    assert requested == [s.criteria[1].code]
    assert Evidence.objects.filter(pk=s.carried.pk).exists() is False
    assert s.carried.carried_from.file.storage.exists(s.carried.carried_from.file.name)
    assert _actions(s.application) == [("evidence.carried_rejected", s.criteria[1].code)]
    assert certification.evidence_editable(s.application, s.criteria[1].pk) is True


def test_reject_carried_evidence_needs_a_reason(s, world):
    with pytest.raises(services.AuditError):
        services.reject_carried_evidence(s.assignment, evidence=s.carried, actor=world.auditor, reason=" ")

    assert Evidence.objects.filter(pk=s.carried.pk).exists()


def test_reject_carried_evidence_while_changes_requested_adds_to_the_round(s, world):
    services.request_changes(s.application, actor=world.auditor, items=[(s.criteria[0], "Sign it.")])

    services.reject_carried_evidence(
        s.assignment, evidence=s.carried, actor=world.auditor, reason="Outdated."
    )

    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.CHANGES_REQUESTED
    assert list(s.application.change_requests.open().values_list("criterion__code", flat=True)) == [
        s.criteria[0].code,
        s.criteria[1].code,
    ]


def test_submit_scores_refused_until_carried_evidence_confirmed(s, world):
    entries = full_scores(s.criteria, 5)
    with pytest.raises(services.AuditError, match=s.criteria[1].code):
        services.save_scores(s.assignment, actor=world.auditor, entries=entries, submit=True)

    services.confirm_carried_evidence(s.assignment, evidence=s.carried, actor=world.auditor)
    scorecard = services.save_scores(
        s.assignment, actor=world.auditor, entries=full_scores(s.criteria, 5), submit=True
    )

    assert scorecard.is_submitted


def test_saving_a_draft_is_allowed_with_carried_evidence_unconfirmed(s, world):
    scorecard = services.save_scores(s.assignment, actor=world.auditor, entries=full_scores(s.criteria, 5))

    assert scorecard.is_submitted is False


# --- views ---------------------------------------------------------------------


def test_application_page_marks_carried_evidence(s, client_for):
    response = client_for("auditor").get(reverse("audits:application", args=[s.application.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    until = s.carried.effective_to.isoformat()
    assert f"Carried forward from the previous cycle, effective until {until}." in content
    assert f'data-testid="confirm-carried-{s.carried.pk}"' in content
    assert f'data-testid="confirm-carried-{s.evidence.pk}"' not in content


def test_carried_evidence_view_confirms(s, client_for):
    url = reverse("audits:carried_evidence", args=[s.application.pk, s.carried.pk])

    response = client_for("auditor").post(url, {"decision": "confirm"})

    assert response.status_code == 302
    s.carried.refresh_from_db()
    assert s.carried.carried_confirmed is True


def test_carried_evidence_view_rejects(s, client_for):
    url = reverse("audits:carried_evidence", args=[s.application.pk, s.carried.pk])

    response = client_for("auditor").post(url, {"decision": "reject", "reason": "Expired licence."})

    assert response.status_code == 302
    assert Evidence.objects.filter(pk=s.carried.pk).exists() is False


def test_carried_evidence_view_is_404_for_another_auditor(s, world, client):
    client.force_login(f.AuditorFactory(associations=[world.a]).user)
    url = reverse("audits:carried_evidence", args=[s.application.pk, s.carried.pk])

    response = client.post(url, {"decision": "confirm"})

    assert response.status_code == 404
    s.carried.refresh_from_db()
    assert s.carried.carried_confirmed is False


def test_score_view_submit_names_unconfirmed_carried_criteria(s, client_for):
    data = {f"score-{c.pk}": 5 for c in s.criteria} | {f"comment-{c.pk}": "Seen." for c in s.criteria}
    url = reverse("audits:score", args=[s.application.pk])

    response = client_for("auditor").post(url, {**data, "submit": "1"})

    assert response.status_code == 200
    assert s.criteria[1].code in response.content.decode()
    assert Scorecard.objects.filter(assignment=s.assignment, submitted_at__isnull=False).exists() is False


def test_portal_detail_shows_carried_evidence_and_confirmation(s, world, client_for):
    url = reverse("applications:detail", args=[s.application.pk])
    before = client_for("business_user_a").get(url).content.decode()
    services.confirm_carried_evidence(s.assignment, evidence=s.carried, actor=world.auditor)

    after = client_for("business_user_a").get(url).content.decode()

    assert "Carried from the previous cycle · not confirmed by the auditor yet" in before
    assert "Carried from the previous cycle · confirmed by the auditor" in after
