"""Applications scored before issue 9 get their stored result (the overall
and per-dimension scores, the level reached, the KPI gates that capped it),
computed as the audit computed it then: audits/scoring.py (pure functions)
on the submitted scorecards and consensus scores, with the business's latest
KPI values. Certificates already issued keep what they print."""

from decimal import Decimal

from django.db import migrations

from audits import scoring

DIMENSIONS = ("reliability", "responsiveness", "assurance", "empathy", "tangibles")
DECIDED_OR_SCORED = ("scored", "approved", "rejected")


def _latest_kpi_values(MetricValue, application) -> dict:
    latest = {}
    for code, value in (
        MetricValue.objects.filter(
            report__business_id=application.business_id, report__association_id=application.association_id
        )
        .order_by("report__period", "pk")
        .values_list("kpi__code", "value")
    ):
        latest[code] = value  # the later month wins
    return latest


def _scorecards(Score, application) -> list[dict]:
    cards = {}
    for scorecard_id, code, score in (
        Score.objects.filter(scorecard__assignment__application=application, scorecard__submitted_at__isnull=False)
        .exclude(scorecard__assignment__declaration="conflict")
        .values_list("scorecard_id", "criterion__code", "score")
    ):
        cards.setdefault(scorecard_id, {})[code] = score
    return [cards[key] for key in sorted(cards)]


def store_results(apps, schema_editor):
    Application = apps.get_model("certification", "Application")
    CertificationLevel = apps.get_model("associations", "CertificationLevel")
    Consensus = apps.get_model("audits", "Consensus")
    Criterion = apps.get_model("associations", "Criterion")
    MetricValue = apps.get_model("members", "MetricValue")
    Score = apps.get_model("audits", "Score")
    for application in Application.objects.filter(status__in=DECIDED_OR_SCORED, overall_score=None):
        rules = [
            scoring.CriterionRule(
                code=c.code,
                dimension=c.dimension,
                weight=c.weight,
                max_score=c.max_score,
                kpi=c.kpi.code if c.kpi_id else None,
                kpi_threshold=c.kpi_threshold,
                higher_is_better=c.kpi.higher_is_better if c.kpi_id else True,
            )
            for c in Criterion.objects.filter(standard_id=application.standard_id)
            .select_related("kpi")
            .order_by("order", "code")
        ]
        consensus = dict(
            Consensus.objects.filter(application=application).values_list("criterion__code", "score")
        )
        scores = scoring.criterion_scores(rules, _scorecards(Score, application), consensus)
        levels = {
            level.name: level for level in CertificationLevel.objects.filter(association_id=application.association_id)
        }
        outcome = scoring.assess(
            rules,
            scores,
            [scoring.Level(level.name, level.min_score) for level in levels.values()],
            _latest_kpi_values(MetricValue, application),
            dimensions=DIMENSIONS,
        )
        application.overall_score = outcome.overall.value
        application.dimension_scores = {name: str(score.value) for name, score in outcome.dimensions.items()}
        application.level_reached = levels[outcome.level.name] if outcome.level else None
        application.gates_missed = [
            {
                "criterion": gate.code,
                "kpi": gate.kpi,
                "threshold": str(gate.threshold),
                "value": None if gate.value is None else str(Decimal(gate.value)),
                "higher_is_better": gate.higher_is_better,
            }
            for gate in outcome.capped_by
        ]
        application.save(update_fields=["overall_score", "dimension_scores", "level_reached", "gates_missed"])


class Migration(migrations.Migration):
    dependencies = [
        ("associations", "0002_initial"),
        ("audits", "0012_auditor_roles_moved_to_members"),
        ("certification", "0006_application_results"),
        ("members", "0008_auditor_roles_from_audits"),
    ]

    operations = [
        migrations.RunPython(store_results, migrations.RunPython.noop),
    ]
