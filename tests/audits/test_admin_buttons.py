"""The buttons on an application's admin page: assign, request changes,
approve (level reached preselected), reject; shown by state and role."""

from django.core import mail
from django.urls import reverse

from audits import services
from audits.models import Assignment
from certification.models import ApplicationStatus, ChangeRequest
from tests import factories as f

from .scenario import build, full_scores
from .test_admin import DUE


def _scored(people, score: int):
    s = build(people)
    services.save_scores(
        s.assignment, actor=people.auditor, entries=full_scores(s.criteria, score), submit=True
    )
    return s


def _page(application) -> str:
    return reverse("admin:certification_application_change", args=[application.pk])


def _button(name: str, application) -> str:
    return reverse(f"admin:certification_application_{name}_button", args=[application.pk])


def test_application_page_shows_the_buttons_its_state_allows(two_associations, client_for):
    in_review = build(two_associations)
    scored = _scored(two_associations, 4)
    client = client_for("staff_admin_a")

    review_page = client.get(_page(in_review.application)).content.decode()
    scored_page = client.get(_page(scored.application)).content.decode()

    assert _button("assign", in_review.application) in review_page
    assert _button("request_changes", in_review.application) in review_page
    assert _button("approve", in_review.application) not in review_page
    assert _button("approve", scored.application) in scored_page
    assert _button("reject", scored.application) in scored_page
    assert _button("request_changes", scored.application) not in scored_page


def test_viewer_sees_no_buttons_and_may_not_open_them(two_associations, client_for):
    s = _scored(two_associations, 4)
    client = client_for("staff_viewer_a")

    page = client.get(_page(s.application)).content.decode()
    opened = client.get(_button("approve", s.application))

    assert "/approve/" not in page
    assert opened.status_code == 403


def test_another_associations_staff_get_404_from_a_button(two_associations, client_for):
    s = _scored(two_associations, 4)

    response = client_for("staff_b").get(_button("approve", s.application))

    assert response.status_code == 404


def test_approve_button_preselects_the_level_reached_and_approves(
    two_associations, client_for, django_capture_on_commit_callbacks
):
    s = _scored(two_associations, 4)  # 80: Silver
    client = client_for("staff_admin_a")

    form_page = client.get(_button("approve", s.application)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            _button("approve", s.application), {"level": s.levels[1].pk, "reason": ""}, follow=True
        )

    assert f'<option value="{s.levels[1].pk}" selected>' in form_page
    assert "certificate is issued" in form_page
    s.application.refresh_from_db()
    assert (s.application.status, s.application.level) == (ApplicationStatus.APPROVED, s.levels[1])
    assert "Approved: the certificate is being issued." in done.content.decode()


def test_approve_button_shows_the_services_refusal_at_the_top(two_associations, client_for):
    s = _scored(two_associations, 4)  # Silver reached: Gold is refused

    response = client_for("staff_admin_a").post(
        _button("approve", s.application), {"level": s.levels[2].pk, "reason": "Generous"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "record-button-page" in body
    assert "You cannot approve above the level the scores reached." in body
    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.SCORED


def test_reject_button_needs_a_rationale_then_rejects(two_associations, client_for):
    s = _scored(two_associations, 1)
    client = client_for("staff_admin_a")

    again = client.post(_button("reject", s.application), {"reason": ""})
    done = client.post(_button("reject", s.application), {"reason": "Evidence missing throughout"})

    assert again.status_code == 200 and "Write the reason for rejecting" in again.content.decode()
    assert done.status_code == 302 and done["Location"] == _page(s.application)
    s.application.refresh_from_db()
    assert (s.application.status, s.application.decision_reason) == (
        ApplicationStatus.REJECTED,
        "Evidence missing throughout",
    )


def test_assign_button_assigns_through_the_service(
    two_associations, client_for, django_capture_on_commit_callbacks
):
    s = build(two_associations)
    profile = f.AuditorFactory(associations=[two_associations.a])
    f.AuditorFactory(associations=[two_associations.b])  # not offered
    client = client_for("staff_admin_a")

    form_page = client.get(_button("assign", s.application)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(_button("assign", s.application), {"auditor": profile.pk, "due_date": DUE})

    assert done.status_code == 302
    assert Assignment.objects.get(auditor=profile).assigned_by == two_associations.staff_admin_a
    assert [m.to for m in mail.outbox] == [[profile.user.email]]
    assert form_page.count("<option value=") == 3  # empty, the scenario's auditor, the new one


def test_assign_button_refuses_an_auditor_already_assigned(two_associations, client_for):
    s = build(two_associations)

    response = client_for("staff_admin_a").post(
        _button("assign", s.application), {"auditor": s.assignment.auditor_id, "due_date": DUE}
    )

    assert response.status_code == 200
    assert "is already assigned to this application" in response.content.decode()


def test_request_changes_button_sends_the_application_back(two_associations, client_for):
    s = build(two_associations)
    criterion = s.criteria[2]

    response = client_for("staff_admin_a").post(
        _button("request_changes", s.application), {f"missing-{criterion.pk}": "Upload the 2025 policy"}
    )

    assert response.status_code == 302
    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.CHANGES_REQUESTED
    assert list(ChangeRequest.objects.values_list("criterion", "message")) == [
        (criterion.pk, "Upload the 2025 policy")
    ]


def test_application_page_has_no_buttons_for_an_approved_application(two_associations, client_for):
    application = f.ApprovedApplicationFactory(
        association=two_associations.a, business=two_associations.business_a
    )

    page = client_for("staff_admin_a").get(_page(application)).content.decode()

    assert "_button" not in page and "/approve/" not in page and "/reject/" not in page


def test_evidence_opens_in_the_preview_for_staff_and_viewers_only(two_associations, client_for):
    s = build(two_associations)
    url = reverse("admin:certification_application_evidence", args=[s.application.pk, s.evidence.pk])

    shown = client_for("staff_viewer_a").get(url)
    outsider = client_for("staff_b").get(url)

    assert shown.status_code == 200
    assert "sandbox" in shown["Content-Security-Policy"]
    assert outsider.status_code == 404


def test_scorecard_table_has_a_header_cell_per_column(two_associations, client_for):
    s = _scored(two_associations, 4)

    body = client_for("staff_admin_a").get(_page(s.application)).content.decode()

    table = body[
        body.index('data-testid="scorecards"') : body.index(
            "</table>", body.index('data-testid="scorecards"')
        )
    ]
    header, first_row = table.split("</tr>")[0], table.split("<tbody>")[1].split("</tr>")[0]
    assert header.count("<th ") == first_row.count("<td ") == 2


def test_a_scored_application_page_has_no_save_buttons(two_associations, client_for):
    s = _scored(two_associations, 4)

    body = client_for("staff_admin_a").get(_page(s.application)).content.decode()

    assert 'name="_save"' not in body and 'name="_continue"' not in body and 'name="_addanother"' not in body


def test_a_scored_applications_assignments_are_read_only(two_associations, client_for):
    s = _scored(two_associations, 4)

    body = client_for("staff_admin_a").get(_page(s.application)).content.decode()

    assert 'name="assignments-0-due_date"' not in body
