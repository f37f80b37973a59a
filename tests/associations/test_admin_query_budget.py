"""Every admin changelist costs the same number of queries with 1 row as
with many: a column that reads a related row needs list_select_related."""

import functools
import itertools

import factory
import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f

# The factory that makes one row of each registered model, and what it is
# given so that every related column shown in the list is filled.
ROWS = {
    "members.Invitation": {
        "kind": "business_user",
        "role": "editor",
        "business": factory.SubFactory(f.BusinessFactory),
    },
}
FACTORIES = {
    "associations.Association": f.AssociationFactory,
    "associations.CodeOfConduct": f.CodeOfConductFactory,
    "associations.Standard": f.StandardFactory,
    "associations.CertificationLevel": f.LevelFactory,
    "associations.KpiDefinition": f.KpiFactory,
    "associations.StaffMembership": f.StaffFactory,
    "associations.ActionLog": f.ActionLogFactory,
    "members.User": f.UserFactory,
    "members.Business": f.BusinessFactory,
    "members.Membership": f.MembershipFactory,
    "members.Invitation": f.InvitationFactory,
    "members.MetricReport": f.MetricReportFactory,
    "members.MetricImportJob": f.MetricImportJobFactory,
    "members.MetricValue": f.MetricValueFactory,
    "certification.Certificate": f.CertificateFactory,
    "certification.WatchedCertificate": functools.partial(f.CertificateFactory, watch_since="2026-04-16"),
    "certification.Application": f.ApplicationFactory,
    "members.AuditorProfile": f.AuditorFactory,
    "members.ConflictOfInterest": f.ConflictOfInterestFactory,
    "members.Instrument": f.InstrumentFactory,
    "members.SurveyResponse": f.SurveyResponseFactory,
    "certification.Complaint": f.ComplaintFactory,
}

MANY = 15


def _cases():
    for model in admin.site._registry:
        label = model._meta.label
        if label in FACTORIES:
            yield pytest.param(model, id=label)
        else:
            reason = f"{label}: third-party admin with no factory here"
            yield pytest.param(model, id=f"{label}-skipped-no-factory", marks=pytest.mark.skip(reason=reason))


def _changelist_queries(client, model) -> int:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", list(_cases()))
def test_admin_changelist_query_count_does_not_grow_with_rows(model, client, db):
    client.force_login(f.UserFactory(is_superuser=True, is_staff=True))
    make = FACTORIES[model._meta.label]
    make = functools.partial(make, **ROWS.get(model._meta.label, {}))
    make()
    one = _changelist_queries(client, model)

    for _ in range(MANY - 1):
        make()
    many = _changelist_queries(client, model)

    assert many == one


# --- change pages, as the association's own staff ------------------------------
#
# Each builder makes one object of the page in `association` with `n` rows of
# every related table the page shows (inlines, read-only fields, choices).
# The page costs the same at 1 and at 50 of each, and at most BUDGET queries.

BUDGET = 20
FEW, LOTS = 1, 50


_scores = itertools.count(1)


def _level(association):
    # Levels of an association have distinct thresholds (0 to 100, two places).
    return f.LevelFactory(association=association, min_score=f"{next(_scores) % 10000 / 100:.2f}")


def _business(association):
    return f.MembershipFactory(association=association).business


def _auditor(association):
    return f.AuditorFactory(associations=[association])


def _association_page(association, n):
    f.StaffFactory.create_batch(n, association=association)
    for _ in range(n):
        _level(association)
    return association


def _code_page(association, n):
    f.CodeOfConductFactory.create_batch(n, association=association)
    return f.CodeOfConductFactory(association=association)


def _standard_page(association, n):
    standard = f.StandardFactory(association=association)
    for _ in range(n):
        f.CriterionFactory(standard=standard, kpi=f.KpiFactory(association=association), kpi_threshold=50)
    return standard


def _published_standard_page(association, n):
    standard = f.PublishedStandardFactory(association=association)
    for _ in range(n):
        f.CriterionFactory(standard=standard, kpi=f.KpiFactory(association=association), kpi_threshold=50)
    return standard


def _level_page(association, n):
    for _ in range(n):
        _level(association)
    return _level(association)


def _kpi_page(association, n):
    f.KpiFactory.create_batch(n, association=association)
    return f.KpiFactory(association=association)


def _staff_page(association, n):
    f.StaffFactory.create_batch(n, association=association)
    return f.StaffFactory(association=association, role="viewer")


def _history_page(association, n):
    f.ActionLogFactory.create_batch(n, association=association)
    return f.ActionLogFactory(association=association)


def _business_page(association, n):
    business = _business(association)
    f.BusinessUserFactory.create_batch(n, business=business, association=association)
    for _ in range(n):
        # Memberships elsewhere: not shown to this association's staff.
        f.MembershipFactory(business=business)
    return business


def _membership_page(association, n):
    for _ in range(n):
        _business(association)
    return f.MembershipFactory(association=association)


def _invitation_page(association, n):
    f.InvitationFactory.create_batch(n, association=association)
    return f.InvitationFactory(association=association)


def _metric_report_page(association, n):
    report = f.MetricReportFactory(association=association, business=_business(association))
    for _ in range(n):
        f.MetricValueFactory(report=report)
    return report


def _certificate_page(association, n):
    level = _level(association)
    f.CertificateFactory.create_batch(n, application__association=association, application__level=level)
    return f.CertificateFactory(application__association=association, application__level=level)


