"""The customer-voice scores, as pure functions on plain data: no models, no
database. The survey services turn rows into `Response`s and keep what these
functions return.

Conventions, and the literature they follow:

- Per respondent first, then over respondents. An item's gap is the mean of
  each respondent's P - E; a respondent's dimension score is the mean of the
  dimension's items; the SERVQUAL score is the mean of the dimension gaps
  (Parasuraman, Zeithaml & Berry 1988, "SERVQUAL: a multiple-item scale",
  J. Retailing 64(1); Zeithaml, Parasuraman & Berry 1990, "Delivering Quality
  Service", appendix A). Responses are complete (a partial one is refused
  before it gets here), so the mean of the differences equals the difference
  of the means, and its confidence interval is the paired one.
- Three-column form (Parasuraman, Zeithaml & Berry 1994, J. Retailing 70(3)):
  A minimum adequate, D desired, P perceived; MSA = P - A (adequacy),
  MSS = P - D (superiority). The zone of tolerance is [mean A, mean D]:
  perception is below it when mean MSA < 0, above it when mean MSS > 0.
- Importance-weighted SERVQUAL: each respondent's dimension gaps weighted by
  that respondent's own 100-point split, summed, then averaged over the
  respondents (Zeithaml, Parasuraman & Berry 1990, appendix A, steps 3-5, as
  used with the 1991 refinement, J. Retailing 67(4)). Per respondent rather
  than with averaged weights because the split is each customer's own
  judgement of what matters to them, and a score per respondent is what gives
  the weighted score an n and a confidence interval.
- SERVPERF (Cronin & Taylor 1992, J. Marketing 56(3)): the mean perception
  over all the items.
- Every mean comes with n and a 95% confidence interval, mean +- t * s / sqrt(n)
  (Student's t with n - 1 degrees of freedom; `t_critical`). CSAT and FCR are
  shares, whose interval is Wilson's: the t interval of a share near 100%,
  where good businesses are, runs past 100% and is too narrow.
- Values are exact fractions until they are shown: means and gaps to two
  places, rounded half up, like the auditors' scores.
"""

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from statistics import NormalDist

from django.utils.translation import ngettext

Number = int | float | Decimal | Fraction

# "Nothing is shown below the instrument's minimum sample"; whatever the
# instrument says, no aggregate of fewer than 5 responses reaches the
# business, so that no single customer's answers can be read back from it.
DEFAULT_MINIMUM_SAMPLE = 30
PRIVACY_FLOOR = 5

TWO_PLACES = Decimal("0.01")
HUNDRED = Fraction(100)
SEVEN_POINTS = (1, 7)


def _decimal(value: Fraction | float, places: Decimal = TWO_PLACES) -> Decimal:
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(value)
    return exact.quantize(places, rounding=ROUND_HALF_UP)


def _mean(values: Iterable[Fraction]) -> Fraction:
    values = list(values)
    return sum(values, Fraction(0)) / len(values)


# -- the t distribution, without scipy ---------------------------------------

# The 0.975 quantile of Student's t for 1..30 degrees of freedom, to four
# places (as printed in any statistics table; checked against
# scipy.stats.t.ppf). Beyond 30 the Cornish-Fisher expansion of t around the
# normal quantile (Abramowitz & Stegun 26.7.5, four terms) is within 1e-7.
_T_975 = (
    12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
    2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
    2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
)  # fmt: skip
_Z_975 = NormalDist().inv_cdf(0.975)


def t_critical(df: int) -> float:
    """The two-sided 95% critical value of Student's t with `df` degrees of freedom."""
    if df < 1:
        raise ValueError("t needs at least one degree of freedom")
    if df <= len(_T_975):
        return _T_975[df - 1]
    z, v = _Z_975, df
    return (
        z
        + (z**3 + z) / (4 * v)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * v**4)
    )


@dataclass(frozen=True)
class Estimate:
    """A mean with its sample size and 95% confidence interval. The mean is
    None with no values; the interval is None below two values."""

    n: int
    mean: Decimal | None
    low: Decimal | None = None
    high: Decimal | None = None


def estimate(values: Iterable[Number], *, bounds: tuple[Number, Number] | None = None) -> Estimate:
    """The mean of `values` with a t interval, clipped to `bounds` (lowest, highest possible)."""
    xs = [Fraction(v) for v in values]
    n = len(xs)
    if n == 0:
        return Estimate(0, None)
    mean = _mean(xs)
    if n == 1:
        return Estimate(1, _decimal(mean))
    variance = sum(((x - mean) ** 2 for x in xs), Fraction(0)) / (n - 1)
    half = Fraction(t_critical(n - 1) * math.sqrt(variance / n))
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(low, Fraction(bounds[0])), min(high, Fraction(bounds[1]))
    return Estimate(n, _decimal(mean), _decimal(low), _decimal(high))


