import datetime
from decimal import Decimal

import pytest

from associations.models import ActionLog
from members.metrics.reports import record_metric_reports
from members.metrics.values import MetricsError, clean_reports, kpis_by_code
from members.models import MembershipStatus, MetricReport, MetricValue
from tests import factories as f

JAN = datetime.date(2026, 1, 1)


@pytest.fixture
def member_with_kpis(db):
    association = f.AssociationFactory()
    business = f.BusinessFactory()
    f.MembershipFactory(association=association, business=business)
    user = f.BusinessUserFactory(business=business).user
    csat = f.KpiFactory(association=association, code="csat", has_sample_size=True)
    hours = f.KpiFactory(
        association=association, code="response-hours", min_value=0, max_value=72, higher_is_better=False
    )
    return association, business, user, csat, hours


def _record(member_with_kpis, values, *, period=JAN, replace=False):
    """One month's values as given: checked once (clean_reports), then written."""
    association, business, user, *_ = member_with_kpis
    reports = clean_reports({period: values}, kpis_by_code(association))
    result = record_metric_reports(
        business, association=association, reports=reports, actor=user, source="form", replace=replace
    )
    return result.reports[0]


def test_record_metric_report_stores_values_and_history(member_with_kpis):
    association, business, user, *_ = member_with_kpis

    report = _record(member_with_kpis, {"csat": ("87.5", 120), "response-hours": (Decimal("4"), None)})

    assert (report.business, report.association, report.period, report.submitted_by) == (
        business,
        association,
        JAN,
        user,
    )
    assert sorted(report.values.values_list("kpi__code", "value", "sample_size")) == [
        ("csat", Decimal("87.50"), 120),
        ("response-hours", Decimal("4.00"), None),
    ]
    assert list(ActionLog.objects.for_object(report).values_list("action", flat=True)) == ["metrics.reported"]


def test_record_metric_report_accepts_any_day_of_the_month(member_with_kpis):
    report = _record(member_with_kpis, {"response-hours": ("4", None)}, period="2026-01-17")

    assert report.period == JAN


def test_record_metric_report_lists_every_bad_value_with_its_reason(member_with_kpis):
    with pytest.raises(MetricsError) as caught:
        _record(member_with_kpis, {"csat": ("101", 10), "response-hours": ("abc", None)})

    assert caught.value.errors == [
        "2026-01: csat: 101 is outside the valid range 0 to 100 %.",
        "2026-01: response-hours: “abc” is not a number.",
    ]
    assert MetricReport.objects.count() == 0


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"csat": ("80", None)}, "2026-01: csat: a sample size is required."),
        ({"csat": ("80", "0")}, "2026-01: csat: the sample size must be at least 1."),
        ({"csat": ("80", "3000000000")}, "2026-01: csat: the sample size must be at most 2,147,483,647."),
        ({"csat": ("80", "ten")}, "2026-01: csat: the sample size “ten” is not a whole number."),
        ({"response-hours": ("4", "10")}, "2026-01: response-hours: this KPI does not take a sample size."),
        (
            {"response-hours": ("4.123", None)},
            "2026-01: response-hours: use at most two decimal places (got 4.123).",
        ),
        (
            {"response-hours": ("-1", None)},
            "2026-01: response-hours: -1 is outside the valid range 0 to 72 %.",
        ),
        ({"response-hours": ("NaN", None)}, "2026-01: response-hours: the value must be a finite number."),
        ({"nps": ("4", None)}, "2026-01: unknown KPI code “nps”."),
    ],
)
def test_record_metric_report_refuses_a_bad_value(member_with_kpis, values, reason):
    with pytest.raises(MetricsError) as caught:
        _record(member_with_kpis, values)

    assert caught.value.errors == [reason]
    assert MetricValue.objects.count() == 0


def test_record_metric_report_refuses_a_future_month(member_with_kpis):
    future = (datetime.date.today().replace(day=1) + datetime.timedelta(days=40)).replace(day=1)

    with pytest.raises(MetricsError) as caught:
        _record(member_with_kpis, {"response-hours": ("4", None)}, period=future)

    assert caught.value.errors == [f"{future:%Y-%m}: a month in the future cannot be reported."]


