"""Reads for the customer-voice pages: a business's aggregates (never a
single response), its place among anonymised peers, and the per-dimension
gap the auditor sees. Each function costs a fixed number of queries however
many responses there are."""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, F
from django.db.models.functions import TruncMonth
from django.utils import timezone

from associations.models import Dimension, KpiSource

from ..models import Business, Instrument, MetricValue, SurveyAnswer, SurveyItem, SurveyResponse
from . import scoring
from .collect import current_instrument

MONTHS = 12
MIN_PEERS = 5  # k-anonymity: peers' quartiles from at least five businesses
COMMENTS_SHOWN = 20


@dataclass
class PeerPlace:
    count: int
    q1: Decimal
    median: Decimal
    q3: Decimal
    mine: Decimal | None


@dataclass
class Voice:
    instrument: Instrument | None
    items: list[SurveyItem] = field(default_factory=list)
    n: int = 0
    months: list[tuple[datetime.date, int]] = field(default_factory=list)
    report: scoring.SurveyReport | None = None
    withheld: scoring.Withheld | None = None
    improve_first: list[tuple[SurveyItem, scoring.Scores]] = field(default_factory=list)
    comments: list[tuple[datetime.date, str]] = field(default_factory=list)
    peers: dict[str, PeerPlace] = field(default_factory=dict)
    computed: list[MetricValue] = field(default_factory=list)

    @property
    def dimensions(self) -> list[tuple[str, str, scoring.Scores]]:
        """[(value, label, scores)] in the SERVQUAL order."""
        if self.report is None:
            return []
        return [
            (v, label, self.report.dimensions[v])
            for v, label in Dimension.choices
            if v in self.report.dimensions
        ]


def since(months: int = MONTHS) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=31 * months)


def counted_responses(business_id: int, association_id: int, instrument: Instrument):
    return SurveyResponse.objects.counted().filter(
        business_id=business_id,
        association_id=association_id,
        instrument=instrument,
        submitted_at__gte=since(),
    )


def scoring_responses(responses, instrument: Instrument) -> list[scoring.Response]:
    """The responses as the scoring functions take them: two queries."""
    heads = {
        pk: (csat, nps, fcr, importance)
        for pk, csat, nps, fcr, importance in responses.values_list("pk", "csat", "nps", "fcr", "importance")
    }
    columns: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    rows = SurveyAnswer.objects.filter(response__in=responses).values_list(
        "response_id", "item__number", "perceived", "expected", "minimum", "desired"
    )
    for response_id, number, perceived, expected, minimum, desired in rows:
        code = f"Q{number}"
        mine = columns[response_id]
        mine["perceived"][code] = perceived
        if instrument.three_column:
            mine["minimum"][code], mine["desired"][code] = minimum, desired
        else:
            mine["expected"][code] = expected
    return [
        scoring.Response(
            perceived=columns[pk]["perceived"],
            expected=columns[pk].get("expected", {}),
            minimum=columns[pk].get("minimum", {}),
            desired=columns[pk].get("desired", {}),
            importance=importance or {},
            csat=csat,
            nps=nps,
            fcr=fcr,
        )
        for pk, (csat, nps, fcr, importance) in heads.items()
        if pk in columns
    ]


def _items(instrument: Instrument) -> list[SurveyItem]:
    return list(instrument.items.order_by("number"))


def voice_of(business, association) -> Voice:
    """Everything the business's customer-voice page shows."""
    instrument = current_instrument(association.pk)
    if instrument is None:
        return Voice(instrument=None)
    items = _items(instrument)
    responses = counted_responses(business.pk, association.pk, instrument)
    voice = Voice(instrument=instrument, items=items)
    voice.months = list(
        responses.annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
        .values_list("month", "n")
    )
    voice.n = sum(n for _m, n in voice.months)
    voice.computed = list(
        MetricValue.objects.filter(
            report__business=business, report__association=association, source=KpiSource.CUSTOMERS
        )
        .select_related("kpi", "report")
        .order_by("-report__period", "kpi__order")[:9]
    )
    minimum = instrument.minimum_sample
    result = scoring.survey_report(
        scoring_responses(responses, instrument), _scoring_items(items), minimum=minimum
    )
    if isinstance(result, scoring.Withheld):
        voice.withheld = result
        return voice
    voice.report = result
    by_code = {item.code: item for item in items}
    voice.improve_first = [
        (by_code[code], result.items[code]) for code in scoring.improve_first(result.items)
    ]
    voice.comments = _comments(responses)
    voice.peers = peer_places(business.pk, association.pk, instrument)
    return voice


