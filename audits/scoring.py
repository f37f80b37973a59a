"""The scoring rules, as pure functions on plain dataclasses: no database,
no Django models. audits.queries turns rows into these inputs.

- A criterion's score is the mean of the submitted auditors' scores, or the
  consensus score when the auditors recorded one.
- A dimension's score (0-100) is the weighted share of the maximum:
  sum(weight * score / max) / sum(weight) * 100 over its criteria.
- The overall score is the same sum over every criterion of the standard.
- The level reached is the highest level whose minimum the overall score meets.
- A KPI gate (a criterion with a KPI threshold) is met when the business's
  latest reported value reaches the threshold (at least, or at most when
  lower is better). A missed gate, or no value reported, caps the result one
  level below the level the scores reached (the gated level), and says why.
  A gate may require a kind of value (computed from customer responses, say):
  then only the latest value of that kind counts.
- The spread of a criterion is the highest minus the lowest auditor score;
  a spread above the association's threshold flags it for consensus.
- Customers against the auditor: a dimension is a sharp disagreement when
  the auditor scores it above 80% while customers' perception falls below
  their expectation (a negative gap), or below 40% while it meets or exceeds
  it; the auditor must comment on it before submitting.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
TWO_PLACES = Decimal("0.01")


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class CriterionRule:
    code: str
    dimension: str
    weight: Decimal
    max_score: int
    kpi: str | None = None  # the KPI's code when the criterion is a gate
    kpi_threshold: Decimal | None = None
    higher_is_better: bool = True
    kpi_source: str = ""  # a KpiSource value the gate requires; "" for any


@dataclass(frozen=True)
class Level:
    name: str
    min_score: Decimal


@dataclass(frozen=True)
class Term:
    """One criterion's part of a weighted score: weight * score / max."""

    code: str
    weight: Decimal
    score: Decimal
    max_score: int

    @property
    def points(self) -> Decimal:
        return self.weight * self.score / self.max_score


@dataclass(frozen=True)
class WeightedScore:
    terms: tuple[Term, ...]

    @property
    def points(self) -> Decimal:
        return sum((t.points for t in self.terms), Decimal(0))

    @property
    def total_weight(self) -> Decimal:
        return sum((t.weight for t in self.terms), Decimal(0))

    @property
    def value(self) -> Decimal:
        """0-100, rounded to two places."""
        if not self.terms:
            return Decimal("0.00")
        return _round(self.points / self.total_weight * HUNDRED)


@dataclass(frozen=True)
class Gate:
    code: str
    kpi: str
    threshold: Decimal
    value: Decimal | None
    higher_is_better: bool
    source: str = ""  # the kind of value required; "" for any

    @property
    def passed(self) -> bool:
        if self.value is None:
            return False
        return self.value >= self.threshold if self.higher_is_better else self.value <= self.threshold


@dataclass(frozen=True)
class Spread:
    code: str
    scores: tuple[int, ...]

    @property
    def value(self) -> int:
        return max(self.scores) - min(self.scores) if self.scores else 0


@dataclass(frozen=True)
class Outcome:
    dimensions: dict[str, WeightedScore]
    overall: WeightedScore
    level_by_score: Level | None
    level: Level | None
    gates: tuple[Gate, ...]
    capped_by: tuple[Gate, ...] = field(default=())


def criterion_scores(
    criteria: Sequence[CriterionRule],
    scorecards: Sequence[Mapping[str, int | None]],
    consensus: Mapping[str, Decimal] | None = None,
) -> dict[str, Decimal]:
    """Per criterion code: the consensus score, else the auditors' mean (0 when unscored)."""
    consensus = consensus or {}
    result = {}
    for criterion in criteria:
        if criterion.code in consensus:
            result[criterion.code] = Decimal(consensus[criterion.code])
            continue
        given = [card[criterion.code] for card in scorecards if card.get(criterion.code) is not None]
        result[criterion.code] = Decimal(sum(given)) / len(given) if given else Decimal(0)
    return result