def _auditor_page(association, n):
    auditor = _auditor(association)
    for _ in range(n):
        f.AssignmentFactory(
            auditor=auditor,
            application__standard__association=association,
            application__business=_business(association),
        )
    return auditor


def _conflict_page(association, n):
    for _ in range(n):
        _auditor(association)
        _business(association)
    return f.ConflictOfInterestFactory(
        association=association, auditor=_auditor(association), business=_business(association)
    )


def _application_page(association, n, **decided):
    application = f.SubmittedApplicationFactory(
        standard=f.PublishedStandardFactory(association=association),
        business=_business(association),
        **decided,
    )
    application_type = ContentType.objects.get_for_model(application)
    for _ in range(n):
        f.EvidenceFactory(application=application)
        f.ChangeRequestFactory(application=application)
        f.AssignmentFactory(application=application, auditor=_auditor(association))
        f.ActionLogFactory(
            association=association,
            content_type=application_type,
            object_id=application.pk,
            action="application.submit",
            data={"from": "draft", "to": "submitted"},
        )
    return application


CHANGE_PAGES = {
    "associations.Association": _association_page,
    "associations.CodeOfConduct": _code_page,
    "associations.Standard": _standard_page,
    "associations.CertificationLevel": _level_page,
    "associations.KpiDefinition": _kpi_page,
    "associations.StaffMembership": _staff_page,
    "associations.ActionLog": _history_page,
    "members.Business": _business_page,
    "members.Membership": _membership_page,
    "members.Invitation": _invitation_page,
    "members.MetricReport": _metric_report_page,
    "certification.Certificate": _certificate_page,
    "members.AuditorProfile": _auditor_page,
    "members.ConflictOfInterest": _conflict_page,
    "certification.Application": _application_page,
}


def _change_page_cases():
    for model in admin.site._registry:
        label = model._meta.label
        if label in CHANGE_PAGES:
            yield pytest.param(CHANGE_PAGES[label], id=label)
        else:
            reason = f"{label}: superusers only, or a third-party admin"
            yield pytest.param(None, id=f"{label}-skipped", marks=pytest.mark.skip(reason=reason))


def _change_page_queries(client, obj) -> int:
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    client.get(url)  # the first request fills per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _staff_client(client, association):
    client.force_login(f.StaffFactory(association=association).user)
    return client


@pytest.mark.parametrize("build", list(_change_page_cases()))
def test_admin_change_page_query_count_does_not_grow_with_related_rows(build, client, db):
    association = f.AssociationFactory()
    _staff_client(client, association)
    few = _change_page_queries(client, build(association, FEW))

    lots = _change_page_queries(client, build(association, LOTS))

    assert (few, lots) == (few, few)
    assert few <= BUDGET


def test_admin_published_standard_page_query_count_does_not_grow_with_criteria(client, db):
    association = f.AssociationFactory()
    _staff_client(client, association)

    few = _change_page_queries(client, _published_standard_page(association, FEW))
    lots = _change_page_queries(client, _published_standard_page(association, LOTS))

    assert (few, lots) == (few, few)
    assert few <= BUDGET


@pytest.mark.parametrize("model", list(_cases()))
def test_admin_changelist_as_staff_within_budget(model, client, db):
    association = f.AssociationFactory()
    _staff_client(client, association)
    build = CHANGE_PAGES.get(model._meta.label)
    if build is None:
        pytest.skip("superusers only")
    build(association, FEW)
    few = _changelist_queries(client, model)

    build(association, LOTS)
    lots = _changelist_queries(client, model)

    assert (few, lots) == (few, few)
    assert few <= BUDGET


def _autocomplete(client, model_name: str, field_name: str, term: str):
    url = reverse("admin:autocomplete")
    params = {"app_label": "members", "model_name": model_name, "field_name": field_name, "term": term}
    return client.get(url, params)


@pytest.mark.parametrize(
    ("model_name", "field_name", "make"),
    [
        ("membership", "business", _business),
        ("conflictofinterest", "business", _business),
        ("conflictofinterest", "auditor", _auditor),
    ],
)
def test_admin_autocomplete_query_count_does_not_grow_with_rows(model_name, field_name, make, client, db):
    association = f.AssociationFactory()
    _staff_client(client, association)
    make(association)
    _autocomplete(client, model_name, field_name, "")
    with CaptureQueriesContext(connection) as few:
        _autocomplete(client, model_name, field_name, "")

    for _ in range(LOTS):
        make(association)
    with CaptureQueriesContext(connection) as lots:
        response = _autocomplete(client, model_name, field_name, "")

    assert len(response.json()["results"]) == 20  # a page of them
    assert len(lots) == len(few)


def test_admin_autocomplete_offers_only_the_staffs_own_businesses(two_associations, client_for):
    client = client_for("staff_admin_a")

    own = _autocomplete(client, "membership", "business", "Alpha")
    other = _autocomplete(client, "membership", "business", "Bengal")

    assert [row["text"] for row in own.json()["results"]] == ["Alpha Traders"]
    assert other.json()["results"] == []


def test_admin_application_page_costs_the_same_once_decided(client, db):
    association = f.AssociationFactory()
    staff = _staff_client(client, association)
    submitted = _change_page_queries(client, _application_page(association, FEW))

    decided = _application_page(
        association, FEW, status="rejected", decided_by=f.UserFactory(), level=_level(association)
    )

    assert _change_page_queries(staff, decided) == submitted
