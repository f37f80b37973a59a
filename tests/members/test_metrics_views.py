import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import ImportStatus, MetricImportJob, MetricReport, MetricValue
from tests import factories as f


@pytest.fixture
def owner_with_kpis(two_associations):
    f.KpiFactory(
        association=two_associations.a, code="csat", name="Satisfaction", has_sample_size=True, order=1
    )
    f.KpiFactory(
        association=two_associations.a,
        code="hours",
        name="Response time",
        unit="h",
        min_value=0,
        max_value=72,
        higher_is_better=False,
        order=2,
    )
    return two_associations.business_user_a


def _url(name, two_associations, *args):
    return reverse(f"portal:{name}", args=[two_associations.business_a.pk, *args])


def test_metrics_report_form_saves_a_month(client, two_associations, owner_with_kpis):
    client.force_login(owner_with_kpis)

    response = client.post(
        _url("metrics_report_form", two_associations),
        {
            "association": two_associations.a.pk,
            "month": "2026-03",
            "value_csat": "88.5",
            "sample_csat": "40",
            "value_hours": "",
        },
    )

    report = MetricReport.objects.get()
    assert response.status_code == 302
    assert response.url == _url("metrics_report", two_associations, report.pk)
    assert (report.period, report.source, report.submitted_by) == (
        datetime.date(2026, 3, 1),
        "form",
        owner_with_kpis,
    )
    assert list(report.values.values_list("kpi__code", "value", "sample_size")) == [
        ("csat", Decimal("88.50"), 40)
    ]


