"""A conflict-of-interest reason belongs to the association it was declared
in: another association learns that the conflict exists (it still refuses
the auditor for that business) but never reads the reason (issue 8, item 4)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from audits import services
from certification.queries import FULL, application_history
from members.models import ConflictOfInterest
from tests import factories as f

REASON = "My brother-in-law owns it"
DUE = timezone.localdate() + timedelta(days=7)


@pytest.fixture
def conflict_in_a(two_associations):
    """business_a is a member of A and B; an auditor works for both and
    declared a conflict on A's application. B has an application of
    business_a waiting for an auditor."""
    f.MembershipFactory(association=two_associations.b, business=two_associations.business_a)
    profile = f.AuditorFactory(associations=[two_associations.a, two_associations.b])
    in_a = f.SubmittedApplicationFactory(
        business=two_associations.business_a,
        standard=f.PublishedStandardFactory(association=two_associations.a),
    )
    in_b = f.SubmittedApplicationFactory(
        business=two_associations.business_a,
        standard=f.PublishedStandardFactory(association=two_associations.b),
    )
    assignment = services.assign_auditor(
        in_a, auditor=profile, due_date=DUE, actor=two_associations.staff_admin_a
    )
    services.declare_conflict(assignment, actor=profile.user, reason=REASON)
    return SimpleNamespace(
        profile=profile, in_a=in_a, in_b=in_b, conflict=ConflictOfInterest.objects.get(auditor=profile)
    )


def test_refusal_in_another_association_says_a_conflict_exists_without_the_reason(
    two_associations, conflict_in_a
):
    with pytest.raises(services.AuditError) as error:
        services.assign_auditor(
            conflict_in_a.in_b, auditor=conflict_in_a.profile, due_date=DUE, actor=two_associations.staff_b
        )

    assert str(error.value) == (
        f"{conflict_in_a.profile} declared a conflict of interest with Alpha Traders in another association."
    )


def test_refusal_in_the_recording_association_quotes_the_reason(two_associations, conflict_in_a):
    again = f.SubmittedApplicationFactory(
        business=two_associations.business_a,
        standard=f.PublishedStandardFactory(association=two_associations.a),
    )

    with pytest.raises(services.AuditError) as error:
        services.assign_auditor(
            again, auditor=conflict_in_a.profile, due_date=DUE, actor=two_associations.staff_admin_a
        )

    assert str(error.value) == (
        f"{conflict_in_a.profile} declared a conflict of interest with Alpha Traders: {REASON}"
    )


def test_admin_assignment_in_another_association_is_refused_without_the_reason(
    two_associations, client_for, conflict_in_a
):
    url = reverse("admin:certification_application_change", args=[conflict_in_a.in_b.pk])
    data = {
        "assignments-TOTAL_FORMS": "1",
        "assignments-INITIAL_FORMS": "0",
        "assignments-MIN_NUM_FORMS": "0",
        "assignments-MAX_NUM_FORMS": "1000",
        "assignments-0-application": str(conflict_in_a.in_b.pk),
        "assignments-0-auditor": str(conflict_in_a.profile.pk),
        "assignments-0-due_date": DUE.isoformat(),
    }

    response = client_for("staff_b").post(url, data)

    body = response.content.decode()
    assert response.status_code == 200
    assert "declared a conflict of interest with Alpha Traders in another association." in body
    assert REASON not in body


def test_admin_staff_of_another_association_see_the_conflict_but_not_its_reason(
    two_associations, client_for, conflict_in_a
):
    client = client_for("staff_b")

    listed = client.get(reverse("admin:members_conflictofinterest_changelist"))
    detail = client.get(reverse("admin:members_conflictofinterest_change", args=[conflict_in_a.conflict.pk]))

    assert list(listed.context["cl"].result_list) == [conflict_in_a.conflict]
    assert detail.status_code == 200
    for page in (listed, detail):
        body = page.content.decode()
        assert str(conflict_in_a.profile) in body
        assert REASON not in body
    assert "Recorded by another association; the reason is not shared." in detail.content.decode()


def test_admin_staff_of_the_recording_association_read_the_reason(
    two_associations, client_for, conflict_in_a
):
    client = client_for("staff_admin_a")

    listed = client.get(reverse("admin:members_conflictofinterest_changelist"))
    detail = client.get(reverse("admin:members_conflictofinterest_change", args=[conflict_in_a.conflict.pk]))

    assert REASON in listed.content.decode()
    assert REASON in detail.content.decode()


def test_admin_staff_of_another_association_cannot_change_or_delete_the_conflict(
    two_associations, client_for, conflict_in_a
):
    client = client_for("staff_b")
    url = reverse("admin:members_conflictofinterest_change", args=[conflict_in_a.conflict.pk])

    changed = client.post(
        url, {"auditor": conflict_in_a.profile.pk, "business": two_associations.business_a.pk, "reason": "x"}
    )
    deleted = client.post(
        reverse("admin:members_conflictofinterest_delete", args=[conflict_in_a.conflict.pk]), {"post": "yes"}
    )

    assert (changed.status_code, deleted.status_code) == (403, 403)
    assert ConflictOfInterest.objects.get().reason == REASON


def test_history_keeps_the_reason_on_the_recording_associations_application(
    two_associations, client_for, conflict_in_a
):
    history_a = application_history(conflict_in_a.in_a, audience=FULL)
    history_b = application_history(conflict_in_a.in_b, audience=FULL)
    page_for_b = client_for("staff_b").get(
        reverse("admin:certification_application_change", args=[conflict_in_a.in_a.pk])
    )

    assert [e.reason for e in history_a if e.label == "Conflict of interest declared"] == [REASON]
    assert all(REASON not in f"{e.reason} {e.detail}" for e in history_b)
    assert page_for_b.status_code == 404
