"""Removing an auditor from an association ends their access to its
applications at once; the assignments show as ended; the association's
staff still manage the profile and can re-add it (issue 8, item 3)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from associations.models import ActionLog
from audits import services
from audits.models import Assignment
from audits.queries import result_for
from certification.models import ApplicationStatus
from certification.queries import FULL, application_history
from members import services as members_services
from members.models import AuditorMembership
from tests import factories as f

from .scenario import build, carry_evidence, full_scores, second_auditor

DUE = timezone.localdate() + timedelta(days=7)


def _membership(two_associations, association=None) -> AuditorMembership:
    return AuditorMembership.objects.get(
        auditor__user=two_associations.auditor, association=association or two_associations.a
    )


def _remove(two_associations, actor=None) -> AuditorMembership:
    return services.end_auditor_membership(
        _membership(two_associations), actor=actor or two_associations.staff_admin_a
    )


def _auditor_urls(s) -> dict:
    app = s.application.pk
    return {
        "application": ("get", reverse("audits:application", args=[app])),
        "score": ("get", reverse("audits:score", args=[app])),
        "request changes": ("get", reverse("audits:request_changes", args=[app])),
        "consensus": ("post", reverse("audits:consensus", args=[app, s.criteria[0].pk])),
        "carried evidence": ("post", reverse("audits:carried_evidence", args=[app, s.carried.pk])),
        "result": ("get", reverse("audits:result", args=[app])),
        "assignment": ("get", reverse("audits:assignment", args=[s.assignment.pk])),
        "evidence preview": ("get", reverse("audits:evidence", args=[s.evidence.pk])),
        "evidence download": ("get", reverse("certification:evidence_download", args=[s.evidence.pk])),
    }


def _statuses(client, urls) -> dict:
    return {name: getattr(client, method)(url).status_code for name, (method, url) in urls.items()}


def test_removed_auditor_gets_404_on_every_page_and_file_at_once(two_associations, client_for):
    s = build(two_associations)
    s.carried = carry_evidence(two_associations, s)
    client = client_for("auditor")
    before = _statuses(client, _auditor_urls(s))

    _remove(two_associations)
    after = _statuses(client, _auditor_urls(s))

    assert set(before.values()) <= {200, 302, 403}
    assert after == dict.fromkeys(after, 404)


def test_removed_auditor_services_refuse_them(two_associations):
    s = build(two_associations)
    _remove(two_associations)

    with pytest.raises(services.AuditError, match="Only the assigned auditor"):
        services.save_scores(s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 4))


def test_removed_auditor_queue_lists_the_assignment_as_ended(two_associations, client_for):
    s = build(two_associations)
    _remove(two_associations)

    page = client_for("auditor").get(reverse("audits:queue"))

    assert page.context["assignments"] == []
    assert [(a.pk, a.ended_at is not None) for a in page.context["ended"]] == [(s.assignment.pk, True)]
    body = page.content.decode()
    ended = body[body.index('data-testid="ended"') :]
    assert two_associations.business_a.name in ended
    assert reverse("audits:assignment", args=[s.assignment.pk]) not in body


def test_removal_ends_the_assignments_and_records_it(two_associations):
    s = build(two_associations)
    other = build(two_associations, declared=False, business=f.BusinessFactory())

    membership = _remove(two_associations)

    assert (membership.ended_at is not None, membership.ended_by) == (True, two_associations.staff_admin_a)
    assert list(Assignment.objects.filter(ended_at__isnull=False).order_by("pk")) == [
        s.assignment,
        other.assignment,
    ]
    assert ActionLog.objects.filter(action="auditor.membership_ended").get().data == {"assignments": 2}
    ended = [
        e
        for e in application_history(s.application, audience=FULL)
        if e.label == "Auditor's assignment ended"
    ]
    assert [(e.actor, e.detail) for e in ended] == [
        (two_associations.staff_admin_a, str(s.assignment.auditor))
    ]


def test_removal_in_one_association_leaves_the_other_alone(two_associations, client_for):
    b_standard = f.PublishedStandardFactory(association=two_associations.b)
    AuditorMembership.objects.create(
        auditor=two_associations.auditor.auditor_profile, association=two_associations.b
    )
    in_b = f.AssignmentFactory(
        application=f.SubmittedApplicationFactory(business=two_associations.business_b, standard=b_standard),
        auditor=two_associations.auditor.auditor_profile,
    )
    services.declare_no_conflict(in_b, actor=two_associations.auditor)
    build(two_associations)

    _remove(two_associations)
    page = client_for("auditor").get(reverse("audits:application", args=[in_b.application_id]))

    assert page.status_code == 200
    assert Assignment.objects.get(pk=in_b.pk).ended_at is None


@pytest.mark.parametrize("actor", ["staff_viewer_a", "staff_b", "auditor"])
def test_only_deciding_staff_of_the_association_remove_an_auditor(two_associations, actor):
    build(two_associations)

    with pytest.raises(services.AuditError, match="deciding role"):
        _remove(two_associations, actor=getattr(two_associations, actor))

    assert _membership(two_associations).ended_at is None


def test_unfinished_scorecard_of_a_removed_auditor_drops_out_and_the_scoring_completes(two_associations):
    s = build(two_associations)
    other = second_auditor(two_associations, s.application)
    services.save_scores(other, actor=other.auditor.user, entries=full_scores(s.criteria, 4), submit=True)

    _remove(two_associations)

    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.SCORED


def test_submitted_scorecard_of_a_removed_auditor_still_counts(two_associations):
    s = build(two_associations)
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 5), submit=True
    )
    services.approve(s.application, actor=two_associations.staff_admin_a, level=s.levels[2])

    before = result_for(s.application).outcome.overall.value

    _remove(two_associations)

    assert result_for(s.application).outcome.overall.value == before == 100


def test_auditor_no_longer_offered_for_assignment_once_removed(two_associations):
    s = build(two_associations, declared=False, business=f.BusinessFactory())
    _remove(two_associations)
    profile = two_associations.auditor.auditor_profile

    with pytest.raises(services.AuditError, match="does not audit for"):
        services.assign_auditor(
            s.application, auditor=profile, due_date=DUE, actor=two_associations.staff_admin_a
        )


# --- the admin ---------------------------------------------------------------


def _profile_post(profile, memberships, *, assignments=0, active=None) -> dict:
    """The profile change form as the admin posts it: the membership rows
    shown (with `active` per row id) and the read-only assignments."""
    active = active or {}
    data = {
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(len(memberships)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "assignments-TOTAL_FORMS": str(assignments),
        "assignments-INITIAL_FORMS": str(assignments),
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
    }
    for i, membership in enumerate(memberships):
        data[f"memberships-{i}-id"] = str(membership.pk)
        data[f"memberships-{i}-auditor"] = str(profile.pk)
        data[f"memberships-{i}-association"] = str(membership.association_id)
        if active.get(membership.pk, membership.ended_at is None):
            data[f"memberships-{i}-active"] = "on"
    return data


def _change_url(profile) -> str:
    return reverse("admin:members_auditorprofile_change", args=[profile.pk])


def test_admin_removes_an_auditor_through_the_service(two_associations, client_for):
    s = build(two_associations)
    profile, membership = s.assignment.auditor, _membership(two_associations)

    response = client_for("staff_admin_a").post(
        _change_url(profile),
        _profile_post(profile, [membership], assignments=1, active={membership.pk: False}),
    )

    assert response.status_code == 302
    assert (_membership(two_associations).ended_by, Assignment.objects.get().ended_at is not None) == (
        two_associations.staff_admin_a,
        True,
    )


def test_staff_still_see_a_removed_auditor_and_their_past_assignments(two_associations, client_for):
    s = build(two_associations)
    _remove(two_associations)
    client = client_for("staff_admin_a")

    changelist = client.get(reverse("admin:members_auditorprofile_changelist"))
    page = client.get(_change_url(s.assignment.auditor))
    application = client.get(reverse("admin:certification_application_change", args=[s.application.pk]))

    assert list(changelist.context["cl"].result_list) == [s.assignment.auditor]
    formsets = {fs.opts.model.__name__: fs.formset for fs in page.context["inline_admin_formsets"]}
    assert [(m.association, m.ended_at is not None) for m in formsets["AuditorMembership"].queryset] == [
        (two_associations.a, True)
    ]
    assert list(formsets["Assignment"].queryset) == [s.assignment]
    assignments = {fs.opts.model.__name__: fs.formset for fs in application.context["inline_admin_formsets"]}
    assert [a.ended_at is not None for a in assignments["Assignment"].queryset] == [True]


def test_staff_re_add_an_auditor_and_assign_them_again(two_associations, client_for):
    s = build(two_associations)
    _remove(two_associations)
    profile, membership = s.assignment.auditor, _membership(two_associations)
    client = client_for("auditor")

    readded = client_for("staff_admin_a").post(
        _change_url(profile),
        _profile_post(profile, [membership], assignments=1, active={membership.pk: True}),
    )
    still_ended = client_for("auditor").get(reverse("audits:application", args=[s.application.pk]))
    services.assign_auditor(
        s.application, auditor=profile, due_date=DUE, actor=two_associations.staff_admin_a
    )
    again = client.get(reverse("audits:application", args=[s.application.pk]))

    assert readded.status_code == 302
    assert _membership(two_associations).ended_at is None
    assert still_ended.status_code == 404
    assert again.status_code == 200
    assert Assignment.objects.get().due_date == DUE


def test_staff_of_another_association_neither_see_nor_end_this_membership(two_associations, client_for):
    build(two_associations)
    profile = two_associations.auditor.auditor_profile
    in_b = AuditorMembership.objects.create(auditor=profile, association=two_associations.b)

    page = client_for("staff_b").get(_change_url(profile))
    saved = client_for("staff_b").post(_change_url(profile), _profile_post(profile, [in_b]))

    formsets = {fs.opts.model.__name__: fs.formset for fs in page.context["inline_admin_formsets"]}
    assert list(formsets["AuditorMembership"].queryset) == [in_b]
    assert list(formsets["Assignment"].queryset) == []
    assert saved.status_code == 302
    assert sorted(profile.memberships.active().values_list("association__slug", flat=True)) == ["bsc", "psa"]


def test_invitation_after_removal_restores_the_membership(two_associations):
    build(two_associations)
    _remove(two_associations)
    invitation = members_services.invite_person(
        two_associations.a,
        email=two_associations.auditor.email,
        kind="auditor",
        invited_by=two_associations.staff_admin_a,
    )

    members_services.accept_invitation(invitation, user=two_associations.auditor)

    assert _membership(two_associations).ended_at is None


def test_queue_queries_do_not_grow_with_ended_assignments(two_associations, client_for):
    counts = []
    for size in (1, 8):
        for _ in range(size):
            f.AssignmentFactory(
                auditor=two_associations.auditor.auditor_profile,
                application__standard__association=two_associations.a,
                ended_at=timezone.now(),
            )
        client = client_for("auditor")

        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("audits:queue"))

        assert len(response.context["ended"]) == sum((1, 8)[: len(counts) + 1])
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
