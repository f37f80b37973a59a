"""A business that is a member of two associations: a role granted by one
association's staff reaches that business's affairs in that association
only (issue 8, item 2)."""

import datetime
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits import emails
from certification.forms import StartApplicationForm
from certification.issuance import issue_certificate
from certification.services import CertificationError, create_application
from members import services
from members.api.auth import create_api_token
from members.metrics.csv_import import start_metric_import
from members.models import ApiToken, BusinessUser, InvitationKind, MetricImportJob, MetricReport
from tests import factories as f

FEBRUARY = datetime.date(2026, 2, 1)


def _grant(association, user, *, business, role, invited_by):
    """How staff grant a business role: an invitation, accepted."""
    invitation = services.invite_person(
        association,
        email=user.email,
        kind=InvitationKind.BUSINESS_USER,
        business=business,
        role=role,
        invited_by=invited_by,
    )
    return services.accept_invitation(invitation, user=user)


@pytest.fixture
def shared_business(two_associations):
    """business_a is a member of A and of B. An officer of A has made himself
    its owner (an invitation from A, accepted by himself); a genuine owner
    was granted by both associations. B holds an application with evidence,
    a certificate, a metric report and an import job of business_a."""
    business = two_associations.business_a
    f.MembershipFactory(association=two_associations.b, business=business)
    officer = f.StaffFactory(association=two_associations.a, role="officer").user
    _grant(two_associations.a, officer, business=business, role="owner", invited_by=officer)
    genuine = f.UserFactory()
    _grant(
        two_associations.a,
        genuine,
        business=business,
        role="owner",
        invited_by=two_associations.staff_admin_a,
    )
    _grant(two_associations.b, genuine, business=business, role="owner", invited_by=two_associations.staff_b)

    def application_in(association):
        standard = f.PublishedStandardFactory(association=association)
        criterion = f.CriterionFactory(standard=standard)
        application = f.ApplicationFactory(business=business, standard=standard)
        return application, f.EvidenceFactory(application=application, criterion=criterion)

    application_a, evidence_a = application_in(two_associations.a)
    application_b, evidence_b = application_in(two_associations.b)
    certificate_b = issue_certificate(
        f.ApprovedApplicationFactory(association=two_associations.b, business=business)
    )
    kpi_a = f.KpiFactory(association=two_associations.a, code="csat")
    kpi_b = f.KpiFactory(association=two_associations.b, code="nps", min_value=-100)
    report_a = f.MetricReportFactory(
        business=business, association=two_associations.a, period=datetime.date(2026, 1, 1)
    )
    f.MetricValueFactory(report=report_a, kpi=kpi_a, value=81)
    report_b = f.MetricReportFactory(
        business=business, association=two_associations.b, period=datetime.date(2026, 1, 1)
    )
    f.MetricValueFactory(report=report_b, kpi=kpi_b, value=42)
    upload = SimpleUploadedFile("m.csv", b"month,kpi_code,value,sample_size\n2025-12,nps,40,\n")
    job_b = start_metric_import(business, association=two_associations.b, upload=upload, actor=genuine)
    return SimpleNamespace(
        business=business,
        officer=officer,
        genuine=genuine,
        application_a=application_a,
        evidence_a=evidence_a,
        application_b=application_b,
        evidence_b=evidence_b,
        certificate_b=certificate_b,
        report_a=report_a,
        report_b=report_b,
        job_b=job_b,
    )


def _b_pages(two_associations, s):
    business = s.business.pk
    return {
        "application": reverse("applications:detail", args=[s.application_b.pk]),
        "evidence": reverse("certification:evidence_download", args=[s.evidence_b.pk]),
        "certificate": reverse("certification:download", args=[s.certificate_b.pk]),
        "renew": reverse("certification:renew", args=[s.certificate_b.pk]),
        "kpi dashboard": reverse("portal:metrics", args=[business]) + f"?association={two_associations.b.pk}",
        "report": reverse("portal:metrics_report", args=[business, s.report_b.pk]),
        "report form": reverse("portal:metrics_report_form", args=[business])
        + f"?association={two_associations.b.pk}",
        "template": reverse("portal:metrics_import_template", args=[business])
        + f"?association={two_associations.b.pk}",
        "import job": reverse("portal:metrics_import_job", args=[business, s.job_b.pk]),
        "import status": reverse("portal:metrics_import_status", args=[business, s.job_b.pk]),
    }


