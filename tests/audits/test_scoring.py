"""The scoring rules, worked by hand; no database."""

from decimal import Decimal as D

from audits import scoring
from audits.scoring import CriterionRule, Level

LEVELS = [Level("Bronze", D(50)), Level("Silver", D(70)), Level("Gold", D(85))]
CRITERIA = [
    CriterionRule("R1", "reliability", D("2"), 5),
    CriterionRule("R2", "reliability", D("1"), 5),
    CriterionRule(
        "S1", "responsiveness", D("1"), 10, kpi="response", kpi_threshold=D("24"), higher_is_better=False
    ),
    CriterionRule("A1", "assurance", D("1"), 5, kpi="csat", kpi_threshold=D("80")),
]


def test_weighted_score_per_dimension_worked_example():
    scores = {"R1": D(5), "R2": D(2), "S1": D(5), "A1": D(4)}

    dimensions = scoring.dimension_scores(CRITERIA, scores)

    # reliability: (2*5/5 + 1*2/5) / (2+1) * 100 = 2.4 / 3 * 100 = 80
    assert {k: v.value for k, v in dimensions.items()} == {
        "reliability": D("80.00"),
        "responsiveness": D("50.00"),
        "assurance": D("80.00"),
    }


def test_overall_score_weights_every_criterion():
    scores = {"R1": D(5), "R2": D(2), "S1": D(5), "A1": D(4)}

    overall = scoring.weighted_score(CRITERIA, scores)

    # (2 + 0.4 + 0.5 + 0.8) / 5 * 100 = 74
    assert (overall.points, overall.total_weight, overall.value) == (D("3.7"), D(5), D("74.00"))


def test_all_zero_scorecard_scores_zero_and_reaches_no_level():
    scores = {c.code: D(0) for c in CRITERIA}

    outcome = scoring.assess(CRITERIA, scores, LEVELS, {"response": D(10), "csat": D(90)})

    assert outcome.overall.value == D("0.00")
    assert {k: v.value for k, v in outcome.dimensions.items()} == {
        "reliability": D("0.00"),
        "responsiveness": D("0.00"),
        "assurance": D("0.00"),
    }
    assert (outcome.level_by_score, outcome.level, outcome.capped_by) == (None, None, ())


def test_all_maximum_scorecard_scores_hundred_and_reaches_the_top_level():
    scores = {c.code: D(c.max_score) for c in CRITERIA}

    outcome = scoring.assess(CRITERIA, scores, LEVELS, {"response": D(24), "csat": D(80)})

    assert outcome.overall.value == D("100.00")
    assert outcome.level == Level("Gold", D(85))
    assert outcome.capped_by == ()


def test_level_reached_is_the_highest_threshold_met():
    assert scoring.level_reached(D("69.99"), LEVELS) == Level("Bronze", D(50))
    assert scoring.level_reached(D("70"), LEVELS) == Level("Silver", D(70))
    assert scoring.level_reached(D("49.99"), LEVELS) is None


def test_missed_gate_caps_one_level_below_and_says_which():
    scores = {c.code: D(c.max_score) for c in CRITERIA}

    outcome = scoring.assess(CRITERIA, scores, LEVELS, {"response": D(30), "csat": D(85)})

    assert outcome.level_by_score == Level("Gold", D(85))
    assert outcome.level == Level("Silver", D(70))
    assert [(g.code, g.kpi, g.value, g.threshold) for g in outcome.capped_by] == [
        ("S1", "response", D(30), D(24))
    ]


def test_gate_without_a_reported_value_is_missed():
    scores = {c.code: D(c.max_score) for c in CRITERIA}

    outcome = scoring.assess(CRITERIA, scores, LEVELS, {"response": D(2)})

    assert [g.code for g in outcome.capped_by] == ["A1"]
    assert outcome.level == Level("Silver", D(70))


def test_missed_gate_at_the_lowest_level_leaves_no_level():
    scores = {"R1": D(3), "R2": D(3), "S1": D(6), "A1": D(3)}  # 60

    outcome = scoring.assess(CRITERIA, scores, LEVELS, {"response": D(48), "csat": D(90)})

    assert (outcome.overall.value, outcome.level_by_score, outcome.level) == (
        D("60.00"),
        Level("Bronze", D(50)),
        None,
    )


def test_gate_direction_follows_higher_is_better():
    lower = scoring.Gate("S1", "response", D(24), D(24), higher_is_better=False)
    higher = scoring.Gate("A1", "csat", D(80), D("79.99"), higher_is_better=True)

    assert (lower.passed, higher.passed) == (True, False)


def test_criterion_score_is_the_auditors_mean_unless_a_consensus_was_agreed():
    cards = [{"R1": 5, "R2": 1, "S1": 4, "A1": 2}, {"R1": 4, "R2": 4, "S1": 4, "A1": None}]

    scores = scoring.criterion_scores(CRITERIA, cards, consensus={"R2": D("3.5")})

    assert scores == {"R1": D("4.5"), "R2": D("3.5"), "S1": D(4), "A1": D(2)}


def test_spread_flags_criteria_above_the_threshold():
    cards = [{"R1": 5, "R2": 1, "S1": 4, "A1": 2}, {"R1": 3, "R2": 4, "S1": 9, "A1": 2}]

    spreads = scoring.spreads(CRITERIA, cards)

    assert [(s.code, s.value) for s in spreads] == [("R1", 2), ("R2", 3), ("S1", 5), ("A1", 0)]
    assert scoring.flagged(spreads, D("2.0")) == ["R2", "S1"]


def test_single_auditor_has_no_spread():
    spreads = scoring.spreads(CRITERIA, [{"R1": 5, "R2": 0, "S1": 10, "A1": 0}])

    assert scoring.flagged(spreads, D(0)) == []


def test_dimensions_keep_the_given_order():
    scores = {c.code: D(1) for c in CRITERIA}

    dimensions = scoring.dimension_scores(CRITERIA, scores, ["assurance", "reliability", "responsiveness"])

    assert list(dimensions) == ["assurance", "reliability", "responsiveness"]
