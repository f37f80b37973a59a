from datetime import timedelta

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from associations.models import ActionLog
from audits import services
from audits.models import Assignment
from certification.models import ApplicationStatus
from members.models import AuditorMembership, ConflictOfInterest
from tests import factories as f

from .scenario import build, full_scores, second_auditor

DUE = (timezone.localdate() + timedelta(days=7)).isoformat()


def _scored(people, score: int, comment: str = "Seen the evidence."):
    """The scenario's application, scored `score` on every criterion by its auditor."""
    s = build(people)
    services.save_scores(
        s.assignment, actor=people.auditor, entries=full_scores(s.criteria, score, comment), submit=True
    )
    return s


def _action(client, action: str, application, **form):
    """An admin action on the application: its confirmation page, or with
    `form` filled in, the confirmed action."""
    data = {"action": action, "_selected_action": [application.pk]}
    if form:
        data |= {"apply": "1", **form}
    return client.post(reverse("admin:certification_application_changelist"), data)


def _inline_data(s, auditor):
    return {
        "assignments-TOTAL_FORMS": "2",
        "assignments-INITIAL_FORMS": "1",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
        "assignments-0-id": str(s.assignment.pk),
        "assignments-0-application": str(s.application.pk),
        "assignments-0-auditor": str(s.assignment.auditor_id),
        "assignments-0-due_date": s.assignment.due_date.isoformat(),
        "assignments-1-application": str(s.application.pk),
        "assignments-1-auditor": str(auditor.pk),
        "assignments-1-due_date": DUE,
    }