def _scoring_items(items: list[SurveyItem]) -> list[scoring.Item]:
    return [scoring.Item(item.code, item.dimension) for item in items]


def _comments(responses) -> list[tuple[datetime.date, str]]:
    """The latest screened comments, by month only (no timestamp to match a visit)."""
    rows = (
        responses.exclude(comment_screened="")
        .filter(comment_hidden=False)
        .order_by("-submitted_at")
        .values_list("submitted_at", "comment_screened")[:COMMENTS_SHOWN]
    )
    return [(moment.date().replace(day=1), text) for moment, text in rows]


def dimension_gaps(association_id: int, instrument: Instrument, *, business_id: int | None = None):
    """Per (business, dimension): the mean gap (P - E, or P - A in the
    three-column form) and the number of responses, over the last 12 months.
    Every response rates every item, so the mean over answers equals the
    mean over respondents of their dimension means. One query."""
    gap = F("perceived") - (F("minimum") if instrument.three_column else F("expected"))
    answers = SurveyAnswer.objects.filter(
        response__association_id=association_id,
        response__instrument=instrument,
        response__held=False,
        response__submitted_at__gte=since(),
    )
    if business_id is not None:
        answers = answers.filter(response__business_id=business_id)
    return (
        answers.values("response__business_id", "item__dimension")
        .annotate(gap=Avg(gap), n=Count("response_id", distinct=True))
        .order_by()
        .values_list("response__business_id", "item__dimension", "gap", "n")
    )


def peer_places(business_id: int, association_id: int, instrument: Instrument) -> dict[str, PeerPlace]:
    """Per dimension, the quartiles of the businesses' gaps (those with the
    minimum sample), when at least MIN_PEERS businesses have one."""
    per_dimension: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for business, dimension, gap, n in dimension_gaps(association_id, instrument):
        if n >= scoring.minimum_sample(instrument.minimum_sample):
            per_dimension[dimension][business] = Decimal(gap).quantize(Decimal("0.01"))
    places = {}
    for dimension, gaps in per_dimension.items():
        if len(gaps) < MIN_PEERS:
            continue
        q1, median, q3 = statistics.quantiles(sorted(gaps.values()), n=4, method="inclusive")
        places[dimension] = PeerPlace(len(gaps), _two(q1), _two(median), _two(q3), gaps.get(business_id))
    return places


def _two(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def customers_gap_by_dimension(business_id: int, association_id: int) -> tuple[Instrument | None, dict, int]:
    """For the auditor: (instrument, {dimension: mean gap}, n), the gaps
    only when the responses reach the minimum sample."""
    instrument = current_instrument(association_id)
    if instrument is None:
        return None, {}, 0
    rows = list(dimension_gaps(association_id, instrument, business_id=business_id))
    n = max((row[3] for row in rows), default=0)
    if n < scoring.minimum_sample(instrument.minimum_sample):
        return instrument, {}, n
    return instrument, {dimension: _two(gap) for _b, dimension, gap, _n in rows}, n


@dataclass
class MemberGaps:
    business: str
    n: int
    gaps: dict[str, Decimal]  # dimension -> mean gap; empty below the minimum sample


def association_gaps(instrument: Instrument) -> list[MemberGaps]:
    """Staff: every member's dimension gaps on the instrument (last 12 months),
    by business name; members below the minimum sample listed with n only.
    Two queries."""
    minimum = scoring.minimum_sample(instrument.minimum_sample)
    by_business: dict[int, dict] = defaultdict(dict)
    counts: dict[int, int] = {}
    for business, dimension, gap, n in dimension_gaps(instrument.standard.association_id, instrument):
        by_business[business][dimension] = _two(gap)
        counts[business] = max(counts.get(business, 0), n)
    names = dict(Business.objects.filter(pk__in=list(by_business)).values_list("pk", "name"))
    return sorted(
        (
            MemberGaps(names[pk], counts[pk], gaps if counts[pk] >= minimum else {})
            for pk, gaps in by_business.items()
        ),
        key=lambda row: row.business,
    )