def wilson_percent(successes: int, n: int) -> Estimate:
    """A share in percent with Wilson's 95% score interval (Wilson 1927)."""
    if n == 0:
        return Estimate(0, None)
    p, z2 = successes / n, _Z_975**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = _Z_975 / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return Estimate(
        n,
        _decimal(Fraction(successes, n) * HUNDRED),
        _decimal(max(0.0, centre - half) * 100),
        _decimal(min(1.0, centre + half) * 100),
    )


# -- responses ---------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    code: str
    dimension: str


@dataclass(frozen=True)
class Response:
    """One customer's complete answers. Item answers are keyed by item code:
    `expected` in the two-column form, `minimum` and `desired` in the
    three-column one. `importance` is the 100-point split, keyed by dimension."""

    perceived: Mapping[str, Number]
    expected: Mapping[str, Number] = field(default_factory=dict)
    minimum: Mapping[str, Number] = field(default_factory=dict)
    desired: Mapping[str, Number] = field(default_factory=dict)
    importance: Mapping[str, Number] = field(default_factory=dict)
    csat: int | None = None  # 1-5
    nps: int | None = None  # 0-10
    fcr: bool | None = None


class Form(StrEnum):
    TWO_COLUMN = "two_column"  # E and P
    THREE_COLUMN = "three_column"  # A, D and P
    PERCEPTION = "perception"  # P only (SERVPERF)


def _answer(column: Mapping[str, Number], code: str) -> Fraction:
    return Fraction(column[code])


# A measure is one number per respondent and item.
MEASURES: dict[str, Callable[[Response, str], Fraction]] = {
    "perceived": lambda r, c: _answer(r.perceived, c),
    "expected": lambda r, c: _answer(r.expected, c),
    "gap": lambda r, c: _answer(r.perceived, c) - _answer(r.expected, c),
    "minimum": lambda r, c: _answer(r.minimum, c),
    "desired": lambda r, c: _answer(r.desired, c),
    "adequacy": lambda r, c: _answer(r.perceived, c) - _answer(r.minimum, c),
    "superiority": lambda r, c: _answer(r.perceived, c) - _answer(r.desired, c),
}
FORM_MEASURES: dict[Form, tuple[str, ...]] = {
    Form.TWO_COLUMN: ("perceived", "expected", "gap"),
    Form.THREE_COLUMN: ("perceived", "minimum", "desired", "adequacy", "superiority"),
    Form.PERCEPTION: ("perceived",),
}
GAPS = {"gap", "adequacy", "superiority"}
# The gap-like measures, each with its unweighted and weighted overall score.
GAP_MEASURES: dict[Form, tuple[str, ...]] = {
    Form.TWO_COLUMN: ("gap",),
    Form.THREE_COLUMN: ("adequacy", "superiority"),
    Form.PERCEPTION: (),
}


def survey_form(responses: Sequence[Response], items: Sequence[Item]) -> Form:
    """The form the responses were given in; every response must answer every item in it."""
    codes = [item.code for item in items]

    def complete(column: str) -> list[bool]:
        return [all(code in getattr(r, column) for code in codes) for r in responses]

    for index, answered in enumerate(complete("perceived")):
        if not answered:
            raise ValueError(f"response {index} does not rate every item")
    if responses and all(complete("expected")):
        return Form.TWO_COLUMN
    if responses and all(complete("minimum")) and all(complete("desired")):
        return Form.THREE_COLUMN
    if any(r.expected or r.minimum or r.desired for r in responses):
        raise ValueError("the responses mix forms or leave items unanswered")
    return Form.PERCEPTION


def _dimensions(items: Sequence[Item]) -> dict[str, list[str]]:
    """Item codes per dimension, dimensions in the order they first appear."""
    groups: dict[str, list[str]] = {}
    for item in items:
        groups.setdefault(item.dimension, []).append(item.code)
    return groups


def _bounds(measure: str, scale: tuple[int, int]) -> tuple[int, int]:
    """The range a measure's mean can take, where its confidence interval is clipped."""
    low, high = scale
    return (low - high, high - low) if measure in GAPS else scale


