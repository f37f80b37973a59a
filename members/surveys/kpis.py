"""A month's customer responses become that month's KPI values, with the
provenance "computed from N customer responses" (MetricValue.source =
customers, sample_size = N), beside whatever the business reported.

Which KPIs: the association's KPI definitions coded `csat`, `nps` and `fcr`
(the standard questions); an association without one of them gets no value
for it. Held responses (a burst not yet released) count for nothing. Below
the instrument's minimum sample (default 30) no value is written.

Set-based and idempotent: one aggregate over the month's responses grouped by
business and association, then the month's computed values are replaced in
bulk. Running it twice, or again after staff release a burst, leaves exactly
the values the responses say."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from associations.models import KpiDefinition, KpiSource

from ..models import MetricReport, MetricValue, SurveyResponse
from . import scoring

CODES = ("csat", "nps", "fcr")


def month_bounds(period: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = period.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(end, datetime.time.min, tzinfo=zone),
    )


def _computed(row: dict) -> dict[str, scoring.ComputedKpi]:
    """The scoring functions fed from the counts (the shares depend on nothing else)."""
    minimum = row["minimum"]
    passive = row["nps_n"] - row["promoters"] - row["detractors"]
    return {
        "csat": scoring.csat_percent(
            [5] * row["csat_good"] + [1] * (row["csat_n"] - row["csat_good"]), minimum=minimum
        ),
        "nps": scoring.net_promoter_score(
            [10] * row["promoters"] + [0] * row["detractors"] + [7] * passive, minimum=minimum
        ),
        "fcr": scoring.fcr_percent(
            [True] * row["fcr_yes"] + [False] * (row["fcr_n"] - row["fcr_yes"]), minimum=minimum
        ),
    }


def month_counts(period: datetime.date, *, business_id: int | None = None):
    """Per business and association: the counts behind CSAT, NPS and FCR for the month."""
    start, end = month_bounds(period)
    responses = SurveyResponse.objects.counted().filter(submitted_at__gte=start, submitted_at__lt=end)
    if business_id is not None:
        responses = responses.filter(business_id=business_id)
    return (
        responses.values("business_id", "association_id")
        .annotate(
            minimum=Max("instrument__minimum_sample"),
            csat_n=Count("pk", filter=Q(csat__isnull=False)),
            csat_good=Count("pk", filter=Q(csat__gte=4)),
            nps_n=Count("pk", filter=Q(nps__isnull=False)),
            promoters=Count("pk", filter=Q(nps__gte=9)),
            detractors=Count("pk", filter=Q(nps__lte=6)),
            fcr_n=Count("pk", filter=Q(fcr__isnull=False)),
            fcr_yes=Count("pk", filter=Q(fcr=True)),
        )
        .order_by()
    )


@transaction.atomic
def compute_customer_kpis(period: datetime.date) -> int:
    """Replace the month's customer-computed KPI values; returns how many were written."""
    period = period.replace(day=1)
    rows = list(month_counts(period))
    kpis = {
        (association_id, code): kpi_id
        for kpi_id, association_id, code in KpiDefinition.objects.filter(
            association_id__in={r["association_id"] for r in rows}, code__in=CODES
        ).values_list("pk", "association_id", "code")
    }
    wanted: list[tuple[tuple[int, int], int, Decimal, int]] = []
    for row in rows:
        key = (row["business_id"], row["association_id"])
        for code, result in _computed(row).items():
            kpi_id = kpis.get((row["association_id"], code))
            if kpi_id is not None and not result.withheld:
                wanted.append((key, kpi_id, result.value, result.n))
    MetricValue.objects.filter(report__period=period, source=KpiSource.CUSTOMERS).delete()
    if not wanted:
        return 0
    now = timezone.now()
    # A month the business has not reported yet gets a report row of its own;
    # reporting the month later fills that row (members/metrics/reports.py).
    MetricReport.objects.bulk_create(
        [
            MetricReport(business_id=b, association_id=a, period=period, source="survey", created_at=now)
            for b, a in {key for key, *_rest in wanted}
        ],
        ignore_conflicts=True,
    )
    reports = {
        (b, a): pk
        for pk, b, a in MetricReport.objects.filter(
            period=period, business_id__in={key[0] for key, *_r in wanted}
        ).values_list("pk", "business_id", "association_id")
    }
    MetricValue.objects.bulk_create(
        [
            MetricValue(
                report_id=reports[key], kpi_id=kpi_id, value=value, sample_size=n, source=KpiSource.CUSTOMERS
            )
            for key, kpi_id, value, n in wanted
        ]
    )
    return len(wanted)


def months_to_compute(today: datetime.date | None = None) -> list[datetime.date]:
    """The month just finished and the current one (so far): a response
    released late, or arriving today, is counted by the next run."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    return [last_month, this_month]
