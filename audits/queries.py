"""Reads for the auditor pages and the result: each owns its joins, and turns
rows into the plain inputs of audits.scoring."""

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Case, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.utils import timezone

from associations.models import (
    Association,
    CertificationLevel,
    Criterion,
    Dimension,
    KpiDefinition,
    KpiSource,
)
from certification.models import Application, ApplicationStatus, Evidence
from certification.services import AuditResult
from members.models import Declaration, MetricReport, MetricValue
from members.surveys.queries import customers_gap_by_dimension

from . import scoring
from .models import Assignment, Consensus, Score, Scorecard

# Applications whose audit is over: their assignments leave the queue.
CLOSED_STATUSES = (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN)


def queue_for(user):
    """The auditor's assignments still to work on, overdue first, then by due date."""
    today = timezone.localdate()
    return (
        Assignment.objects.of_auditor(user)
        .exclude(declaration=Declaration.CONFLICT)
        .exclude(application__status__in=CLOSED_STATUSES)
        .select_related(
            "application__business", "application__standard", "application__association", "scorecard"
        )
        .annotate(
            overdue=Case(
                When(due_date__lt=today, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("overdue", "due_date", "pk")
    )


def ended_for(user, *, limit: int = 20):
    """The auditor's latest assignments that ended (they were removed from
    the association): listed without links, as they reach nothing now."""
    return (
        Assignment.objects.ended_for(user)
        .select_related("application__business", "application__standard", "application__association")
        .order_by(F("ended_at").desc(nulls_last=True), "-pk")[:limit]
    )


def finished_for(user, *, limit: int = 20):
    """The auditor's latest assignments whose application was decided or withdrawn."""
    return (
        Assignment.objects.of_auditor(user)
        .filter(declaration=Declaration.NO_CONFLICT, application__status__in=CLOSED_STATUSES)
        .select_related("application__business", "application__standard", "application__association")
        .order_by("-application__decided_at", "-pk")[:limit]
    )


def criteria_of(application: Application) -> list[Criterion]:
    return list(
        Criterion.objects.filter(standard_id=application.standard_id)
        .select_related("kpi")
        .order_by("order", "code")
    )


def grouped_by_dimension(items, key=lambda item: item.dimension) -> list[tuple[str, list]]:
    """[(dimension label, items)] in the SERVQUAL order, empty dimensions left out."""
    groups = []
    for value, label in Dimension.choices:
        members = [item for item in items if key(item) == value]
        if members:
            groups.append((label, members))
    return groups


def rule_for(criterion: Criterion) -> scoring.CriterionRule:
    return scoring.CriterionRule(
        code=criterion.code,
        dimension=criterion.dimension,
        weight=criterion.weight,
        max_score=criterion.max_score,
        kpi=criterion.kpi.code if criterion.kpi_id else None,
        kpi_threshold=criterion.kpi_threshold,
        higher_is_better=criterion.kpi.higher_is_better if criterion.kpi_id else True,
        kpi_source=criterion.kpi_source,
    )


def cleared_assignments(application: Application) -> list[Assignment]:
    """Assignments that count for scoring: every one not returned for a
    conflict, nor ended before its scorecard was submitted."""
    unfinished = Q(scorecard__isnull=True) | Q(scorecard__submitted_at__isnull=True)
    return list(
        application.assignments.exclude(declaration=Declaration.CONFLICT)
        .exclude(Q(ended_at__isnull=False) & unfinished)
        .select_related("auditor__user", "scorecard")
        .order_by("pk")
    )


def all_submitted(assignments: list[Assignment]) -> bool:
    return bool(assignments) and all(
        hasattr(a, "scorecard") and a.scorecard.is_submitted for a in assignments
    )


def submitted_scorecards(application: Application) -> list[dict[str, int | None]]:
    """One {criterion code: score} per submitted scorecard."""
    cards: dict[int, dict[str, int | None]] = {}
    rows = (
        Score.objects.filter(
            scorecard__assignment__application=application, scorecard__submitted_at__isnull=False
        )
        .exclude(scorecard__assignment__declaration=Declaration.CONFLICT)
        .values_list("scorecard_id", "criterion__code", "score")
    )
    for scorecard_id, code, score in rows:
        cards.setdefault(scorecard_id, {})[code] = score
    return [cards[key] for key in sorted(cards)]


class ScoreCell(NamedTuple):
    """One auditor's score (None when not given) and comment on one criterion."""

    score: int | None
    comment: str


def score_table(
    application: Application, criteria: list[Criterion] | None = None
) -> tuple[list[Assignment], list[tuple[Criterion, list[ScoreCell | None]]]]:
    """(cleared assignments, [(criterion, [its ScoreCell per assignment, None
    when not given])]) of the submitted scorecards, for reading the auditors'
    reasoning side by side. Callers show it once everyone has submitted
    (scoring is blind until then). Three queries however many rows; the
    scores come as plain tuples (no model row, nor scorecard row, per score)."""
    assignments = cleared_assignments(application)
    if criteria is None:
        # The table prints the codes only: no KPI rows joined.
        criteria = list(
            Criterion.objects.filter(standard_id=application.standard_id).order_by("order", "code")
        )
    scores = Score.objects.filter(
        scorecard__assignment__in=[a.pk for a in assignments], scorecard__submitted_at__isnull=False
    ).values_list("scorecard__assignment_id", "criterion_id", "score", "comment")
    by_key = {
        (assignment, criterion): ScoreCell(score, comment) for assignment, criterion, score, comment in scores
    }
    return assignments, [(c, [by_key.get((a.pk, c.pk)) for a in assignments]) for c in criteria]


def consensus_of(application: Application) -> dict[str, Decimal]:
    return dict(Consensus.objects.filter(application=application).values_list("criterion__code", "score"))


def latest_kpi_values(application: Application) -> dict[str | tuple[str, str], Decimal | None]:
    """Per KPI code, the business's most recent value of that KPI, whichever
    month reported it (as on the business's KPI dashboard, members.metrics.queries):
    a month that left a KPI out does not erase the earlier value. Also per
    (code, source), the most recent value of that source, for the gates that
    require one. In a month with values of several sources, "any" takes the
    computed one before the reported. One query."""
    latest = (
        MetricValue.objects.filter(
            report__business_id=application.business_id,
            report__association_id=application.association_id,
            kpi_id=OuterRef("kpi_id"),
            source=OuterRef("source"),
        )
        .order_by("-report__period")
        .values("pk")[:1]
    )
    rows = (
        MetricValue.objects.filter(
            report__business_id=application.business_id,
            report__association_id=application.association_id,
        )
        .filter(pk=Subquery(latest))
        .values_list("kpi__code", "source", "report__period", "value")
    )
    preference = {KpiSource.CUSTOMERS: 2, KpiSource.COMPLAINTS: 1, KpiSource.REPORTED: 0}
    result: dict[str | tuple[str, str], Decimal | None] = {}
    newest: dict[str, tuple] = {}
    for code, source, period, value in rows:
        result[(code, source)] = value
        rank = (period, preference.get(source, 0))
        if code not in newest or rank > newest[code]:
            newest[code], result[code] = rank, value
    return result


def levels_of(application: Application) -> list[tuple[CertificationLevel, scoring.Level]]:
    return [
        (level, scoring.Level(level.name, level.min_score))
        for level in CertificationLevel.objects.filter(association_id=application.association_id)
    ]


@dataclass
class Result:
    criteria: list[Criterion]
    consensus: dict[str, Decimal]
    scores: dict[str, Decimal]
    spreads: list[scoring.Spread]
    open_flags: list[str]
    outcome: scoring.Outcome
    level: CertificationLevel | None
    level_by_score: CertificationLevel | None


def result_for(application: Application) -> Result:
    """Everything the scoring rules say about the submitted scorecards."""
    criteria = criteria_of(application)
    rules = [rule_for(c) for c in criteria]
    cards = submitted_scorecards(application)
    consensus = consensus_of(application)
    spreads = scoring.spreads(rules, cards)
    flags = scoring.flagged(spreads, application.association.consensus_threshold)
    scores = scoring.criterion_scores(rules, cards, consensus)
    levels = levels_of(application)
    outcome = scoring.assess(
        rules,
        scores,
        [lvl for _row, lvl in levels],
        latest_kpi_values(application),
        dimensions=Dimension.values,
    )
    by_name = {row.name: row for row, _lvl in levels}
    return Result(
        criteria=criteria,
        consensus=consensus,
        scores=scores,
        spreads=spreads,
        open_flags=[code for code in flags if code not in consensus],
        outcome=outcome,
        level=by_name.get(outcome.level.name) if outcome.level else None,
        level_by_score=by_name.get(outcome.level_by_score.name) if outcome.level_by_score else None,
    )


def audit_result(result: Result) -> AuditResult:
    """What mark_scored stores on the application from the scoring's result."""
    outcome = result.outcome
    return AuditResult(
        overall=outcome.overall.value,
        dimensions={dimension: score.value for dimension, score in outcome.dimensions.items()},
        level=result.level,
        gates_missed=[
            {
                "criterion": gate.code,
                "kpi": gate.kpi,
                "threshold": str(gate.threshold),
                "value": None if gate.value is None else str(gate.value),
                "higher_is_better": gate.higher_is_better,
                "source": gate.source,
            }
            for gate in outcome.capped_by
        ],
    )


def gates_missed(application: Application) -> list[scoring.Gate]:
    """The KPI gates that capped the stored result (see audit_result)."""
    return [
        scoring.Gate(
            code=gate["criterion"],
            kpi=gate["kpi"],
            threshold=Decimal(gate["threshold"]),
            value=None if gate["value"] is None else Decimal(gate["value"]),
            higher_is_better=gate["higher_is_better"],
            source=gate.get("source", ""),
        )
        for gate in application.gates_missed
    ]


def level_and_gates(application: Application, result: Result) -> tuple[CertificationLevel | None, list]:
    """The level reached and the KPI gates that capped it: as stored when the
    application was scored (what its decision is checked against, whatever
    the business reported since), else as the scores say now."""
    if application.overall_score is None:
        return result.level, list(result.outcome.capped_by)
    return application.level_reached, gates_missed(application)


def result_visible_to(user, application: Application) -> bool:
    """Staff at any time; cleared auditors once all have submitted; the
    business (and anyone else who sees the application) after the decision."""
    if Association.objects.administered_by(user).filter(pk=application.association_id).exists():
        return True
    if application.status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED):
        return True
    reviewing = Application.objects.reviewed_by(user).filter(pk=application.pk).exists()
    return reviewing and all_submitted(cleared_assignments(application))


def scorecard_for(assignment: Assignment) -> tuple[Scorecard | None, dict[int, Score]]:
    scorecard = Scorecard.objects.filter(assignment=assignment).first()
    if scorecard is None:
        return None, {}
    return scorecard, {score.criterion_id: score for score in scorecard.scores.all()}


def evidence_of(application: Application) -> list[Evidence]:
    return list(
        Evidence.objects.filter(application=application)
        .select_related("criterion")
        .order_by("criterion__order", "criterion__code", "uploaded_at")
    )


def kpi_table(application: Application, *, months: int = 12):
    """(reports oldest first, [(kpi, gate criteria, [value or None per report])])."""
    reports = list(
        MetricReport.objects.filter(
            business_id=application.business_id, association_id=application.association_id
        )
        .order_by("-period")
        .prefetch_related(Prefetch("values", queryset=MetricValue.objects.filter(source=KpiSource.REPORTED)))[
            :months
        ]
    )[::-1]
    kpis = list(
        KpiDefinition.objects.filter(association_id=application.association_id).prefetch_related(
            Prefetch("criteria", queryset=Criterion.objects.filter(standard_id=application.standard_id))
        )
    )
    by_report = [{v.kpi_id: v.value for v in report.values.all()} for report in reports]
    rows = [(kpi, list(kpi.criteria.all()), [values.get(kpi.pk) for values in by_report]) for kpi in kpis]
    return reports, rows


def changes_since_request(application: Application):
    """Change requests (with the answers) and evidence uploaded since the first one."""
    requests = list(application.change_requests.select_related("criterion", "requested_by"))
    if not requests:
        return [], []
    since = requests[0].requested_at
    evidence = [e for e in evidence_of(application) if e.uploaded_at >= since]
    return requests, evidence


@dataclass
class SurveyRow:
    dimension: str
    label: str
    customers_gap: Decimal
    auditor: Decimal | None  # the auditor's own dimension score, 0-100, from the criteria scored so far
    sharp: bool


def survey_rows(
    application: Application, criteria: list[Criterion], scores: dict[int, int | None]
) -> tuple[int, list[SurveyRow]]:
    """(customers' responses, a row per dimension with their gap beside the
    auditor's score), rows only when the responses reach the survey's
    minimum sample. `scores`: {criterion id: this auditor's score}."""
    _instrument, gaps, n = customers_gap_by_dimension(application.business_id, application.association_id)
    if not gaps:
        return n, []
    scored = [c for c in criteria if scores.get(c.pk) is not None]
    mine = scoring.dimension_scores(
        [rule_for(c) for c in scored], {c.code: Decimal(scores[c.pk]) for c in scored}, Dimension.values
    )
    auditor = {dimension: score.value for dimension, score in mine.items()}
    sharp = set(scoring.survey_disagreements(auditor, gaps))
    return n, [
        SurveyRow(value, label, gaps[value], auditor.get(value), value in sharp)
        for value, label in Dimension.choices
        if value in gaps
    ]