def _column(responses: Sequence[Response], measure: str, codes: Sequence[str]) -> list[Fraction]:
    """Per respondent: the mean of the measure over `codes` (an item, or a dimension's items)."""
    value = MEASURES[measure]
    return [_mean(value(r, code) for code in codes) for r in responses]


# -- item and dimension scores -------------------------------------------------


class Zone(StrEnum):
    BELOW = "below"  # mean perception under the minimum adequate level
    INSIDE = "inside"
    ABOVE = "above"  # mean perception over the desired level


@dataclass(frozen=True)
class Scores:
    """The means of one item or one dimension. Which are set depends on the form:
    two-column: expected and gap (P - E); three-column: minimum, desired,
    adequacy (MSA = P - A), superiority (MSS = P - D) and the zone of tolerance."""

    perceived: Estimate
    expected: Estimate | None = None
    gap: Estimate | None = None
    minimum: Estimate | None = None
    desired: Estimate | None = None
    adequacy: Estimate | None = None
    superiority: Estimate | None = None
    zone: Zone | None = None


def zone_of_tolerance(adequacy: Fraction, superiority: Fraction) -> Zone:
    """Where mean perception falls against [A, D], from the exact mean MSA and MSS.
    If a zone is inverted (mean A above mean D), falling short of the minimum
    is the news that matters, so it is reported first."""
    if adequacy < 0:
        return Zone.BELOW
    if superiority > 0:
        return Zone.ABOVE
    return Zone.INSIDE


def _scores(
    responses: Sequence[Response], codes: Sequence[str], form: Form, scale: tuple[int, int]
) -> Scores:
    columns = {measure: _column(responses, measure, codes) for measure in FORM_MEASURES[form]}
    zone = None
    if form is Form.THREE_COLUMN and responses:
        zone = zone_of_tolerance(_mean(columns["adequacy"]), _mean(columns["superiority"]))
    estimates = {m: estimate(values, bounds=_bounds(m, scale)) for m, values in columns.items()}
    return Scores(**estimates, zone=zone)


def item_scores(
    responses: Sequence[Response], items: Sequence[Item], *, scale: tuple[int, int] = SEVEN_POINTS
) -> dict[str, Scores]:
    """Per item code, in the items' order. `scale` is the answers' range (intervals are clipped to it)."""
    form = survey_form(responses, items)
    return {item.code: _scores(responses, [item.code], form, scale) for item in items}


def dimension_scores(
    responses: Sequence[Response], items: Sequence[Item], *, scale: tuple[int, int] = SEVEN_POINTS
) -> dict[str, Scores]:
    """Per dimension: the means over respondents of each respondent's mean over the dimension's items."""
    form = survey_form(responses, items)
    groups = _dimensions(items)
    return {dimension: _scores(responses, codes, form, scale) for dimension, codes in groups.items()}


# -- overall scores --------------------------------------------------------------


@dataclass(frozen=True)
class Overall:
    """SERVPERF always; the rest by form. `servqual` is the unweighted mean of
    the dimension gaps, `weighted_servqual` the importance-weighted one (None
    when no respondent gave a split); adequacy and superiority likewise for
    the three-column form."""

    servperf: Estimate
    servqual: Estimate | None = None
    weighted_servqual: Estimate | None = None
    adequacy: Estimate | None = None
    weighted_adequacy: Estimate | None = None
    superiority: Estimate | None = None
    weighted_superiority: Estimate | None = None


def _weights(response: Response, dimensions: Iterable[str]) -> dict[str, Fraction] | None:
    """The respondent's split as shares of 1 over the instrument's dimensions, or None without one."""
    points = {d: Fraction(response.importance.get(d, 0)) for d in dimensions}
    if any(p < 0 for p in points.values()):
        raise ValueError("importance points cannot be negative")
    total = sum(points.values(), Fraction(0))
    if total == 0:
        return None
    return {d: p / total for d, p in points.items()}


def _overall_pair(
    responses: Sequence[Response], groups: Mapping[str, Sequence[str]], measure: str, scale: tuple[int, int]
) -> tuple[Estimate, Estimate | None]:
    per_dimension = {d: _column(responses, measure, codes) for d, codes in groups.items()}
    unweighted = [_mean(per_dimension[d][i] for d in groups) for i in range(len(responses))]
    weighted = []
    for i, response in enumerate(responses):
        weights = _weights(response, groups)
        if weights is not None:
            weighted.append(sum((weights[d] * per_dimension[d][i] for d in groups), Fraction(0)))
    bounds = _bounds(measure, scale)
    return estimate(unweighted, bounds=bounds), (estimate(weighted, bounds=bounds) if weighted else None)


