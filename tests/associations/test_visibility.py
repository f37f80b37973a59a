"""visible_to: staff see their association's rows; business users and
auditors read only the published programme of their associations, and
never invitations or history."""

import pytest
from django.utils import timezone

from associations.models import (
    ActionLog,
    CertificationLevel,
    CodeOfConduct,
    Criterion,
    KpiDefinition,
    Standard,
)
from associations.services import log_action
from members.models import Invitation
from members.services import invite_person
from tests import factories as f


@pytest.fixture
def programme(two_associations):
    """A published and a draft standard (with a criterion each), a code, a
    KPI and a level, in A and in B."""
    rows = {}
    for key, association in (("a", two_associations.a), ("b", two_associations.b)):
        published = f.PublishedStandardFactory(association=association)
        draft = f.StandardFactory(association=association)
        rows[key] = {
            "published": published,
            "draft": draft,
            "criterion": f.CriterionFactory(standard=published),
            "draft_criterion": f.CriterionFactory(standard=draft),
            "code": f.CodeOfConductFactory(
                association=association, status="published", published_at=timezone.now()
            ),
            "draft_code": f.CodeOfConductFactory(association=association),
            "kpi": f.KpiFactory(association=association),
            "level": f.LevelFactory(association=association),
        }
    return rows


@pytest.mark.parametrize("role", ["business_user_a", "auditor"])
def test_visible_to_member_and_auditor_read_published_programme_of_a(role, two_associations, programme):
    user = getattr(two_associations, role)
    a = programme["a"]

    assert list(Standard.objects.visible_to(user)) == [a["published"]]
    assert list(Criterion.objects.visible_to(user)) == [a["criterion"]]
    assert list(CodeOfConduct.objects.visible_to(user)) == [a["code"]]
    assert list(KpiDefinition.objects.visible_to(user)) == [a["kpi"]]
    assert list(CertificationLevel.objects.visible_to(user)) == [a["level"]]


def test_visible_to_staff_see_drafts_of_own_association_only(two_associations, programme):
    a = programme["a"]

    assert set(Standard.objects.visible_to(two_associations.staff_viewer_a)) == {a["published"], a["draft"]}
    assert set(Criterion.objects.visible_to(two_associations.staff_viewer_a)) == {
        a["criterion"],
        a["draft_criterion"],
    }
    assert set(CodeOfConduct.objects.visible_to(two_associations.staff_viewer_a)) == {
        a["code"],
        a["draft_code"],
    }


def test_visible_to_inactive_auditor_reads_nothing(two_associations, programme):
    two_associations.auditor.auditor_profile.is_active = False
    two_associations.auditor.auditor_profile.save()

    assert list(Standard.objects.visible_to(two_associations.auditor)) == []


def test_visible_to_invitations_and_history_are_staff_only(two_associations):
    invitation = invite_person(
        two_associations.a, email="x@example.com", kind="auditor", invited_by=two_associations.staff_admin_a
    )
    log_action(two_associations.a, "association.changed", actor=two_associations.staff_admin_a)

    for user in (two_associations.business_user_a, two_associations.auditor, two_associations.staff_b):
        assert list(Invitation.objects.visible_to(user)) == []
        assert list(ActionLog.objects.visible_to(user)) == []
    assert list(Invitation.objects.visible_to(two_associations.staff_viewer_a)) == [invitation]
    assert ActionLog.objects.visible_to(two_associations.staff_viewer_a).count() == 2