def test_record_metric_report_refuses_a_business_outside_the_association(member_with_kpis):
    _association, business, user, *_ = member_with_kpis
    other = f.AssociationFactory()

    with pytest.raises(MetricsError, match="is not a member of"):
        record_metric_reports(business, association=other, reports={JAN: []}, actor=user, source="form")


def test_record_metric_report_refuses_a_suspended_membership(member_with_kpis):
    business = member_with_kpis[1]
    business.memberships.update(status=MembershipStatus.SUSPENDED)

    with pytest.raises(MetricsError, match="membership is suspended"):
        _record(member_with_kpis, {"response-hours": ("4", None)})


def test_record_metric_report_refuses_an_existing_month_without_replace(member_with_kpis):
    _record(member_with_kpis, {"response-hours": ("4", None)})

    with pytest.raises(MetricsError) as caught:
        _record(member_with_kpis, {"response-hours": ("5", None)})

    assert caught.value.existing == ["2026-01"]
    assert list(MetricValue.objects.values_list("value", flat=True)) == [Decimal("4.00")]


def test_record_metric_report_replaces_the_whole_month_when_asked(member_with_kpis):
    first = _record(member_with_kpis, {"response-hours": ("4", None), "csat": ("90", 10)})

    second = _record(member_with_kpis, {"response-hours": ("5", None)}, replace=True)

    assert second.pk == first.pk
    assert list(second.values.values_list("kpi__code", "value")) == [("response-hours", Decimal("5.00"))]
    assert list(ActionLog.objects.for_object(second).values_list("action", flat=True)) == [
        "metrics.reported",
        "metrics.replaced",
    ]


def test_record_metric_reports_writes_many_months_in_fixed_queries(
    member_with_kpis, django_assert_max_num_queries
):
    association, business, user, *_ = member_with_kpis
    reports = clean_reports(
        {
            datetime.date(2000 + i // 12, i % 12 + 1, 1): {"response-hours": (str(i % 70), None)}
            for i in range(300)
        },
        kpis_by_code(association),
    )

    # Bulk writes are chunked (SQLite allows 999 parameters a query), never per row.
    with django_assert_max_num_queries(20):
        result = record_metric_reports(
            business, association=association, reports=reports, actor=user, source="csv"
        )

    assert (result.created, result.replaced, result.values) == (300, 0, 300)
    assert ActionLog.objects.filter(action="metrics.reported").count() == 300


def test_record_metric_reports_of_many_months_stores_each_with_its_history(member_with_kpis):
    # Past COPY_ABOVE reports, PostgreSQL takes ids from the sequence and COPYs.
    association, business, user, csat, hours = member_with_kpis
    months = [datetime.date(1900 + i // 12, i % 12 + 1, 1) for i in range(1200)]
    reports = clean_reports(
        {m: {"csat": (str(i % 100), 50), "response-hours": ("4.5", None)} for i, m in enumerate(months)},
        kpis_by_code(association),
    )

    result = record_metric_reports(
        business, association=association, reports=reports, actor=user, source="csv"
    )
    later = _record(member_with_kpis, {"csat": ("90", 10), "response-hours": ("2", None)})

    stored = MetricReport.objects.filter(business=business).exclude(pk=later.pk)
    assert (result.created, result.values) == (1200, 2400)
    assert [r.pk for r in result.reports] == list(stored.order_by("period").values_list("pk", flat=True))
    assert later.pk not in {r.pk for r in result.reports}
    assert stored.get(period=datetime.date(1900, 3, 1)).submitted_by == user
    assert set(
        MetricValue.objects.filter(report__period=datetime.date(1900, 3, 1)).values_list(
            "kpi", "value", "sample_size"
        )
    ) == {(csat.pk, Decimal("2.00"), 50), (hours.pk, Decimal("4.50"), None)}
    history = ActionLog.objects.filter(action="metrics.reported").exclude(object_id=later.pk)
    assert sorted(history.values_list("object_id", flat=True)) == sorted(r.pk for r in result.reports)
    assert {(a, d["source"], s) for a, d, s in history.values_list("actor", "data", "association")} == {
        (user.pk, "csv", association.pk)
    }