def overall_scores(
    responses: Sequence[Response], items: Sequence[Item], *, scale: tuple[int, int] = SEVEN_POINTS
) -> Overall:
    form = survey_form(responses, items)
    groups = _dimensions(items)
    perceived = _column(responses, "perceived", [item.code for item in items])
    result: dict[str, Estimate | None] = {"servperf": estimate(perceived, bounds=scale)}
    for measure in GAP_MEASURES[form]:
        name = "servqual" if measure == "gap" else measure
        result[name], result[f"weighted_{name}"] = _overall_pair(responses, groups, measure, scale)
    return Overall(**result)


def importance(responses: Sequence[Response], items: Sequence[Item]) -> dict[str, Estimate]:
    """The mean share of the 100 points each dimension received, from the respondents who split them."""
    groups = _dimensions(items)
    splits = [w for w in (_weights(r, groups) for r in responses) if w is not None]
    return {d: estimate((w[d] * HUNDRED for w in splits), bounds=(0, 100)) for d in groups}


def improve_first(scores: Mapping[str, Scores], *, count: int = 5) -> list[str]:
    """The codes with the most negative gap (two-column) or adequacy (three-column), worst first."""

    def shortfall(code: str) -> Decimal | None:
        chosen = scores[code].gap or scores[code].adequacy
        return chosen.mean if chosen is not None else None

    negative = [code for code in scores if (shortfall(code) or 0) < 0]
    return sorted(negative, key=lambda code: shortfall(code))[:count]


# -- reliability -------------------------------------------------------------------


def cronbach_alpha(rows: Sequence[Sequence[Number]]) -> Decimal | None:
    """Cronbach's alpha of a scale: one row per respondent, one column per item.

    alpha = k / (k - 1) * (1 - sum of the item variances / variance of the totals).
    None where it is undefined: fewer than 2 items or 2 respondents, or totals
    that do not vary (every respondent gave the same total)."""
    if len(rows) < 2 or len(rows[0]) < 2:
        return None
    table = [[Fraction(v) for v in row] for row in rows]
    k = len(table[0])
    if any(len(row) != k for row in table):
        raise ValueError("every respondent must rate every item")

    def variance(values: list[Fraction]) -> Fraction:
        mean = _mean(values)
        return sum(((v - mean) ** 2 for v in values), Fraction(0)) / (len(values) - 1)

    total_variance = variance([sum(row, Fraction(0)) for row in table])
    if total_variance == 0:
        return None
    item_variances = sum((variance([row[j] for row in table]) for j in range(k)), Fraction(0))
    return _decimal(Fraction(k, k - 1) * (1 - item_variances / total_variance))


@dataclass(frozen=True)
class Reliability:
    """Cronbach's alpha of one dimension's items, on each of the form's item measures."""

    items: int
    perceived: Decimal | None
    gap: Decimal | None = None
    adequacy: Decimal | None = None
    superiority: Decimal | None = None


def dimension_reliability(responses: Sequence[Response], items: Sequence[Item]) -> dict[str, Reliability]:
    form = survey_form(responses, items)
    measures = ("perceived", *GAP_MEASURES[form])
    result = {}
    for dimension, codes in _dimensions(items).items():
        alphas = {
            m: cronbach_alpha([[MEASURES[m](r, code) for code in codes] for r in responses]) for m in measures
        }
        result[dimension] = Reliability(items=len(codes), **alphas)
    return result


# -- the minimum sample ---------------------------------------------------------------


@dataclass(frozen=True)
class Withheld:
    """What is shown instead of aggregates below the minimum sample."""

    n: int
    minimum: int

    @property
    def needed(self) -> int:
        return max(0, self.minimum - self.n)

    @property
    def message(self) -> str:
        return ngettext(
            "Scores are shown from %(minimum)d responses: %(needed)d more response is needed.",
            "Scores are shown from %(minimum)d responses: %(needed)d more responses are needed.",
            self.needed,
        ) % {"minimum": self.minimum, "needed": self.needed}


def minimum_sample(minimum: int = DEFAULT_MINIMUM_SAMPLE) -> int:
    """The instrument's minimum, never below the privacy floor."""
    return max(minimum, PRIVACY_FLOOR)