def test_owner_granted_by_a_only_gets_404_on_every_page_of_b(two_associations, client, shared_business):
    client.force_login(shared_business.officer)

    found = {
        name: client.get(url).status_code for name, url in _b_pages(two_associations, shared_business).items()
    }

    assert found == dict.fromkeys(found, 404)


def test_owner_granted_by_a_only_still_reaches_the_business_in_a(two_associations, client, shared_business):
    client.force_login(shared_business.officer)

    application = client.get(reverse("applications:detail", args=[shared_business.application_a.pk]))
    evidence = client.get(reverse("certification:evidence_download", args=[shared_business.evidence_a.pk]))
    report = client.get(
        reverse("portal:metrics_report", args=[shared_business.business.pk, shared_business.report_a.pk])
    )

    assert (application.status_code, evidence.status_code, report.status_code) == (200, 200, 200)


def test_owner_granted_by_both_associations_sees_both(two_associations, client, shared_business):
    client.force_login(shared_business.genuine)

    found = {
        name: client.get(url).status_code for name, url in _b_pages(two_associations, shared_business).items()
    }
    a_side = client.get(reverse("applications:detail", args=[shared_business.application_a.pk])).status_code

    assert found == dict.fromkeys(found, 200)
    assert a_side == 200


def test_owner_granted_by_a_only_sees_only_a_on_the_portal(two_associations, client, shared_business):
    client.force_login(shared_business.officer)

    dashboard = client.get(reverse("portal:dashboard"))
    reports = client.get(reverse("portal:metrics_reports", args=[shared_business.business.pk]))
    kpis = client.get(reverse("portal:metrics", args=[shared_business.business.pk]))

    assert [m.association for m in dashboard.context["memberships"]] == [two_associations.a]
    assert [a.pk for a in dashboard.context["applications"]] == [shared_business.application_a.pk]
    assert dashboard.context["certificates"] == []
    assert [r.pk for r in reports.context["reports"]] == [shared_business.report_a.pk]
    assert list(reports.context["imports"]) == []
    assert (kpis.context["association"], kpis.context["associations"]) == (
        two_associations.a,
        [two_associations.a],
    )


def test_owner_granted_by_a_only_cannot_report_metrics_for_b_by_form(
    two_associations, client, shared_business
):
    client.force_login(shared_business.officer)

    response = client.post(
        reverse("portal:metrics_report_form", args=[shared_business.business.pk]),
        {"association": two_associations.b.pk, "month": "2026-02", "value_nps": "10"},
    )

    assert response.status_code == 404
    assert MetricReport.objects.filter(association=two_associations.b, period=FEBRUARY).exists() is False


def test_owner_granted_by_a_only_cannot_import_metrics_for_b_by_csv(
    two_associations, client, shared_business
):
    client.force_login(shared_business.officer)
    upload = SimpleUploadedFile("m.csv", b"month,kpi_code,value,sample_size\n2026-02,nps,10,\n")

    response = client.post(
        reverse("portal:metrics_import", args=[shared_business.business.pk]),
        {"association": two_associations.b.pk, "file": upload},
    )

    assert response.status_code == 200
    assert "association" in response.context["form"].errors
    assert MetricImportJob.objects.filter(created_by=shared_business.officer).exists() is False


def _report_february_for_b(client, secret: str, b):
    body = {"association": b.slug, "month": "2026-02", "values": [{"kpi": "nps", "value": "10"}]}
    return client.post(
        reverse("api:metric_reports"),
        body,
        headers={"Authorization": f"Bearer {secret}"},
        content_type="application/json",
    )


def test_api_token_of_an_owner_granted_by_a_only_cannot_touch_b(two_associations, client, shared_business):
    _token, secret = create_api_token(shared_business.business, name="Mine", actor=shared_business.officer)
    headers = {"Authorization": f"Bearer {secret}"}

    write = _report_february_for_b(client, secret, two_associations.b)
    listed = client.get(reverse("api:metric_reports"), headers=headers).json()
    detail = client.get(reverse("api:metric_report", args=[shared_business.report_b.pk]), headers=headers)
    kpis = client.get(reverse("api:kpis"), headers=headers).json()

    assert write.status_code == 403
    assert MetricReport.objects.filter(association=two_associations.b, period=FEBRUARY).exists() is False
    assert [r["id"] for r in listed["results"]] == [shared_business.report_a.pk]
    assert detail.status_code == 404
    assert [k["code"] for k in kpis] == ["csat"]


