"""Monthly service metric reports and their values."""

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from .plan import add_months, scaled

if TYPE_CHECKING:
    from .seeder import Seeder


def metrics(s: "Seeder") -> str:
    rng = s.rng
    target_reports = scaled("metric_values", s.scale, 5) // 5
    pairs = s.pairs
    # Between half and one and a half times the average number of months per membership.
    average = target_reports / len(pairs)
    months = [max(1, round(average * rng.uniform(0.5, 1.5))) for _ in pairs]
    while sum(months) != target_reports:  # hit the total exactly
        i = rng.randrange(len(months))
        if sum(months) > target_reports and months[i] > 1:
            months[i] -= 1
        elif sum(months) < target_reports:
            months[i] += 1
    last_month = (s.today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    reports, values = [], []
    for pair, n in zip(pairs, months, strict=True):
        a, quality = pair.association, s.business_quality[pair.business]
        # A fifth have not reported last month yet.
        end = add_months(last_month, -1) if rng.random() < 0.2 else last_month
        source = rng.choices(["form", "csv", "api"], weights=[50, 30, 20])[0]
        for step in range(n):
            period = add_months(end, step - n + 1)
            report_id = s.ids("report")
            when = min(s.now, s.at(add_months(period, 1) + datetime.timedelta(days=rng.randint(0, 9))))
            reports.append(
                {
                    "id": report_id,
                    "business_id": pair.business,
                    "association_id": a.id,
                    "period": period,
                    "submitted_by_id": s.owner_of[pair.business],
                    "source": source,
                    "created_at": when,
                    "updated_at": when,
                }
            )
            trend = step / max(1, n)
            for code, value, sample in _kpi_values(quality, trend, rng):
                values.append(
                    {
                        "id": s.ids("metric_value"),
                        "report_id": report_id,
                        "kpi_id": a.kpis[code],
                        "value": value,
                        "sample_size": sample,
                    }
                )
    s.w.insert(s.M.MetricReport, reports)
    s.w.insert(s.M.MetricValue, values)
    return f"{len(reports):,} reports, {len(values):,} values"


def _kpi_values(quality: float, trend: float, rng) -> list[tuple[str, Decimal, int | None]]:
    """The demo's formulas (config/demo_activity.py): better businesses score better."""

    def clamp(x: float, low: float, high: float) -> float:
        return max(low, min(high, x))

    return [
        (
            "csat",
            Decimal(f"{clamp(70 + 20 * quality + 4 * trend + rng.uniform(-3, 3), 0, 100):.1f}"),
            rng.randint(80, 400),
        ),
        (
            "nps",
            Decimal(f"{clamp(5 + 40 * quality + 5 * trend + rng.uniform(-6, 6), -100, 100):.0f}"),
            rng.randint(60, 300),
        ),
        ("fcr", Decimal(f"{clamp(60 + 25 * quality + rng.uniform(-4, 4), 0, 100):.1f}"), None),
        (
            "first_response_hours",
            Decimal(f"{clamp(30 - 22 * quality + rng.uniform(-2, 2), 0, 720):.1f}"),
            None,
        ),
        (
            "resolution_hours",
            Decimal(f"{clamp(200 - 120 * quality + rng.uniform(-20, 20), 0, 2160):.0f}"),
            None,
        ),
    ]
