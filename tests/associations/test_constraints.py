"""The rules the database itself enforces, whatever code writes the row."""

import pytest
from django.db import IntegrityError

from associations.models import CertificationLevel, Criterion, KpiDefinition, StaffMembership
from members.models import Membership
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_membership_number_is_unique_per_association():
    first = f.MembershipFactory(member_number="PSA-0001")

    with pytest.raises(IntegrityError):
        Membership.objects.create(
            association=first.association, business=f.BusinessFactory(), member_number="PSA-0001"
        )


def test_membership_number_may_repeat_across_associations():
    first = f.MembershipFactory(member_number="PSA-0001")

    second = f.MembershipFactory(member_number="PSA-0001")

    assert first.association != second.association


def test_criterion_kpi_without_threshold_is_refused():
    kpi = f.KpiFactory()
    standard = f.StandardFactory(association=kpi.association)

    with pytest.raises(IntegrityError):
        Criterion.objects.create(standard=standard, code="R1", text="x", dimension="reliability", kpi=kpi)


def test_criterion_threshold_without_kpi_is_refused():
    standard = f.StandardFactory()

    with pytest.raises(IntegrityError):
        Criterion.objects.create(
            standard=standard, code="R1", text="x", dimension="reliability", kpi_threshold=80
        )


def test_criterion_unknown_dimension_is_refused():
    standard = f.StandardFactory()

    with pytest.raises(IntegrityError):
        Criterion.objects.create(standard=standard, code="R1", text="x", dimension="speed")


def test_level_min_score_above_100_is_refused():
    association = f.AssociationFactory()

    with pytest.raises(IntegrityError):
        CertificationLevel.objects.create(association=association, name="Diamond", min_score=101)


def test_kpi_range_must_be_increasing():
    association = f.AssociationFactory()

    with pytest.raises(IntegrityError):
        KpiDefinition.objects.create(
            association=association, code="csat", name="CSAT", unit="%", min_value=100, max_value=0
        )


def test_only_one_published_code_of_conduct_per_association():
    code = f.CodeOfConductFactory(status="published", published_at="2026-01-01T00:00:00Z")

    with pytest.raises(IntegrityError):
        f.CodeOfConductFactory(
            association=code.association, status="published", published_at="2026-01-01T00:00:00Z"
        )


def test_staff_role_must_be_known():
    staff = f.StaffFactory.build(association=f.AssociationFactory(), user=f.UserFactory(), role="owner")

    with pytest.raises(IntegrityError):
        StaffMembership.objects.bulk_create([staff])
