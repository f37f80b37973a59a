"""Evidence carried forward by a renewal: the auditor confirms or rejects it,
and the scoring cannot be submitted before."""

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from associations.models import ActionLog
from audits import services
from audits.models import Scorecard
from certification import services as certification
from certification.models import ApplicationStatus, Evidence
from tests import factories as f

from .scenario import build, carry_evidence, full_scores


@pytest.fixture
def renewal(two_associations):
    scenario = build(two_associations)
    scenario.carried = carry_evidence(two_associations, scenario)
    return scenario


def _actions(application):
    return list(
        ActionLog.objects.filter(object_id=application.pk, action__startswith="evidence.carried").values_list(
            "action", "data__criterion"
        )
    )


def test_confirm_carried_evidence_marks_and_logs(renewal, two_associations):
    services.confirm_carried_evidence(
        renewal.assignment, evidence=renewal.carried, actor=two_associations.auditor
    )

    renewal.carried.refresh_from_db()
    assert renewal.carried.carried_confirmed is True
    assert _actions(renewal.application) == [("evidence.carried_confirmed", renewal.criteria[1].code)]


def test_confirm_carried_evidence_refuses_another_auditor(renewal, two_associations):
    other = f.AuditorFactory(associations=[two_associations.a]).user

    with pytest.raises(services.AuditError):
        services.confirm_carried_evidence(renewal.assignment, evidence=renewal.carried, actor=other)

    renewal.carried.refresh_from_db()
    assert renewal.carried.carried_confirmed is False


def test_confirm_carried_evidence_refuses_business_at_certification_level(renewal, two_associations):
    with pytest.raises(certification.CertificationError):
        certification.confirm_carried_evidence(renewal.carried, actor=two_associations.business_user_a)


def test_confirm_carried_evidence_refuses_evidence_uploaded_this_cycle(renewal, two_associations):
    with pytest.raises(services.AuditError):
        services.confirm_carried_evidence(
            renewal.assignment, evidence=renewal.evidence, actor=two_associations.auditor
        )


def test_confirm_carried_evidence_refuses_scored_application(renewal, two_associations):
    services.confirm_carried_evidence(
        renewal.assignment, evidence=renewal.carried, actor=two_associations.auditor
    )
    other = carry_evidence(two_associations, renewal, criterion=renewal.criteria[2])
    other.carried_confirmed = True
    other.save()
    services.save_scores(
        renewal.assignment,
        actor=two_associations.auditor,
        entries=full_scores(renewal.criteria, 5),
        submit=True,
    )
    other.carried_confirmed = False
    other.save()

    with pytest.raises(services.AuditError, match="scored"):
        services.confirm_carried_evidence(renewal.assignment, evidence=other, actor=two_associations.auditor)


def test_confirm_carried_evidence_twice_is_refused(renewal, two_associations):
    services.confirm_carried_evidence(
        renewal.assignment, evidence=renewal.carried, actor=two_associations.auditor
    )

    with pytest.raises(services.AuditError):
        services.confirm_carried_evidence(
            renewal.assignment, evidence=renewal.carried, actor=two_associations.auditor
        )