def withhold_below(n: int, minimum: int = DEFAULT_MINIMUM_SAMPLE) -> Withheld | None:
    """A `Withheld` when n is under the minimum sample, else None (show the aggregates)."""
    minimum = minimum_sample(minimum)
    return Withheld(n, minimum) if n < minimum else None


@dataclass(frozen=True)
class SurveyReport:
    n: int
    form: Form
    items: dict[str, Scores]
    dimensions: dict[str, Scores]
    overall: Overall
    reliability: dict[str, Reliability]
    importance: dict[str, Estimate]


def survey_report(
    responses: Sequence[Response],
    items: Sequence[Item],
    *,
    minimum: int = DEFAULT_MINIMUM_SAMPLE,
    scale: tuple[int, int] = SEVEN_POINTS,
) -> SurveyReport | Withheld:
    """Every aggregate of the responses, or a `Withheld` saying how many more are needed."""
    withheld = withhold_below(len(responses), minimum)
    if withheld is not None:
        return withheld
    return SurveyReport(
        n=len(responses),
        form=survey_form(responses, items),
        items=item_scores(responses, items, scale=scale),
        dimensions=dimension_scores(responses, items, scale=scale),
        overall=overall_scores(responses, items, scale=scale),
        reliability=dimension_reliability(responses, items),
        importance=importance(responses, items),
    )


# -- the standard questions as KPI values ------------------------------------------------

COMPUTED = "computed"  # a KPI value's provenance, beside "reported" by the business


@dataclass(frozen=True)
class ComputedKpi:
    """A month's KPI value computed from customer responses. The value and its
    interval are None below the minimum sample; n is always the count."""

    code: str  # csat, nps or fcr
    n: int
    value: Decimal | None
    low: Decimal | None
    high: Decimal | None
    minimum: int

    @property
    def withheld(self) -> bool:
        return self.value is None

    @property
    def provenance(self) -> str:
        return ngettext(
            "computed from %(n)d customer response", "computed from %(n)d customer responses", self.n
        ) % {"n": self.n}


def _kpi(code: str, result: Estimate, minimum: int) -> ComputedKpi:
    minimum = minimum_sample(minimum)
    if result.n < minimum:
        return ComputedKpi(code, result.n, None, None, None, minimum)
    return ComputedKpi(code, result.n, result.mean, result.low, result.high, minimum)


def _check_range(values: Sequence[int], low: int, high: int, what: str) -> None:
    bad = [v for v in values if isinstance(v, bool) or not low <= v <= high]
    if bad:
        raise ValueError(f"{what} answers must be {low}-{high}, got {bad[:5]}")


def csat_percent(answers: Sequence[int], *, minimum: int = DEFAULT_MINIMUM_SAMPLE) -> ComputedKpi:
    """The share of 4 or 5 on the 1-5 satisfaction question, in percent."""
    _check_range(answers, 1, 5, "CSAT")
    return _kpi("csat", wilson_percent(sum(1 for a in answers if a >= 4), len(answers)), minimum)


def net_promoter_score(answers: Sequence[int], *, minimum: int = DEFAULT_MINIMUM_SAMPLE) -> ComputedKpi:
    """% promoters (9-10) minus % detractors (0-6) on the 0-10 question: the mean
    of +100 per promoter, 0 per passive and -100 per detractor, hence its interval."""
    _check_range(answers, 0, 10, "NPS")
    scores = [100 if a >= 9 else -100 if a <= 6 else 0 for a in answers]
    return _kpi("nps", estimate(scores, bounds=(-100, 100)), minimum)


def fcr_percent(answers: Sequence[bool], *, minimum: int = DEFAULT_MINIMUM_SAMPLE) -> ComputedKpi:
    """The share of yes to "resolved on first contact?", in percent."""
    if any(not isinstance(a, bool) for a in answers):
        raise ValueError("FCR answers must be yes or no")
    return _kpi("fcr", wilson_percent(sum(answers), len(answers)), minimum)


def customer_kpis(
    responses: Sequence[Response], *, minimum: int = DEFAULT_MINIMUM_SAMPLE
) -> dict[str, ComputedKpi]:
    """CSAT, NPS and FCR from one month's responses (the caller picks the month
    and leaves out flagged ones); each question counts only those who answered it."""
    return {
        "csat": csat_percent([r.csat for r in responses if r.csat is not None], minimum=minimum),
        "nps": net_promoter_score([r.nps for r in responses if r.nps is not None], minimum=minimum),
        "fcr": fcr_percent([r.fcr for r in responses if r.fcr is not None], minimum=minimum),
    }
