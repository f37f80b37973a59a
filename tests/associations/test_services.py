import pytest

from associations.models import ActionLog, CodeOfConduct, PublicationStatus, Standard
from associations.services import (
    AssociationError,
    new_code_version,
    new_standard_version,
    publish_code_of_conduct,
    publish_standard,
    retire_standard,
)
from tests import factories as f


@pytest.fixture
def staff(db):
    return f.StaffFactory()


def test_publish_code_of_conduct_supersedes_the_published_one(staff):
    old = f.CodeOfConductFactory(
        association=staff.association,
        version=1,
        status=PublicationStatus.PUBLISHED,
        published_at="2026-01-01T00:00:00Z",
    )
    draft = f.CodeOfConductFactory(association=staff.association, version=2)

    publish_code_of_conduct(draft, actor=staff.user)

    old.refresh_from_db()
    draft.refresh_from_db()
    assert (old.status, draft.status) == (PublicationStatus.RETIRED, PublicationStatus.PUBLISHED)
    assert draft.published_at is not None
    assert list(ActionLog.objects.for_object(draft).values_list("action", "data")) == [
        ("code.published", {"superseded": 1})
    ]


def test_publish_code_of_conduct_refuses_a_published_one(staff):
    code = f.CodeOfConductFactory(
        association=staff.association, status=PublicationStatus.PUBLISHED, published_at="2026-01-01T00:00:00Z"
    )

    with pytest.raises(AssociationError, match=r"^Only a draft can be published\.$"):
        publish_code_of_conduct(code, actor=staff.user)


def test_new_code_version_copies_into_next_draft(staff):
    code = f.CodeOfConductFactory(
        association=staff.association,
        version=3,
        status=PublicationStatus.PUBLISHED,
        published_at="2026-01-01T00:00:00Z",
        title="Members' code",
        body="Be fair.",
    )

    draft = new_code_version(code, actor=staff.user)

    assert (draft.version, draft.status, draft.title, draft.body) == (
        4,
        PublicationStatus.DRAFT,
        "Members' code",
        "Be fair.",
    )


def test_new_code_version_refuses_when_a_draft_exists(staff):
    code = f.CodeOfConductFactory(
        association=staff.association,
        version=1,
        status=PublicationStatus.PUBLISHED,
        published_at="2026-01-01T00:00:00Z",
    )
    f.CodeOfConductFactory(association=staff.association, version=2)

    with pytest.raises(AssociationError, match="A draft version already exists"):
        new_code_version(code, actor=staff.user)
    assert CodeOfConduct.objects.count() == 2


def test_publish_standard_needs_criteria(staff):
    standard = f.StandardFactory(association=staff.association)

    with pytest.raises(AssociationError, match="at least one criterion"):
        publish_standard(standard, actor=staff.user)


def test_publish_standard_publishes_a_draft(staff):
    standard = f.StandardFactory(association=staff.association)
    f.CriterionFactory(standard=standard)

    publish_standard(standard, actor=staff.user)

    standard.refresh_from_db()
    assert standard.status == PublicationStatus.PUBLISHED
    assert standard.published_at is not None


def test_publish_standard_refuses_a_published_one(staff):
    standard = f.PublishedStandardFactory(association=staff.association)
    f.CriterionFactory(standard=standard)

    with pytest.raises(AssociationError, match=r"^Only a draft standard can be published\.$"):
        publish_standard(standard, actor=staff.user)


def test_publish_standard_version_retires_the_previous_version(staff):
    v1 = f.PublishedStandardFactory(association=staff.association, name="Service", version=1)
    other = f.PublishedStandardFactory(association=staff.association, name="Other", version=1)
    v2 = f.StandardFactory(association=staff.association, name="Service", version=2)
    f.CriterionFactory(standard=v2)

    publish_standard(v2, actor=staff.user)

    statuses = dict(Standard.objects.values_list("pk", "status"))
    assert statuses == {
        v1.pk: PublicationStatus.RETIRED,
        other.pk: PublicationStatus.PUBLISHED,
        v2.pk: PublicationStatus.PUBLISHED,
    }


def test_retire_standard_retires_a_published_one(staff):
    standard = f.PublishedStandardFactory(association=staff.association)

    retire_standard(standard, actor=staff.user)

    standard.refresh_from_db()
    assert standard.status == PublicationStatus.RETIRED


def test_retire_standard_refuses_a_draft(staff):
    standard = f.StandardFactory(association=staff.association)

    with pytest.raises(AssociationError, match=r"^Only a published standard can be retired\.$"):
        retire_standard(standard, actor=staff.user)


def test_new_standard_version_copies_criteria(staff):
    kpi = f.KpiFactory(association=staff.association)
    standard = f.PublishedStandardFactory(association=staff.association, name="Service", version=1)
    f.CriterionFactory(standard=standard, code="R1", kpi=kpi, kpi_threshold=80)
    f.CriterionFactory(standard=standard, code="E1", dimension="empathy")

    draft = new_standard_version(standard, actor=staff.user)

    assert (draft.name, draft.version, draft.status) == ("Service", 2, PublicationStatus.DRAFT)
    assert sorted(draft.criteria.values_list("code", "dimension", "kpi", "kpi_threshold")) == [
        ("E1", "empathy", None, None),
        ("R1", "reliability", kpi.pk, 80),
    ]
    assert standard.criteria.count() == 2


def test_new_standard_version_refuses_when_a_draft_exists(staff):
    standard = f.PublishedStandardFactory(association=staff.association, name="Service", version=1)
    f.StandardFactory(association=staff.association, name="Service", version=2)

    with pytest.raises(AssociationError, match="already exists"):
        new_standard_version(standard, actor=staff.user)