def weighted_score(criteria: Sequence[CriterionRule], scores: Mapping[str, Decimal]) -> WeightedScore:
    return WeightedScore(
        tuple(Term(c.code, Decimal(c.weight), Decimal(scores.get(c.code, 0)), c.max_score) for c in criteria)
    )


def dimension_scores(
    criteria: Sequence[CriterionRule], scores: Mapping[str, Decimal], dimensions: Sequence[str] = ()
) -> dict[str, WeightedScore]:
    """Per dimension, in the order given (then first seen), the weighted score."""
    order = list(dimensions) + [c.dimension for c in criteria if c.dimension not in dimensions]
    return {
        dimension: weighted_score([c for c in criteria if c.dimension == dimension], scores)
        for dimension in dict.fromkeys(order)
        if any(c.dimension == dimension for c in criteria)
    }


def level_reached(overall: Decimal, levels: Sequence[Level]) -> Level | None:
    met = [level for level in levels if overall >= level.min_score]
    return max(met, key=lambda level: level.min_score) if met else None


def level_below(level: Level, levels: Sequence[Level]) -> Level | None:
    lower = [other for other in levels if other.min_score < level.min_score]
    return max(lower, key=lambda other: other.min_score) if lower else None


LatestValues = Mapping[str | tuple[str, str], Decimal | None]


def gates(criteria: Sequence[CriterionRule], latest_values: LatestValues) -> tuple[Gate, ...]:
    """`latest_values`: per KPI code the latest value of any source, and per
    (code, source) the latest of that source."""
    return tuple(
        Gate(
            c.code,
            c.kpi,
            Decimal(c.kpi_threshold),
            latest_values.get((c.kpi, c.kpi_source) if c.kpi_source else c.kpi),
            c.higher_is_better,
            c.kpi_source,
        )
        for c in criteria
        if c.kpi is not None and c.kpi_threshold is not None
    )


def spreads(
    criteria: Sequence[CriterionRule], scorecards: Sequence[Mapping[str, int | None]]
) -> list[Spread]:
    return [
        Spread(c.code, tuple(card[c.code] for card in scorecards if card.get(c.code) is not None))
        for c in criteria
    ]


def flagged(spread_list: Sequence[Spread], threshold: Decimal) -> list[str]:
    """Codes of the criteria whose spread is above the threshold."""
    return [s.code for s in spread_list if s.value > threshold]


def assess(
    criteria: Sequence[CriterionRule],
    scores: Mapping[str, Decimal],
    levels: Sequence[Level],
    latest_values: LatestValues,
    dimensions: Sequence[str] = (),
) -> Outcome:
    overall = weighted_score(criteria, scores)
    by_score = level_reached(overall.value, levels)
    gate_list = gates(criteria, latest_values)
    missed = tuple(g for g in gate_list if not g.passed)
    level = by_score
    if missed and by_score is not None:
        level = level_below(by_score, levels)
    return Outcome(
        dimensions=dimension_scores(criteria, scores, dimensions),
        overall=overall,
        level_by_score=by_score,
        level=level,
        gates=gate_list,
        capped_by=missed if by_score is not None else (),
    )


SHARP_HIGH = Decimal(80)
SHARP_LOW = Decimal(40)


def survey_disagreements(auditor: Mapping[str, Decimal], customer_gaps: Mapping[str, Decimal]) -> list[str]:
    """The dimensions (in `auditor`'s order) where the auditor's score (0-100)
    and the customers' gap disagree sharply; none without customers' gaps."""
    return [
        dimension
        for dimension, score in auditor.items()
        if dimension in customer_gaps
        and (
            (score > SHARP_HIGH and customer_gaps[dimension] < 0)
            or (score < SHARP_LOW and customer_gaps[dimension] >= 0)
        )
    ]
