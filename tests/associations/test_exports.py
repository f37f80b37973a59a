"""Staff export the applications, certificates, businesses and metric values
lists to CSV and XLSX: their own association's rows only, with text that a
spreadsheet would run as a formula neutralised."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from associations.exports import neutralise
from tests import factories as f

CSV_FORMAT, XLSX_FORMAT = "0", "1"


def _export(client, model: str, fmt: str = CSV_FORMAT, query: str = ""):
    url = reverse(f"admin:{model}_export") + query
    response = client.post(url, {"format": fmt, "export_items": []})
    assert response.status_code == 200, response.content[:500]
    return response


def _csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 555", "'+1 555"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-12.50", "-12.50"),
        ("Karachi", "Karachi"),
        (7, 7),
    ],
)
def test_neutralise_formula_starts_but_keeps_numbers(value, expected):
    assert neutralise(value) == expected


def test_business_export_is_scoped_and_neutralised_in_csv(two_associations, client_for):
    two_associations.business_a.name = '=HYPERLINK("http://evil.example/","click")'
    two_associations.business_a.save()

    rows = _csv_rows(_export(client_for("staff_viewer_a"), "members_business"))

    names = [row[1] for row in rows[1:]]
    assert names == ['\'=HYPERLINK("http://evil.example/","click")']


def test_certificate_export_to_xlsx_neutralises_and_scopes(two_associations, client_for):
    f.CertificateFactory(
        application=f.ApprovedApplicationFactory(
            association=two_associations.a, business=two_associations.business_a
        ),
        holder_name="@evil",
    )
    f.CertificateFactory(
        application=f.ApprovedApplicationFactory(
            association=two_associations.b, business=two_associations.business_b
        )
    )

    response = _export(client_for("staff_admin_a"), "certification_certificate", XLSX_FORMAT)

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][1] == "'@evil"


def test_application_export_follows_the_lists_filter(two_associations, client_for):
    scored = f.ApprovedApplicationFactory(
        association=two_associations.a, business=two_associations.business_a, status="scored"
    )
    f.ApprovedApplicationFactory(association=two_associations.a, business=two_associations.business_a)
    f.ApprovedApplicationFactory(
        association=two_associations.b, business=two_associations.business_b, status="scored"
    )

    rows = _csv_rows(
        _export(client_for("staff_admin_a"), "certification_application", query="?status__exact=scored")
    )

    assert [row[0] for row in rows[1:]] == [str(scored.pk)]


def test_metric_value_export_keeps_negative_numbers(two_associations, client_for):
    report = f.MetricReportFactory(association=two_associations.a, business=two_associations.business_a)
    f.MetricValueFactory(report=report, value="-12.50")
    f.MetricValueFactory(
        report=f.MetricReportFactory(association=two_associations.b, business=two_associations.business_b)
    )

    rows = _csv_rows(_export(client_for("staff_admin_a"), "members_metricvalue"))

    assert len(rows) == 2
    assert rows[1][0] == two_associations.business_a.name
    assert rows[1][5] == "-12.50"