def test_reject_carried_evidence_in_review_requests_changes(
    renewal, two_associations, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.reject_carried_evidence(
            renewal.assignment,
            evidence=renewal.carried,
            actor=two_associations.auditor,
            reason="The policy has changed.",
        )

    renewal.application.refresh_from_db()
    assert renewal.application.status == ApplicationStatus.CHANGES_REQUESTED
    requested = list(renewal.application.change_requests.values_list("criterion__code", flat=True))
    assert requested == [renewal.criteria[1].code]
    assert Evidence.objects.filter(pk=renewal.carried.pk).exists() is False
    assert renewal.carried.carried_from.file.storage.exists(renewal.carried.carried_from.file.name)
    assert _actions(renewal.application) == [("evidence.carried_rejected", renewal.criteria[1].code)]
    assert certification.evidence_editable(renewal.application, renewal.criteria[1].pk) is True


def test_reject_carried_evidence_needs_a_reason(renewal, two_associations):
    with pytest.raises(services.AuditError):
        services.reject_carried_evidence(
            renewal.assignment, evidence=renewal.carried, actor=two_associations.auditor, reason=" "
        )

    assert Evidence.objects.filter(pk=renewal.carried.pk).exists()


def test_reject_carried_evidence_while_changes_requested_adds_to_the_round(renewal, two_associations):
    services.request_changes(
        renewal.application, actor=two_associations.auditor, items=[(renewal.criteria[0], "Sign it.")]
    )

    services.reject_carried_evidence(
        renewal.assignment, evidence=renewal.carried, actor=two_associations.auditor, reason="Outdated."
    )

    renewal.application.refresh_from_db()
    assert renewal.application.status == ApplicationStatus.CHANGES_REQUESTED
    assert list(renewal.application.change_requests.open().values_list("criterion__code", flat=True)) == [
        renewal.criteria[0].code,
        renewal.criteria[1].code,
    ]


def test_submit_scores_refused_until_carried_evidence_confirmed(renewal, two_associations):
    entries = full_scores(renewal.criteria, 5)
    with pytest.raises(services.AuditError, match=renewal.criteria[1].code):
        services.save_scores(renewal.assignment, actor=two_associations.auditor, entries=entries, submit=True)

    services.confirm_carried_evidence(
        renewal.assignment, evidence=renewal.carried, actor=two_associations.auditor
    )
    scorecard = services.save_scores(
        renewal.assignment,
        actor=two_associations.auditor,
        entries=full_scores(renewal.criteria, 5),
        submit=True,
    )

    assert scorecard.is_submitted


def test_saving_a_draft_is_allowed_with_carried_evidence_unconfirmed(renewal, two_associations):
    scorecard = services.save_scores(
        renewal.assignment, actor=two_associations.auditor, entries=full_scores(renewal.criteria, 5)
    )

    assert scorecard.is_submitted is False


# --- views ---------------------------------------------------------------------


def test_application_page_marks_carried_evidence(renewal, client_for):
    response = client_for("auditor").get(reverse("audits:application", args=[renewal.application.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    until = date_format(renewal.carried.effective_to, "SHORT_DATE_FORMAT")  # the reader's locale
    assert f"Carried forward from the previous cycle, effective until {until}." in content
    assert f'data-testid="confirm-carried-{renewal.carried.pk}"' in content
    assert f'data-testid="confirm-carried-{renewal.evidence.pk}"' not in content


def test_carried_evidence_view_confirms(renewal, client_for):
    url = reverse("audits:carried_evidence", args=[renewal.application.pk, renewal.carried.pk])

    response = client_for("auditor").post(url, {"decision": "confirm"})

    assert response.status_code == 302
    renewal.carried.refresh_from_db()
    assert renewal.carried.carried_confirmed is True


def test_carried_evidence_view_rejects(renewal, client_for):
    url = reverse("audits:carried_evidence", args=[renewal.application.pk, renewal.carried.pk])

    response = client_for("auditor").post(url, {"decision": "reject", "reason": "Expired licence."})

    assert response.status_code == 302
    assert Evidence.objects.filter(pk=renewal.carried.pk).exists() is False


def test_carried_evidence_view_is_404_for_another_auditor(renewal, two_associations, client):
    client.force_login(f.AuditorFactory(associations=[two_associations.a]).user)
    url = reverse("audits:carried_evidence", args=[renewal.application.pk, renewal.carried.pk])

    response = client.post(url, {"decision": "confirm"})

    assert response.status_code == 404
    renewal.carried.refresh_from_db()
    assert renewal.carried.carried_confirmed is False


def test_score_view_submit_names_unconfirmed_carried_criteria(renewal, client_for):
    data = {f"score-{c.pk}": 5 for c in renewal.criteria} | {
        f"comment-{c.pk}": "Seen." for c in renewal.criteria
    }
    url = reverse("audits:score", args=[renewal.application.pk])

    response = client_for("auditor").post(url, {**data, "submit": "1"})

    assert response.status_code == 200
    assert renewal.criteria[1].code in response.content.decode()
    assert (
        Scorecard.objects.filter(assignment=renewal.assignment, submitted_at__isnull=False).exists() is False
    )


def test_portal_detail_shows_carried_evidence_and_confirmation(renewal, two_associations, client_for):
    url = reverse("applications:detail", args=[renewal.application.pk])
    before = client_for("business_user_a").get(url).content.decode()
    services.confirm_carried_evidence(
        renewal.assignment, evidence=renewal.carried, actor=two_associations.auditor
    )

    after = client_for("business_user_a").get(url).content.decode()

    assert "Carried from the previous cycle · not confirmed by the auditor yet" in before
    assert "Carried from the previous cycle · confirmed by the auditor" in after