def test_admin_inline_assigns_through_the_service(
    two_associations, client_for, django_capture_on_commit_callbacks
):
    s = build(two_associations, declared=False)
    profile = f.AuditorFactory(associations=[two_associations.a])
    url = reverse("admin:certification_application_change", args=[s.application.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("staff_admin_a").post(url, _inline_data(s, profile))

    assert response.status_code == 302
    assert Assignment.objects.get(auditor=profile).assigned_by == two_associations.staff_admin_a
    assert [m.to for m in mail.outbox] == [[profile.user.email]]


def test_admin_inline_shows_why_an_auditor_is_refused(two_associations, client_for):
    s = build(two_associations, declared=False)
    profile = f.AuditorFactory(associations=[two_associations.a])
    ConflictOfInterest.objects.create(
        auditor=profile,
        business=two_associations.business_a,
        association=two_associations.a,
        reason="Brother-in-law",
    )
    url = reverse("admin:certification_application_change", args=[s.application.pk])

    response = client_for("staff_admin_a").post(url, _inline_data(s, profile))

    assert response.status_code == 200
    assert "Brother-in-law" in response.content.decode()
    assert Assignment.objects.filter(auditor=profile).exists() is False


def test_admin_assign_action_with_due_date(two_associations, client_for):
    s = build(two_associations, declared=False)
    profile = f.AuditorFactory(associations=[two_associations.a])
    url = reverse("admin:certification_application_changelist")
    client = client_for("staff_admin_a")

    form_page = client.post(url, {"action": "assign", "_selected_action": [s.application.pk]})
    done = _action(client, "assign", s.application, auditor=profile.pk, due_date=DUE)

    assert form_page.status_code == 200 and 'name="due_date"' in form_page.content.decode()
    assert done.status_code == 302
    assert Assignment.objects.get(auditor=profile).due_date.isoformat() == DUE


def test_admin_approve_form_shows_the_level_reached(two_associations, client_for):
    s = _scored(two_associations, 4)

    response = _action(client_for("staff_admin_a"), "approve", s.application)

    assert "overall 80.00 · level reached: Silver" in response.content.decode()


def test_admin_approve_action_approves_at_the_chosen_level(two_associations, client_for):
    s = _scored(two_associations, 5)

    response = _action(client_for("staff_admin_a"), "approve", s.application, level=s.levels[2].pk, reason="")

    assert response.status_code == 302
    s.application.refresh_from_db()
    assert (s.application.status, s.application.level) == (ApplicationStatus.APPROVED, s.levels[2])


def test_admin_reject_action_needs_a_rationale(two_associations, client_for):
    s = _scored(two_associations, 1, "weak")
    client = client_for("staff_admin_a")

    again = _action(client, "reject", s.application, reason="")
    done = _action(client, "reject", s.application, reason="Evidence missing throughout")

    assert (again.status_code, done.status_code) == (200, 302)
    s.application.refresh_from_db()
    assert (s.application.status, s.application.decision_reason) == (
        ApplicationStatus.REJECTED,
        "Evidence missing throughout",
    )


def test_admin_viewer_cannot_decide(two_associations, client_for):
    s = _scored(two_associations, 5)

    _action(client_for("staff_viewer_a"), "approve", s.application, level=s.levels[2].pk, reason="")

    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.SCORED


def test_admin_change_page_shows_the_history(two_associations, client_for):
    s = build(two_associations)

    body = (
        client_for("staff_admin_a")
        .get(reverse("admin:certification_application_change", args=[s.application.pk]))
        .content.decode()
    )

    assert "No conflict declared" in body and "Review started" in body


def test_admin_conflicts_of_another_association_business_stay_hidden(two_associations, client_for):
    profile = f.AuditorFactory(associations=[two_associations.a, two_associations.b])
    theirs = ConflictOfInterest.objects.create(
        auditor=profile, business=two_associations.business_b, association=two_associations.b, reason="Cousin"
    )
    ours = ConflictOfInterest.objects.create(
        auditor=profile,
        business=two_associations.business_a,
        association=two_associations.a,
        reason="Ex-employer",
    )
    client = client_for("staff_admin_a")

    listing = client.get(reverse("admin:members_conflictofinterest_changelist"))
    change = client.get(reverse("admin:members_conflictofinterest_change", args=[theirs.pk]))
    delete = client.post(
        reverse("admin:members_conflictofinterest_delete", args=[theirs.pk]), {"post": "yes"}
    )

    body = listing.content.decode()
    assert (str(two_associations.business_a) in body, str(two_associations.business_b) in body) == (
        True,
        False,
    )
    assert (change.status_code, delete.status_code) == (404, 404)
    assert ConflictOfInterest.objects.filter(pk__in=[theirs.pk, ours.pk]).count() == 2


def test_admin_staff_cannot_change_an_auditors_global_fields(two_associations, client_for):
    profile = two_associations.auditor.auditor_profile
    url = reverse("admin:members_auditorprofile_change", args=[profile.pk])

    client_for("staff_admin_a").post(
        url, {"associations": [two_associations.a.pk], "is_active": "", "expertise": "Taken over"}
    )

    profile.refresh_from_db()
    assert (profile.is_active, profile.expertise) == (True, "")


def test_admin_inline_changes_the_due_date_through_the_service_and_keeps_the_auditor(
    two_associations, client_for
):
    s = build(two_associations, declared=False)
    other = f.AuditorFactory(associations=[two_associations.a])
    before = s.assignment.due_date
    url = reverse("admin:certification_application_change", args=[s.application.pk])
    data = {
        **_inline_data(s, other),
        "assignments-TOTAL_FORMS": "1",
        "assignments-0-auditor": str(other.pk),
        "assignments-0-due_date": DUE,
    }

    response = client_for("staff_admin_a").post(url, data)

    s.assignment.refresh_from_db()
    entry = ActionLog.objects.for_object(s.application).last()
    assert response.status_code == 302
    assert s.assignment.auditor_id == two_associations.auditor.auditor_profile.pk
    assert s.assignment.due_date.isoformat() == DUE
    assert (entry.action, entry.actor, entry.data["before"], entry.data["after"]) == (
        "audit.due_date_changed",
        two_associations.staff_admin_a,
        before.isoformat(),
        DUE,
    )


def test_admin_change_page_shows_evidence_change_requests_and_scorecards_after_all_submitted(
    two_associations, client_for
):
    s = build(two_associations)
    other = second_auditor(two_associations, s.application)
    services.save_scores(
        other,
        actor=other.auditor.user,
        entries={**full_scores(s.criteria, 5), s.criteria[1].pk: (1, "No roster at all")},
        submit=True,
    )
    f.ChangeRequestFactory(application=s.application, criterion=s.criteria[2], message="Show the SLA")
    url = reverse("admin:certification_application_change", args=[s.application.pk])
    client = client_for("staff_admin_a")

    before = client.get(url).content.decode()
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 4), submit=True
    )
    after = client.get(url).content.decode()

    assert (
        reverse("admin:certification_application_evidence", args=[s.application.pk, s.evidence.pk]) in before
    )
    assert "Show the SLA" in before
    assert 'data-testid="scorecards"' not in before
    table = after[after.index('data-testid="scorecards"') :]
    assert "<strong>1</strong> No roster at all" in table[: table.index("</table>")]


def test_admin_change_page_queries_do_not_grow_with_rows(two_associations, client_for):
    counts = []
    for size in (1, 8):
        s = build(two_associations, criteria=size, business=f.BusinessFactory())
        for criterion in s.criteria:
            f.EvidenceFactory(application=s.application, criterion=criterion)
            f.ChangeRequestFactory(application=s.application, criterion=criterion)
        services.save_scores(
            s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 4), submit=True
        )
        url = reverse("admin:certification_application_change", args=[s.application.pk])
        client = client_for("staff_admin_a")

        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)

        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_admin_decision_actions_refuse_more_than_twenty_applications(two_associations, client_for):
    s = build(two_associations)
    others = [f.SubmittedApplicationFactory(standard=s.standard) for _ in range(20)]
    url = reverse("admin:certification_application_changelist")
    selected = [s.application.pk, *(a.pk for a in others)]

    response = client_for("staff_admin_a").post(
        url, {"action": "approve", "_selected_action": selected}, follow=True
    )

    body = response.content.decode()
    assert "Select at most 20 applications at a time." in body
    assert 'data-testid="confirm"' not in body


