"""Reads for the KPI dashboard: a fixed number of queries however many
months, KPIs or peers there are."""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from associations.models import Association, Criterion, KpiDefinition, KpiSource, PublicationStatus

from ..models import Business, MetricReport, MetricValue

# Peer figures appear only when this many businesses (the business included)
# reported the KPI for the month, so no single peer can be picked out.
MIN_PEERS = 5

QUARTER_LABELS = {
    1: _("Top quarter"),
    2: _("Second quarter"),
    3: _("Third quarter"),
    4: _("Bottom quarter"),
}


@dataclass
class PeerPlace:
    period: object
    count: int
    q1: Decimal
    median: Decimal
    q3: Decimal
    quarter: int

    @property
    def label(self) -> str:
        return QUARTER_LABELS[self.quarter]


@dataclass
class KpiPanel:
    kpi: KpiDefinition
    points: list = field(default_factory=list)  # [(period, value, sample_size)]
    thresholds: list = field(default_factory=list)  # [(label, Decimal)]
    peers: PeerPlace | None = None
    peer_count: int = 0

    @property
    def latest(self):
        return self.points[-1] if self.points else None

    @property
    def meets_thresholds(self) -> bool | None:
        if not self.points or not self.thresholds:
            return None
        value = self.points[-1][1]
        if self.kpi.higher_is_better:
            return all(value >= t for _label, t in self.thresholds)
        return all(value <= t for _label, t in self.thresholds)

    def chart_data(self) -> dict:
        return {
            "id": self.kpi.pk,
            "name": self.kpi.name,
            "unit": self.kpi.unit,
            "labels": [f"{p:%Y-%m}" for p, _v, _s in self.points],
            "values": [float(v) for _p, v, _s in self.points],
            "thresholds": [{"label": str(label), "value": float(t)} for label, t in self.thresholds],
        }


def kpi_panels(business: Business, association: Association) -> list[KpiPanel]:
    panels = {kpi.pk: KpiPanel(kpi=kpi) for kpi in KpiDefinition.objects.filter(association=association)}
    rows = (
        # The business's own figures; those computed from customer responses
        # are on the customer-voice page.
        MetricValue.objects.filter(
            report__business=business, report__association=association, source=KpiSource.REPORTED
        )
        .order_by("report__period", "kpi_id")
        .values_list("kpi_id", "report__period", "value", "sample_size")
    )
    for kpi_id, period, value, sample in rows:
        panels[kpi_id].points.append((period, value, sample))
    thresholds = Criterion.objects.filter(
        standard__association=association,
        standard__status=PublicationStatus.PUBLISHED,
        kpi__isnull=False,
    ).values_list("kpi_id", "kpi_threshold", "standard__name", "code")
    for kpi_id, threshold, standard_name, code in thresholds:
        if kpi_id in panels:
            panels[kpi_id].thresholds.append((f"{standard_name} {code}", threshold))
    _add_peer_places(business, association, [p for p in panels.values() if p.points])
    return list(panels.values())


def _add_peer_places(business: Business, association: Association, panels: list[KpiPanel]) -> None:
    """Each KPI's values from every business of the association for the
    business's latest month of that KPI: one query for all KPIs."""
    if not panels:
        return
    # The association's reports for those months, from the (association,
    # period) index alone, then their values by report: a subquery, so the
    # planner does not start from every value of the association's KPIs.
    periods = {panel.latest[0] for panel in panels}
    reports = MetricReport.objects.filter(association=association, period__in=periods).values("pk")
    peer_values = defaultdict(list)
    rows = MetricValue.objects.filter(
        report__in=reports,
        report__association=association,
        report__period__in=periods,
        source=KpiSource.REPORTED,
    ).values_list("kpi_id", "report__period", "value")
    for kpi_id, period, value in rows:
        peer_values[(kpi_id, period)].append(value)
    for panel in panels:
        period, mine = panel.latest[0], panel.latest[1]
        values = sorted(peer_values[(panel.kpi.pk, period)])
        panel.peer_count = len(values)
        if len(values) < MIN_PEERS:
            continue
        q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
        better = sum(1 for v in values if (v > mine if panel.kpi.higher_is_better else v < mine))
        quarter = 1 + min(3, int(4 * better / len(values)))
        panel.peers = PeerPlace(
            period=period,
            count=len(values),
            q1=_round(q1),
            median=_round(median),
            q3=_round(q3),
            quarter=quarter,
        )


def _round(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))