def test_metrics_report_form_shows_the_reason_of_a_bad_value(client, two_associations, owner_with_kpis):
    client.force_login(owner_with_kpis)

    response = client.post(
        _url("metrics_report_form", two_associations),
        {
            "association": two_associations.a.pk,
            "month": "2026-03",
            "value_csat": "88",
            "value_hours": "100",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "value_csat": ["csat: a sample size is required."],
        "value_hours": ["hours: 100 is outside the valid range 0 to 72 h."],
    }
    assert MetricReport.objects.count() == 0


def test_metrics_report_form_refuses_a_month_still_to_come_on_the_month(
    client, two_associations, owner_with_kpis
):
    client.force_login(owner_with_kpis)
    next_month = (datetime.date.today().replace(day=1) + datetime.timedelta(days=40)).replace(day=1)

    response = client.post(
        _url("metrics_report_form", two_associations),
        {"association": two_associations.a.pk, "month": f"{next_month:%Y-%m}", "value_hours": "4"},
    )

    assert response.context["form"].errors == {
        "month": [f"{next_month:%Y-%m}: a month in the future cannot be reported."]
    }
    assert MetricReport.objects.count() == 0


def test_metrics_report_form_needs_a_value(client, two_associations, owner_with_kpis):
    client.force_login(owner_with_kpis)

    response = client.post(
        _url("metrics_report_form", two_associations),
        {"association": two_associations.a.pk, "month": "2026-03"},
    )

    assert response.context["form"].non_field_errors() == ["Enter at least one value."]


def test_metrics_report_form_replaces_a_month_only_when_ticked(client, two_associations, owner_with_kpis):
    client.force_login(owner_with_kpis)
    data = {"association": two_associations.a.pk, "month": "2026-03", "value_hours": "4"}
    client.post(_url("metrics_report_form", two_associations), data)

    refused = client.post(_url("metrics_report_form", two_associations), {**data, "value_hours": "5"})
    replaced = client.post(
        _url("metrics_report_form", two_associations), {**data, "value_hours": "6", "replace": "on"}
    )

    assert refused.context["form"].non_field_errors() == [
        "These months are already reported: 2026-03. Confirm to replace them."
    ]
    assert replaced.status_code == 302
    assert list(MetricValue.objects.values_list("value", flat=True)) == [Decimal("6.00")]


def test_metrics_report_form_prefills_an_existing_month(client, two_associations, owner_with_kpis):
    client.force_login(owner_with_kpis)
    client.post(
        _url("metrics_report_form", two_associations),
        {"association": two_associations.a.pk, "month": "2026-03", "value_hours": "4"},
    )

    response = client.get(_url("metrics_report_form", two_associations) + "?month=2026-03")

    assert response.context["form"].initial["value_hours"] == Decimal("4.00")
    assert response.context["form"].initial["replace"] is True


def test_metrics_report_form_works_for_an_editor(client, two_associations, owner_with_kpis):
    editor = f.BusinessUserFactory(business=two_associations.business_a, role="editor").user
    client.force_login(editor)

    response = client.post(
        _url("metrics_report_form", two_associations),
        {"association": two_associations.a.pk, "month": "2026-03", "value_hours": "4"},
    )

    assert response.status_code == 302


def test_metrics_import_template_lists_the_kpis(client, two_associations, owner_with_kpis):
    client.force_login(owner_with_kpis)

    response = client.get(_url("metrics_import_template", two_associations))

    lines = response.content.decode().splitlines()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert lines[0] == "month,kpi_code,value,sample_size"
    assert [line.split(",")[1] for line in lines[1:]] == ["csat", "hours"]


def test_metrics_import_page_lists_every_bad_line(client, two_associations, owner_with_kpis):
    client.force_login(owner_with_kpis)
    upload = SimpleUploadedFile(
        "m.csv", b"month,kpi_code,value,sample_size\n2026-01,hours,99,\n2026-01,x,1,\n"
    )

    response = client.post(
        _url("metrics_import", two_associations),
        {"association": two_associations.a.pk, "file": upload},
        follow=True,
    )

    job = MetricImportJob.objects.get()
    assert job.status == ImportStatus.INVALID
    assert response.redirect_chain == [(_url("metrics_import_job", two_associations, job.pk), 302)]
    assert "2 lines are wrong; nothing was imported." in response.content.decode()
    assert [e["line"] for e in job.errors] == [2, 3]


def test_metrics_import_confirm_replaces_after_the_box_is_ticked(client, two_associations, owner_with_kpis):
    client.force_login(owner_with_kpis)
    body = b"month,kpi_code,value,sample_size\n2026-01,hours,9,\n"
    client.post(
        _url("metrics_import", two_associations),
        {"association": two_associations.a.pk, "file": SimpleUploadedFile("a.csv", body)},
    )
    client.post(
        _url("metrics_import", two_associations),
        {
            "association": two_associations.a.pk,
            "file": SimpleUploadedFile("b.csv", body.replace(b",9,", b",7,")),
        },
    )
    job = MetricImportJob.objects.order_by("pk").last()
    assert job.status == ImportStatus.NEEDS_CONFIRMATION

    unticked = client.post(_url("metrics_import_confirm", two_associations, job.pk))
    assert MetricValue.objects.get().value == Decimal("9.00")
    ticked = client.post(_url("metrics_import_confirm", two_associations, job.pk), {"confirm": "1"})

    assert (unticked.status_code, ticked.status_code) == (302, 302)
    assert MetricValue.objects.get().value == Decimal("7.00")
    assert MetricImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE


def test_metrics_import_status_reports_progress(client, two_associations, owner_with_kpis):
    client.force_login(owner_with_kpis)
    client.post(
        _url("metrics_import", two_associations),
        {
            "association": two_associations.a.pk,
            "file": SimpleUploadedFile("a.csv", b"month,kpi_code,value,sample_size\n2026-01,hours,9,\n"),
        },
    )
    job = MetricImportJob.objects.get()

    response = client.get(_url("metrics_import_status", two_associations, job.pk))

    assert response.json() == {
        "status": "done",
        "status_display": "Imported",
        "finished": True,
        "total_rows": 1,
        "processed_rows": 1,
        "percent": 100,
        "error_count": 0,
    }


def test_metrics_import_job_of_another_business_is_not_found(client, two_associations, owner_with_kpis):
    client.force_login(two_associations.business_user_b)
    other = f.BusinessFactory()
    f.MembershipFactory(business=other, association=two_associations.a)
    job = MetricImportJob.objects.create(
        business=two_associations.business_a, association=two_associations.a, file="x.csv"
    )

    response = client.get(reverse("portal:metrics_import_job", args=[two_associations.business_b.pk, job.pk]))

    assert response.status_code == 404


def _months(business, association, kpis, count, start_year=2020):
    for i in range(count):
        report = f.MetricReportFactory(
            business=business,
            association=association,
            period=datetime.date(start_year + i // 12, i % 12 + 1, 1),
        )
        for kpi in kpis:
            f.MetricValueFactory(report=report, kpi=kpi, value=50 + i % 40)


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_metrics_dashboard_queries_do_not_grow_with_months(client, two_associations, owner_with_kpis):
    kpis = list(two_associations.a.kpi_definitions.all())
    standard = f.PublishedStandardFactory(association=two_associations.a)
    f.CriterionFactory(standard=standard, kpi=kpis[0], kpi_threshold=80)
    client.force_login(owner_with_kpis)
    _months(two_associations.business_a, two_associations.a, kpis, 1)
    one = _count_queries(client, _url("metrics", two_associations))
    _months(two_associations.business_a, two_associations.a, kpis, 49, start_year=2021)

    fifty = _count_queries(client, _url("metrics", two_associations))

    assert one == fifty


def test_metrics_reports_queries_do_not_grow_with_months(client, two_associations, owner_with_kpis):
    kpis = list(two_associations.a.kpi_definitions.all())
    client.force_login(owner_with_kpis)
    _months(two_associations.business_a, two_associations.a, kpis, 1)
    one = _count_queries(client, _url("metrics_reports", two_associations))
    _months(two_associations.business_a, two_associations.a, kpis, 49, start_year=2021)

    fifty = _count_queries(client, _url("metrics_reports", two_associations))

    assert one == fifty


def _peers(two_associations, kpi, values, period=datetime.date(2026, 1, 1)):
    for value in values:
        business = f.BusinessFactory()
        f.MembershipFactory(business=business, association=two_associations.a)
        report = f.MetricReportFactory(business=business, association=two_associations.a, period=period)
        f.MetricValueFactory(report=report, kpi=kpi, value=value)


def test_metrics_dashboard_hides_peers_below_five(client, two_associations, owner_with_kpis):
    kpi = two_associations.a.kpi_definitions.get(code="hours")
    _months(two_associations.business_a, two_associations.a, [kpi], 1, start_year=2026)  # 2026-01, value 50
    _peers(two_associations, kpi, [10, 20, 30])
    client.force_login(owner_with_kpis)

    response = client.get(_url("metrics", two_associations))

    panel = next(p for p in response.context["panels"] if p.kpi == kpi)
    assert (panel.peer_count, panel.peers) == (4, None)
    assert 'data-testid="peers-hours"' not in response.content.decode()


def test_metrics_dashboard_shows_quartiles_from_five(client, two_associations, owner_with_kpis):
    kpi = two_associations.a.kpi_definitions.get(code="hours")  # lower is better
    _months(two_associations.business_a, two_associations.a, [kpi], 1, start_year=2026)  # 2026-01, value 50
    _peers(two_associations, kpi, [10, 20, 30, 40])
    _peers(two_associations, kpi, [1], period=datetime.date(2025, 12, 1))  # another month: not a peer
    client.force_login(owner_with_kpis)

    response = client.get(_url("metrics", two_associations))

    peers = next(p for p in response.context["panels"] if p.kpi == kpi).peers
    assert (peers.count, peers.q1, peers.median, peers.q3) == (
        5,
        Decimal("20.00"),
        Decimal("30.00"),
        Decimal("40.00"),
    )
    assert (peers.quarter, str(peers.label)) == (4, "Bottom quarter")
    assert 'data-testid="peers-hours"' in response.content.decode()


def test_metrics_dashboard_draws_the_published_threshold(client, two_associations, owner_with_kpis):
    kpi = two_associations.a.kpi_definitions.get(code="csat")
    f.CriterionFactory(
        standard=f.PublishedStandardFactory(association=two_associations.a, name="Service"),
        code="R1",
        kpi=kpi,
        kpi_threshold=85,
    )
    f.CriterionFactory(
        standard=f.StandardFactory(association=two_associations.a), kpi=kpi, kpi_threshold=99
    )  # draft
    _months(two_associations.business_a, two_associations.a, [kpi], 2, start_year=2026)
    client.force_login(owner_with_kpis)

    response = client.get(_url("metrics", two_associations))

    chart = next(c for c in response.context["charts"] if c["id"] == kpi.pk)
    assert chart["labels"] == ["2026-01", "2026-02"]
    assert chart["values"] == [50.0, 51.0]
    assert chart["thresholds"] == [{"label": "Service R1", "value": 85.0}]
    assert "vendor/chartjs/chart.umd.min.js" in response.content.decode()


def test_api_tokens_page_is_for_owners_only(client, two_associations, owner_with_kpis):
    editor = f.BusinessUserFactory(business=two_associations.business_a, role="editor").user
    client.force_login(editor)

    response = client.get(_url("api_tokens", two_associations))

    assert response.status_code == 403


def test_api_tokens_page_shows_a_new_token_once(client, two_associations, owner_with_kpis):
    client.force_login(owner_with_kpis)

    created = client.post(_url("api_tokens", two_associations), {"name": "Call centre"})
    again = client.get(_url("api_tokens", two_associations))

    secret = created.context["secret"]
    assert secret.startswith("cpt_")
    assert secret in created.content.decode()
    assert created["Cache-Control"] == "no-store"
    assert secret not in again.content.decode()


def test_portal_dashboard_links_to_the_metrics(client, two_associations, owner_with_kpis):
    client.force_login(owner_with_kpis)

    response = client.get(reverse("portal:dashboard"))

    assert _url("metrics", two_associations) in response.content.decode()


def test_metrics_import_page_refuses_a_nul_byte_in_the_form(client, two_associations, owner_with_kpis):
    client.force_login(owner_with_kpis)
    upload = SimpleUploadedFile("m.csv", b"month,kpi_code,value,sample_size\n2026-01,hours,9\x00,\n")

    response = client.post(
        _url("metrics_import", two_associations), {"association": two_associations.a.pk, "file": upload}
    )

    assert response.status_code == 200
    assert "Line 2 contains a NUL character" in response.content.decode()
    assert MetricImportJob.objects.count() == 0


def test_metrics_import_page_lists_200_bad_lines_and_counts_the_rest(
    client, two_associations, owner_with_kpis
):
    client.force_login(owner_with_kpis)
    body = b"month,kpi_code,value,sample_size\n" + b"2026-01,x,1,\n" * 450
    client.post(
        _url("metrics_import", two_associations),
        {"association": two_associations.a.pk, "file": SimpleUploadedFile("m.csv", body)},
    )
    job = MetricImportJob.objects.get()

    page = client.get(_url("metrics_import_job", two_associations, job.pk)).content.decode()
    status = client.get(_url("metrics_import_status", two_associations, job.pk)).json()

    assert "450 lines are wrong; nothing was imported." in page
    assert page.count("Unknown KPI code") == 200
    assert "and 250 more lines with errors" in page
    assert status["error_count"] == 450


def test_metrics_report_form_names_the_largest_sample_size(client, two_associations, owner_with_kpis):
    client.force_login(owner_with_kpis)

    response = client.post(
        _url("metrics_report_form", two_associations),
        {
            "association": two_associations.a.pk,
            "month": "2026-03",
            "value_csat": "88",
            "sample_csat": "3000000000",
        },
    )

    assert response.context["form"].errors == {
        "value_csat": ["csat: the sample size must be at most 2,147,483,647."]
    }


def test_metrics_import_names_the_largest_sample_size(client, two_associations, owner_with_kpis):
    client.force_login(owner_with_kpis)
    upload = SimpleUploadedFile("m.csv", b"month,kpi_code,value,sample_size\n2026-01,csat,88,3000000000\n")

    client.post(
        _url("metrics_import", two_associations), {"association": two_associations.a.pk, "file": upload}
    )

    assert MetricImportJob.objects.get().errors == [
        {"line": 2, "reason": "csat: the sample size must be at most 2,147,483,647."}
    ]


def test_metrics_dashboard_queries_do_not_grow_with_peers(client, two_associations, owner_with_kpis):
    kpi = two_associations.a.kpi_definitions.get(code="hours")
    _months(two_associations.business_a, two_associations.a, [kpi], 1, start_year=2026)
    client.force_login(owner_with_kpis)
    _peers(two_associations, kpi, [10])
    one = _count_queries(client, _url("metrics", two_associations))
    _peers(two_associations, kpi, range(49))

    fifty = _count_queries(client, _url("metrics", two_associations))

    assert one == fifty


def test_metrics_dashboard_compares_each_kpi_in_its_own_latest_month(
    client, two_associations, owner_with_kpis
):
    hours = two_associations.a.kpi_definitions.get(code="hours")
    csat = two_associations.a.kpi_definitions.get(code="csat")
    _months(two_associations.business_a, two_associations.a, [hours], 1, start_year=2026)  # 2026-01
    _months(two_associations.business_a, two_associations.a, [csat], 1, start_year=2025)  # 2025-01
    _peers(two_associations, hours, [10, 20, 30, 40])
    _peers(two_associations, csat, [60, 70, 80, 90], period=datetime.date(2025, 1, 1))
    _peers(two_associations, csat, [1, 2, 3, 4], period=datetime.date(2026, 1, 1))  # not csat's month
    client.force_login(owner_with_kpis)

    panels = {p.kpi.code: p for p in client.get(_url("metrics", two_associations)).context["panels"]}

    assert (panels["hours"].peers.count, panels["hours"].peers.median) == (5, Decimal("30.00"))
    assert (panels["csat"].peers.count, panels["csat"].peers.median) == (5, Decimal("70.00"))
