"""A month's customer responses become CSAT, NPS and FCR values with the
provenance "computed from N customer responses"; KPI gates can require that
kind; bursts are held out of everything until staff release them."""

import datetime
from decimal import Decimal

from django.utils import timezone

from associations.models import KpiSource
from audits import scoring
from audits.queries import latest_kpi_values
from members.metrics.reports import record_metric_report
from members.metrics.values import CleanValue
from members.models import MetricReport, MetricValue, SurveyResponse
from members.surveys.collect import _burst_hold
from members.surveys.kpis import compute_customer_kpis
from members.tasks import compute_customer_kpis_task
from tests import factories as f

MARCH = datetime.date(2026, 3, 1)


def _responses(instrument, business, n, *, day=MARCH, **answers):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    SurveyResponse.objects.bulk_create(
        [
            SurveyResponse(
                instrument=instrument,
                business=business,
                association=instrument.standard.association,
                submitted_at=moment + datetime.timedelta(hours=i),
                **answers,
            )
            for i in range(n)
        ]
    )


def _kpis(association):
    return {
        code: f.KpiFactory(association=association, code=code, min_value=-100)
        for code in ("csat", "nps", "fcr")
    }


def _computed(business):
    return {
        (v.kpi.code, v.value, v.sample_size)
        for v in MetricValue.objects.filter(
            report__business=business, source=KpiSource.CUSTOMERS
        ).select_related("kpi")
    }


def test_month_of_responses_becomes_computed_kpi_values(two_associations):
    w = two_associations
    _kpis(w.a)
    instrument = f.InstrumentFactory(standard__association=w.a)
    _responses(instrument, w.business_a, 20, csat=5, nps=10, fcr=True)
    _responses(instrument, w.business_a, 10, csat=2, nps=3, fcr=False)

    written = compute_customer_kpis(MARCH)

    assert written == 3
    assert _computed(w.business_a) == {
        ("csat", Decimal("66.67"), 30),
        ("nps", Decimal("33.33"), 30),
        ("fcr", Decimal("66.67"), 30),
    }


def test_below_minimum_sample_no_value_is_written(two_associations):
    w = two_associations
    _kpis(w.a)
    instrument = f.InstrumentFactory(standard__association=w.a)
    _responses(instrument, w.business_a, 29, csat=5, nps=10, fcr=True)

    assert compute_customer_kpis(MARCH) == 0
    assert _computed(w.business_a) == set()


def test_computing_twice_leaves_the_same_values(two_associations):
    w = two_associations
    _kpis(w.a)
    instrument = f.InstrumentFactory(standard__association=w.a)
    _responses(instrument, w.business_a, 30, csat=4, nps=8, fcr=True)

    compute_customer_kpis_task(month="2026-03-01")
    compute_customer_kpis_task(month="2026-03-01")

    assert _computed(w.business_a) == {
        ("csat", Decimal("100.00"), 30),
        ("nps", Decimal("0.00"), 30),
        ("fcr", Decimal("100.00"), 30),
    }
    assert MetricReport.objects.filter(business=w.business_a, period=MARCH).count() == 1


def test_held_responses_do_not_count(two_associations):
    w = two_associations
    _kpis(w.a)
    instrument = f.InstrumentFactory(standard__association=w.a)
    _responses(instrument, w.business_a, 30, csat=5, nps=10, fcr=True)
    _responses(instrument, w.business_a, 30, csat=1, nps=0, fcr=False, held=True)

    compute_customer_kpis(MARCH)

    assert ("csat", Decimal("100.00"), 30) in _computed(w.business_a)


def test_business_can_still_report_a_month_that_has_computed_values(two_associations):
    w = two_associations
    kpis = _kpis(w.a)
    instrument = f.InstrumentFactory(standard__association=w.a)
    _responses(instrument, w.business_a, 30, csat=5, nps=10, fcr=True)
    compute_customer_kpis(MARCH)

    record_metric_report(
        w.business_a,
        association=w.a,
        period=MARCH,
        values=[CleanValue(kpis["csat"].pk, Decimal("91"), None)],
        actor=w.business_user_a,
        source="form",
    )

    sources = set(MetricValue.objects.filter(kpi=kpis["csat"]).values_list("source", "value"))
    assert sources == {("customers", Decimal("100.00")), ("reported", Decimal("91.00"))}


def test_gate_requiring_computed_values_ignores_reported_ones(two_associations):
    w = two_associations
    kpis = _kpis(w.a)
    report = f.MetricReportFactory(business=w.business_a, association=w.a, period=MARCH)
    f.MetricValueFactory(report=report, kpi=kpis["csat"], value=95)
    f.MetricValueFactory(
        report=report, kpi=kpis["csat"], value=70, source=KpiSource.CUSTOMERS, sample_size=40
    )
    application = f.ApplicationFactory(
        business=w.business_a, standard=f.PublishedStandardFactory(association=w.a)
    )
    rules = [
        scoring.CriterionRule("ANY", "reliability", Decimal(1), 5, kpi="csat", kpi_threshold=Decimal(80)),
        scoring.CriterionRule(
            "CUS", "reliability", Decimal(1), 5, kpi="csat", kpi_threshold=Decimal(80), kpi_source="customers"
        ),
        scoring.CriterionRule(
            "REP", "reliability", Decimal(1), 5, kpi="csat", kpi_threshold=Decimal(80), kpi_source="reported"
        ),
    ]

    gates = scoring.gates(rules, latest_kpi_values(application))

    assert [(g.code, g.value, g.passed) for g in gates] == [
        ("ANY", Decimal("70.00"), False),  # in one month, the computed value before the reported one
        ("CUS", Decimal("70.00"), False),
        ("REP", Decimal("95.00"), True),
    ]


def test_gate_requiring_computed_values_fails_without_any(two_associations):
    rule = scoring.CriterionRule(
        "CUS", "reliability", Decimal(1), 5, kpi="csat", kpi_threshold=Decimal(80), kpi_source="customers"
    )

    [gate] = scoring.gates([rule], {"csat": Decimal(99), ("csat", "reported"): Decimal(99)})

    assert (gate.value, gate.passed) == (None, False)


def test_burst_far_above_the_normal_rate_is_held(two_associations):
    w = two_associations
    instrument = f.InstrumentFactory(standard__association=w.a)
    now = timezone.now()
    # A normal month: two responses a day at lunchtime.
    for day in range(1, 28):
        _responses(instrument, w.business_a, 2, day=(now - datetime.timedelta(days=day)).date())
    # Then 14 in the last hour.
    SurveyResponse.objects.bulk_create(
        [
            SurveyResponse(
                instrument=instrument,
                business=w.business_a,
                association=w.a,
                submitted_at=now - datetime.timedelta(minutes=50 - i),
            )
            for i in range(14)
        ]
    )

    assert _burst_hold(w.business_a.pk, w.a.pk, now) is True
    assert SurveyResponse.objects.filter(held=True).count() == 14
    # The next one, within the hour, is held too.
    assert _burst_hold(w.business_a.pk, w.a.pk, now + datetime.timedelta(minutes=5)) is True


def test_normal_rate_is_not_held(two_associations):
    w = two_associations
    instrument = f.InstrumentFactory(standard__association=w.a)
    now = timezone.now()
    SurveyResponse.objects.bulk_create(
        [
            SurveyResponse(
                instrument=instrument,
                business=w.business_a,
                association=w.a,
                submitted_at=now - datetime.timedelta(minutes=i * 5),
            )
            for i in range(8)
        ]
    )

    assert _burst_hold(w.business_a.pk, w.a.pk, now) is False
    assert SurveyResponse.objects.filter(held=True).count() == 0