def test_admin_conflict_of_an_auditor_of_another_association_stays_hidden(two_associations, client_for):
    # business_a is a member of both associations; the auditor works only for A.
    f.MembershipFactory(association=two_associations.b, business=two_associations.business_a)
    conflict = ConflictOfInterest.objects.create(
        auditor=two_associations.auditor.auditor_profile,
        business=two_associations.business_a,
        association=two_associations.a,
        reason="In-law",
    )
    client = client_for("staff_b")

    page = client.get(reverse("admin:members_conflictofinterest_change", args=[conflict.pk]))
    delete = client.post(
        reverse("admin:members_conflictofinterest_delete", args=[conflict.pk]), {"post": "yes"}
    )

    assert (page.status_code, delete.status_code) == (404, 404)
    assert ConflictOfInterest.objects.filter(pk=conflict.pk).exists()


def test_admin_staff_cannot_delete_an_auditor_other_associations_rely_on(two_associations, client_for):
    profile = two_associations.auditor.auditor_profile
    AuditorMembership.objects.create(auditor=profile, association=two_associations.b)
    client = client_for("staff_b")

    response = client.post(reverse("admin:members_auditorprofile_delete", args=[profile.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert type(profile).objects.filter(pk=profile.pk).exists()


def test_admin_approve_form_preselects_the_level_reached(two_associations, client_for):
    s = _scored(two_associations, 4)

    response = _action(client_for("staff_admin_a"), "approve", s.application)

    assert response.context["form"]["level"].value() == s.levels[1].pk
    assert f'<option value="{s.levels[1].pk}" selected>Silver</option>' in response.content.decode()


def test_admin_approve_without_a_level_says_what_is_missing(two_associations, client_for):
    s = _scored(two_associations, 4)

    response = _action(client_for("staff_admin_a"), "approve", s.application, level="", reason="")

    assert response.status_code == 200
    assert response.context["form"].errors == {"level": ["Choose the level to award."]}
    assert "Choose the level to award." in response.content.decode()
    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.SCORED


def test_admin_reject_without_a_rationale_says_what_is_missing(two_associations, client_for):
    s = _scored(two_associations, 1, "weak")

    response = _action(client_for("staff_admin_a"), "reject", s.application, reason="  ")

    assert response.context["form"].errors == {
        "reason": ["Write the reason for rejecting; the business will read it."]
    }
    assert "Write the reason for rejecting; the business will read it." in response.content.decode()


def test_admin_assignment_inline_offers_only_active_auditors_of_the_applications_association(
    two_associations, client
):
    a, b = two_associations.a, two_associations.b
    staff_of_both = f.StaffFactory(association=a).user
    f.StaffFactory(association=b, user=staff_of_both)
    application = f.SubmittedApplicationFactory(
        standard=f.PublishedStandardFactory(association=a), business=two_associations.business_a
    )
    active_a = f.AuditorFactory(associations=[a])
    f.AuditorFactory(associations=[a], user__is_active=True, is_active=False)
    f.AuditorFactory(associations=[b])
    ended = f.AuditorFactory(associations=[a])
    AuditorMembership.objects.filter(auditor=ended).update(ended_at=timezone.now())
    client.force_login(staff_of_both)

    response = client.get(reverse("admin:certification_application_change", args=[application.pk]))

    (assignments,) = [inline.formset for inline in response.context["inline_admin_formsets"]]
    offered = assignments.empty_form.fields["auditor"].queryset
    existing_auditor_a = AuditorMembership.objects.get(auditor__user=two_associations.auditor).auditor
    assert set(offered) == {active_a, existing_auditor_a}


def test_admin_change_page_lists_assignments_with_editable_due_date_and_a_row_to_assign(
    two_associations, client_for
):
    s = build(two_associations)
    url = reverse("admin:certification_application_change", args=[s.application.pk])

    page = client_for("staff_admin_a").get(url).content.decode()

    rows = page.split('data-testid="assignments"')[1].split("</table>")[0]
    assert str(s.assignment.auditor) in rows and "No conflict" in rows
    assert f'name="assignments-0-due_date" value="{s.assignment.due_date.isoformat()}"' in rows
    assert 'name="assignments-0-auditor"' not in rows  # assigned once, not re-chosen
    assert 'data-testid="assign-auditor"' in rows and '<select name="assignments-1-auditor"' in rows


def test_admin_change_page_shows_a_viewer_the_assignments_read_only(two_associations, client_for):
    s = build(two_associations)
    url = reverse("admin:certification_application_change", args=[s.application.pk])

    page = client_for("staff_viewer_a").get(url).content.decode()

    rows = page.split('data-testid="assignments"')[1].split("</table>")[0]
    assert str(s.assignment.auditor) in rows
    assert "assignments-0-due_date" not in rows and 'data-testid="assign-auditor"' not in rows