def test_api_token_of_an_owner_granted_by_both_writes_both(two_associations, client, shared_business):
    _token, secret = create_api_token(shared_business.business, name="CRM", actor=shared_business.genuine)

    write = _report_february_for_b(client, secret, two_associations.b)

    assert write.status_code == 201
    assert MetricReport.objects.filter(association=two_associations.b, period=FEBRUARY).count() == 1


def test_create_application_refuses_a_standard_of_an_association_that_did_not_grant_the_role(
    two_associations, shared_business
):
    standard_a = shared_business.application_a.standard
    standard_b = f.PublishedStandardFactory(association=two_associations.b)

    with pytest.raises(CertificationError) as error:
        create_application(shared_business.business, standard=standard_b, actor=shared_business.officer)
    choices = list(StartApplicationForm(user=shared_business.officer).fields["standard"].queryset)

    assert str(error.value) == (
        "Your role at Alpha Traders was not granted by Bangladesh Service Council; "
        "ask its staff for an invitation."
    )
    assert choices == [standard_a]


def test_emails_about_b_reach_only_the_roles_b_granted(
    two_associations, shared_business, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    application = f.ApprovedApplicationFactory(
        association=two_associations.b, business=shared_business.business
    )

    with django_capture_on_commit_callbacks(execute=True):
        emails.queue_decision_emails(application)

    assert [m.to for m in mail.outbox] == [[shared_business.genuine.email]]


def test_staff_see_and_change_only_the_roles_their_association_granted(
    two_associations, client_for, shared_business
):
    url = reverse("admin:members_business_change", args=[shared_business.business.pk])

    page = client_for("staff_b").get(url)

    inline = next(f for f in page.context["inline_admin_formsets"] if f.opts.model.__name__ == "BusinessUser")
    assert [(row.user, row.association) for row in inline.formset.queryset] == [
        (shared_business.genuine, two_associations.b)
    ]


def test_an_invitation_from_b_adds_a_role_in_b_and_leaves_a_alone(two_associations, shared_business):
    _grant(
        two_associations.b,
        shared_business.officer,
        business=shared_business.business,
        role="editor",
        invited_by=two_associations.staff_b,
    )

    roles = BusinessUser.objects.filter(user=shared_business.officer).values_list("association__slug", "role")
    assert sorted(roles) == [("bsc", "editor"), ("psa", "owner")]


def test_owner_granted_by_a_only_neither_sees_nor_revokes_a_token_that_also_reaches_b(
    two_associations, client, shared_business
):
    token, _secret = create_api_token(shared_business.business, name="CRM", actor=shared_business.genuine)
    own, _secret = create_api_token(shared_business.business, name="Mine", actor=shared_business.officer)
    client.force_login(shared_business.officer)

    page = client.get(reverse("portal:api_tokens", args=[shared_business.business.pk]))
    revoke = client.post(reverse("portal:api_token_revoke", args=[shared_business.business.pk, token.pk]))

    assert [t.name for t in page.context["tokens"]] == ["Mine"]
    assert list(own.associations.all()) == [two_associations.a]
    assert sorted(a.slug for a in token.associations.all()) == ["bsc", "psa"]
    assert revoke.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_api_token_stops_writing_for_b_when_b_ends_its_makers_role(two_associations, client, shared_business):
    _token, secret = create_api_token(shared_business.business, name="CRM", actor=shared_business.genuine)
    headers = {"Authorization": f"Bearer {secret}"}
    body = {
        "association": two_associations.b.slug,
        "month": "2026-02",
        "values": [{"kpi": "nps", "value": "10"}],
    }
    BusinessUser.objects.filter(user=shared_business.genuine, association=two_associations.b).delete()

    write_b = client.post(
        reverse("api:metric_reports"), body, headers=headers, content_type="application/json"
    )
    BusinessUser.objects.filter(user=shared_business.genuine).delete()
    after_all = client.get(reverse("api:metric_reports"), headers=headers)

    assert write_b.status_code == 403
    assert after_all.status_code == 401
