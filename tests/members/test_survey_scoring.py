"""The customer-voice scores, burst flags and comment screening, worked by hand,
and the SERVQUAL battery; no database."""

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from fractions import Fraction

import pytest
from django.utils import translation

from associations.models import Dimension
from members.surveys import battery, scoring, screening
from members.surveys.scoring import Estimate, Item, Response, Withheld, Zone

# -- a two-column case ---------------------------------------------------------------
#
# Three respondents, three items: Q1 and Q2 tangibles, Q3 reliability.
#
#            P (Q1 Q2 Q3)   E (Q1 Q2 Q3)   gap P-E (Q1 Q2 Q3)
#   A          5  6  4        7  6  6        -2  0 -2
#   B          4  4  7        6  5  7        -2 -1  0
#   C          6  5  5        7  7  7        -1 -2 -2

ITEMS = [Item("Q1", "tangibles"), Item("Q2", "tangibles"), Item("Q3", "reliability")]


def two_column(*, importance=({}, {}, {})):
    answers = [
        ({"Q1": 5, "Q2": 6, "Q3": 4}, {"Q1": 7, "Q2": 6, "Q3": 6}),
        ({"Q1": 4, "Q2": 4, "Q3": 7}, {"Q1": 6, "Q2": 5, "Q3": 7}),
        ({"Q1": 6, "Q2": 5, "Q3": 5}, {"Q1": 7, "Q2": 7, "Q3": 7}),
    ]
    return [
        Response(perceived=p, expected=e, importance=w) for (p, e), w in zip(answers, importance, strict=True)
    ]


def test_item_scores_two_column_worked_example():
    items = scoring.item_scores(two_column(), ITEMS)

    # Q1: P (5+4+6)/3 = 5; E (7+6+7)/3 = 6.67; gap (-2-2-1)/3 = -1.67.
    # The gap's interval is the paired one: deviations from -5/3 are -1/3, -1/3, 2/3,
    # s^2 = (1/9 + 1/9 + 4/9) / 2 = 1/3, s/sqrt(n) = sqrt(1/9) = 1/3,
    # t(0.975, df 2) = 4.3027, half-width 1.4342: [-3.1009, -0.2324].
    assert items["Q1"].perceived.mean == D("5.00")
    assert items["Q1"].expected.mean == D("6.67")
    assert items["Q1"].gap == Estimate(3, D("-1.67"), D("-3.10"), D("-0.23"))
    # Q3: P (4+7+5)/3 = 5.33, E 20/3 = 6.67, gap (-2+0-2)/3 = -1.33
    assert (items["Q3"].perceived.mean, items["Q3"].expected.mean, items["Q3"].gap.mean) == (
        D("5.33"),
        D("6.67"),
        D("-1.33"),
    )
    assert (items["Q1"].minimum, items["Q1"].zone) == (None, None)


def test_dimension_scores_average_each_respondent_first():
    dimensions = scoring.dimension_scores(two_column(), ITEMS)

    # tangibles per respondent: P (5.5, 4, 5.5), E (6.5, 5.5, 7), gap (-1, -1.5, -1.5)
    # mean P 15/3 = 5, mean E 19/3 = 6.33, mean gap -4/3 = -1.33;
    # gap deviations 1/3, -1/6, -1/6: s^2 = (1/9 + 1/36 + 1/36) / 2 = 1/12, s/sqrt(3) = 1/6,
    # half-width 4.3027/6 = 0.7171: [-2.0505, -0.6162]
    tangibles = dimensions["tangibles"]
    assert (tangibles.perceived.mean, tangibles.expected.mean) == (D("5.00"), D("6.33"))
    assert tangibles.gap == Estimate(3, D("-1.33"), D("-2.05"), D("-0.62"))
    assert list(dimensions) == ["tangibles", "reliability"]


def test_overall_servqual_is_the_mean_of_the_dimension_gaps_and_servperf_the_mean_perception():
    overall = scoring.overall_scores(two_column(), ITEMS)

    # SERVQUAL per respondent, (tangibles gap + reliability gap) / 2:
    #   A (-1 - 2)/2 = -1.5, B (-1.5 + 0)/2 = -0.75, C (-1.5 - 2)/2 = -1.75; mean -4/3 = -1.33
    # (the mean of the three item gaps, (-5/3 - 1 - 4/3)/3 = -4/3, agrees here only by chance)
    # SERVPERF per respondent, mean P over the items: 15/3, 15/3, 16/3; mean 46/9 = 5.11
    assert overall.servqual.mean == D("-1.33")
    assert overall.servperf.mean == D("5.11")
    assert overall.weighted_servqual is None  # nobody split the 100 points
    assert overall.adequacy is None


def test_weighted_servqual_weights_each_respondent_by_their_own_split():
    responses = two_column(
        importance=(
            {"tangibles": 20, "reliability": 80},
            {"tangibles": 50, "reliability": 50},
            {"tangibles": 100, "reliability": 0},
        )
    )

    overall = scoring.overall_scores(responses, ITEMS)
    weights = scoring.importance(responses, ITEMS)

    # dimension gaps per respondent (tangibles, reliability): A (-1, -2), B (-1.5, 0), C (-1.5, -2)
    #   A 0.2*-1 + 0.8*-2 = -1.8;  B 0.5*-1.5 + 0.5*0 = -0.75;  C 1.0*-1.5 + 0*-2 = -1.5
    #   mean (-1.8 - 0.75 - 1.5) / 3 = -4.05 / 3 = -1.35
    # Averaging the weights first would give 56.67% * -4/3 + 43.33% * -4/3 = -1.33: not the convention.
    assert overall.weighted_servqual.n == 3
    assert overall.weighted_servqual.mean == D("-1.35")
    assert overall.servqual.mean == D("-1.33")
    # mean shares: tangibles (20 + 50 + 100)/3 = 56.67, reliability (80 + 50 + 0)/3 = 43.33
    assert (weights["tangibles"].mean, weights["reliability"].mean) == (D("56.67"), D("43.33"))


def test_weighted_servqual_leaves_out_respondents_without_a_split_and_normalises_the_points():
    responses = two_column(importance=({"tangibles": 1, "reliability": 4}, {}, {}))

    overall = scoring.overall_scores(responses, ITEMS)

    # only A split, 1:4 = 20%:80%: 0.2*-1 + 0.8*-2 = -1.8; one value, so no interval
    assert overall.weighted_servqual == Estimate(1, D("-1.80"))


def test_negative_importance_is_refused():
    responses = two_column(importance=({"tangibles": -10, "reliability": 110}, {}, {}))

    with pytest.raises(ValueError, match="negative"):
        scoring.overall_scores(responses, ITEMS)


def test_items_to_improve_first_are_the_most_negative_gaps():
    items = scoring.item_scores(two_column(), ITEMS)

    # gaps: Q1 -1.67, Q2 (0-1-2)/3 = -1.00, Q3 -1.33
    assert scoring.improve_first(items) == ["Q1", "Q3", "Q2"]
    assert scoring.improve_first(items, count=1) == ["Q1"]


def test_a_response_missing_an_item_is_refused():
    responses = [*two_column(), Response(perceived={"Q1": 5, "Q2": 5}, expected={"Q1": 5, "Q2": 5})]

    with pytest.raises(ValueError, match="every item"):
        scoring.item_scores(responses, ITEMS)


# -- a three-column case, with the zone of tolerance --------------------------------------
#
#            A (Q1 Q3 Q5)   D (Q1 Q3 Q5)   P (Q1 Q3 Q5)
#   A          4  5  3        6  7  6        5  4  5
#   B          3  5  4        6  6  7        6  5  5
#   C          4  6  2        5  7  6        7  4  4

THREE_ITEMS = [Item("Q1", "tangibles"), Item("Q3", "reliability"), Item("Q5", "empathy")]


def three_column():
    rows = [
        ((4, 5, 3), (6, 7, 6), (5, 4, 5)),
        ((3, 5, 4), (6, 6, 7), (6, 5, 5)),
        ((4, 6, 2), (5, 7, 6), (7, 4, 4)),
    ]
    codes = ("Q1", "Q3", "Q5")
    return [
        Response(
            minimum=dict(zip(codes, a, strict=True)),
            desired=dict(zip(codes, d, strict=True)),
            perceived=dict(zip(codes, p, strict=True)),
        )
        for a, d, p in rows
    ]


def test_three_column_adequacy_superiority_and_zone_of_tolerance():
    items = scoring.item_scores(three_column(), THREE_ITEMS)

    # Q1: A 11/3 = 3.67, D 17/3 = 5.67, P 18/3 = 6.00; MSA = P-A = 7/3 = 2.33, MSS = P-D = 1/3 = 0.33
    #     P is above D: above the zone
    # Q3: A 16/3 = 5.33, D 20/3 = 6.67, P 13/3 = 4.33; MSA = -1.00, MSS = -7/3 = -2.33: below
    # Q5: A 9/3 = 3.00, D 19/3 = 6.33, P 14/3 = 4.67; MSA = 5/3 = 1.67, MSS = -5/3 = -1.67: inside
    summary = {
        code: (s.minimum.mean, s.desired.mean, s.perceived.mean, s.adequacy.mean, s.superiority.mean, s.zone)
        for code, s in items.items()
    }
    assert summary == {
        "Q1": (D("3.67"), D("5.67"), D("6.00"), D("2.33"), D("0.33"), Zone.ABOVE),
        "Q3": (D("5.33"), D("6.67"), D("4.33"), D("-1.00"), D("-2.33"), Zone.BELOW),
        "Q5": (D("3.00"), D("6.33"), D("4.67"), D("1.67"), D("-1.67"), Zone.INSIDE),
    }
    assert (items["Q1"].expected, items["Q1"].gap) == (None, None)


def test_three_column_overall_scores():
    overall = scoring.overall_scores(three_column(), THREE_ITEMS)

    # MSA per respondent over the three dimensions: A (1 - 1 + 2)/3 = 2/3, B (3 + 0 + 1)/3 = 4/3,
    #   C (3 - 2 + 2)/3 = 1; mean 1.00
    # MSS: A (-1 - 3 - 1)/3 = -5/3, B (0 - 1 - 2)/3 = -1, C (2 - 3 - 2)/3 = -1; mean -11/9 = -1.22
    # SERVPERF: (14/3 + 16/3 + 15/3)/3 = 5.00
    assert (overall.adequacy.mean, overall.superiority.mean, overall.servperf.mean) == (
        D("1.00"),
        D("-1.22"),
        D("5.00"),
    )
    assert (overall.servqual, overall.weighted_adequacy) == (None, None)


def test_zone_of_tolerance_uses_the_exact_means_not_the_rounded_ones():
    # MSA of -0.001 shows as 0.00 but perception is still below the minimum
    assert scoring.zone_of_tolerance(Fraction(-1, 1000), Fraction(-2)) is Zone.BELOW
    assert scoring.zone_of_tolerance(Fraction(0), Fraction(0)) is Zone.INSIDE
    assert scoring.zone_of_tolerance(Fraction(3), Fraction(1, 1000)) is Zone.ABOVE


def test_mixed_forms_are_refused():
    answers = {"Q1": 5, "Q2": 5, "Q3": 5}
    responses = [*two_column(), Response(perceived=answers, minimum=answers, desired=answers)]

    with pytest.raises(ValueError, match="mix forms"):
        scoring.survey_form(responses, ITEMS)


# -- confidence intervals and the t distribution -----------------------------------------------


def test_t_critical_matches_the_printed_table_and_the_normal_beyond():
    # a printed t table, two-sided 95%
    assert scoring.t_critical(1) == 12.7062
    assert scoring.t_critical(4) == 2.7764
    assert scoring.t_critical(30) == 2.0423
    # beyond the table (printed values 2.0211, 2.0003, 1.9799; the normal 1.9600 in the limit)
    assert round(scoring.t_critical(40), 4) == 2.0211
    assert round(scoring.t_critical(60), 4) == 2.0003
    assert round(scoring.t_critical(120), 4) == 1.9799
    assert round(scoring.t_critical(100_000), 4) == 1.9600
    with pytest.raises(ValueError):
        scoring.t_critical(0)


def test_t_critical_is_continuous_where_the_table_ends():
    assert scoring.t_critical(30) > scoring.t_critical(31) > scoring.t_critical(32)
    assert scoring.t_critical(30) - scoring.t_critical(31) < 0.003


def test_estimate_worked_example_with_a_known_t():
    result = scoring.estimate([1, 2, 3, 4, 5])

    # mean 3, s^2 = (4 + 1 + 0 + 1 + 4)/4 = 2.5, s/sqrt(5) = sqrt(0.5) = 0.70711,
    # t(0.975, df 4) = 2.7764, half-width 1.96321: [1.0368, 4.9632]
    assert result == Estimate(5, D("3.00"), D("1.04"), D("4.96"))


def test_estimate_of_one_or_no_values_and_of_values_that_agree():
    assert scoring.estimate([]) == Estimate(0, None)
    assert scoring.estimate([6]) == Estimate(1, D("6.00"))
    assert scoring.estimate([6, 6, 6]) == Estimate(3, D("6.00"), D("6.00"), D("6.00"))


def test_intervals_are_clipped_to_the_scale():
    items = scoring.item_scores(two_column(), ITEMS)

    # Q3 P (4, 7, 5): mean 5.33, s^2 = 7/3, s/sqrt(3) = 0.8819, half-width 3.7946: [1.54, 9.13] -> 7
    assert items["Q3"].perceived == Estimate(3, D("5.33"), D("1.54"), D("7.00"))


# -- Cronbach's alpha ------------------------------------------------------------------------


def test_cronbach_alpha_worked_example():
    rows = [[5, 4, 5], [3, 3, 4], [4, 4, 4], [2, 1, 3]]

    # item variances: (5,3,4,2) 5/3; (4,3,4,1) 6/3 = 2; (5,4,4,3) 2/3; sum 13/3
    # totals 14, 10, 12, 6: mean 10.5, squared deviations 12.25 + 0.25 + 2.25 + 20.25 = 35, variance 35/3
    # alpha = 3/2 * (1 - (13/3)/(35/3)) = 3/2 * 22/35 = 33/35 = 0.943
    # (check, from the covariances: cov(1,2) = 5/3, cov(1,3) = 1, cov(2,3) = 1, mean c = 11/9;
    #  mean variance v = 13/9; k*c / (v + (k-1)*c) = (33/9) / (13/9 + 22/9) = 33/35)
    assert scoring.cronbach_alpha(rows) == D("0.94")


def test_cronbach_alpha_is_undefined_for_one_item_one_respondent_or_no_variance():
    assert scoring.cronbach_alpha([[5], [3], [4]]) is None
    assert scoring.cronbach_alpha([[5, 4, 3]]) is None
    assert scoring.cronbach_alpha([[5, 5], [5, 5], [5, 5]]) is None
    # items that vary against each other, totals that do not: still undefined
    assert scoring.cronbach_alpha([[5, 3], [3, 5], [4, 4]]) is None


def test_dimension_reliability_on_perceptions_and_on_gaps():
    reliability = scoring.dimension_reliability(two_column(), ITEMS)

    # tangibles P: Q1 (5,4,6) var 1, Q2 (6,4,5) var 1, totals (11,8,11) var 3: 2 * (1 - 2/3) = 0.67
    # tangibles gaps: Q1 (-2,-2,-1) var 1/3, Q2 (0,-1,-2) var 1, totals (-2,-3,-3) var 1/3:
    #   2 * (1 - (4/3)/(1/3)) = -6.00; a negative alpha is reported as it is (items disagree)
    # reliability has one item: undefined
    assert reliability["tangibles"] == scoring.Reliability(items=2, perceived=D("0.67"), gap=D("-6.00"))
    assert reliability["reliability"] == scoring.Reliability(items=1, perceived=None, gap=None)


# -- the minimum sample --------------------------------------------------------------------


def complete(n):
    return [
        Response(perceived={"Q1": 5, "Q2": 6, "Q3": 4 + i % 3}, expected={"Q1": 6, "Q2": 6, "Q3": 6})
        for i in range(n)
    ]


@translation.override("en")
def test_report_is_withheld_below_the_minimum_sample_saying_how_many_more():
    result = scoring.survey_report(complete(29), ITEMS)

    assert result == Withheld(n=29, minimum=30)
    assert result.needed == 1
    assert result.message == "Scores are shown from 30 responses: 1 more response is needed."
    assert scoring.survey_report(complete(12), ITEMS).message == (
        "Scores are shown from 30 responses: 18 more responses are needed."
    )


def test_report_is_shown_from_the_minimum_sample():
    result = scoring.survey_report(complete(30), ITEMS)

    assert isinstance(result, scoring.SurveyReport)
    assert (result.n, result.form) == (30, scoring.Form.TWO_COLUMN)
    # Q3 P cycles 4, 5, 6: mean 5, against E 6
    assert result.items["Q3"].gap.mean == D("-1.00")
    assert result.overall.servperf.n == 30


def test_an_instrument_minimum_below_the_privacy_floor_is_raised_to_it():
    assert scoring.survey_report(complete(4), ITEMS, minimum=3) == Withheld(n=4, minimum=5)
    assert isinstance(scoring.survey_report(complete(5), ITEMS, minimum=3), scoring.SurveyReport)
    assert scoring.withhold_below(50, 40) is None


# -- CSAT, NPS and FCR as KPI values -----------------------------------------------------------


def test_csat_is_the_share_of_four_and_five():
    result = scoring.csat_percent([5, 5, 4, 4, 4, 3, 3, 2, 1, 5], minimum=5)

    # 4 or 5: 6 of 10 = 60%; Wilson: p = 0.6, z = 1.96, centre (0.6 + 0.19207)/1.38415 = 0.57226,
    # half 1.41600 * sqrt(0.024 + 0.0096037) = 0.25959: [31.27, 83.18]
    assert (result.code, result.n, result.value, result.low, result.high) == (
        "csat",
        10,
        D("60.00"),
        D("31.27"),
        D("83.18"),
    )


def test_nps_is_promoters_minus_detractors():
    result = scoring.net_promoter_score([10, 9, 9, 8, 7, 6, 5, 10, 10, 3], minimum=5)

    # promoters (9-10): 5 of 10 = 50%; detractors (0-6): 6, 5, 3 = 30%; NPS 50 - 30 = 20
    # as a mean of +100 x5, 0 x2, -100 x3: deviations 80, -20, -120,
    # s^2 = (5*6400 + 2*400 + 3*14400)/9 = 76000/9, s/sqrt(10) = 29.0593, t(df 9) = 2.2622,
    # half-width 65.738: [-45.74, 85.74]
    assert (result.value, result.low, result.high) == (D("20.00"), D("-45.74"), D("85.74"))


def test_fcr_is_the_share_of_yes():
    result = scoring.fcr_percent([True] * 7 + [False] * 3, minimum=5)

    # 7 of 10 = 70%; Wilson [39.68, 89.22] (the textbook interval for 7/10)
    assert (result.value, result.low, result.high) == (D("70.00"), D("39.68"), D("89.22"))


@translation.override("en")
def test_customer_kpis_count_only_who_answered_and_say_where_they_come_from():
    responses = [Response(perceived={}, csat=5, nps=10, fcr=True)] * 6 + [
        Response(perceived={}, csat=2, nps=None, fcr=None)
    ] * 2

    kpis = scoring.customer_kpis(responses, minimum=5)

    # CSAT 6 of 8 = 75%; NPS from the 6 who answered: all promoters = 100; FCR 6 of 6 = 100%
    assert {code: (k.n, k.value) for code, k in kpis.items()} == {
        "csat": (8, D("75.00")),
        "nps": (6, D("100.00")),
        "fcr": (6, D("100.00")),
    }
    assert kpis["csat"].provenance == "computed from 8 customer responses"


def test_nps_interval_is_clipped_to_a_hundred():
    result = scoring.net_promoter_score([10] * 9 + [0], minimum=5)

    # (9*100 - 100)/10 = 80; deviations 20 x9 and -180: s^2 = (9*400 + 32400)/9 = 4000,
    # s/sqrt(10) = 20, half-width 2.2622 * 20 = 45.24: [34.76, 125.24], and no NPS passes 100
    assert (result.value, result.low, result.high) == (D("80.00"), D("34.76"), D("100.00"))


def test_kpis_below_the_minimum_sample_are_withheld_with_their_count():
    result = scoring.csat_percent([5] * 29)

    assert (result.n, result.value, result.low, result.minimum, result.withheld) == (29, None, None, 30, True)
    assert scoring.fcr_percent([True] * 4, minimum=1).withheld is True  # the privacy floor of 5


def test_kpi_answers_out_of_range_are_refused():
    with pytest.raises(ValueError, match="CSAT"):
        scoring.csat_percent([6])
    with pytest.raises(ValueError, match="NPS"):
        scoring.net_promoter_score([11])
    with pytest.raises(ValueError, match="FCR"):
        scoring.fcr_percent([1])


# -- bursts ------------------------------------------------------------------------------------

START = datetime(2026, 3, 1, tzinfo=UTC)


def trickle(days, *, every=timedelta(minutes=20), start=START):
    """One response every 20 minutes around the clock: 3 an hour."""
    return [start + i * every for i in range(int(timedelta(days=days) / every))]


def test_a_steady_trickle_is_not_flagged():
    timeline = trickle(29)

    flags = screening.flag_bursts(timeline)

    # every clock hour holds 3 (:00, :20, :40), so the busy rate is 3 and each trailing hour holds
    # 3 responses: P(Poisson(3) >= 3) = 0.58
    assert (len(flags), sum(flags)) == (2088, 0)


def test_fifty_in_ten_minutes_is_flagged_with_the_hour_around_it():
    base = trickle(29)
    burst_start = START + timedelta(days=28, hours=12, minutes=5)
    burst = [burst_start + timedelta(seconds=12 * i) for i in range(50)]  # 12:05:00 to 12:14:48

    flags = screening.flag_bursts(base + burst)

    # The 12th burst response, at 12:07:12, makes 3 + 12 = 15 in the hour (11:07:12, 12:07:12]:
    # P(Poisson(3) >= 15) = 6.7e-7 < 1e-6, so that whole hour is flagged (the trickle at 11:20, 11:40
    # and 12:00 with it), then every later burst response; the trickle at 12:20, 12:40 and 13:00
    # still has the burst in its trailing hour and is held too. 13:20 is clear again.
    day = START + timedelta(days=28)
    held = {
        day + timedelta(hours=h, minutes=m)
        for h, m in [(11, 20), (11, 40), (12, 0), (12, 20), (12, 40), (13, 0)]
    }
    flagged = {t for t, flag in zip(base + burst, flags, strict=True) if flag}
    assert flagged == held | set(burst)


def test_flags_follow_the_order_the_timestamps_were_given_in():
    burst = [START + timedelta(seconds=10 * i) for i in range(20)]
    calm = [START + timedelta(days=1, hours=h) for h in range(3)]

    flags = screening.flag_bursts(calm + burst)  # the calm day comes first, though later

    assert flags == [False] * 3 + [True] * 20


def test_a_new_business_first_day():
    opening = [START + timedelta(hours=9, minutes=5 * i) for i in range(12)]  # 12 in its first hour
    attack = [START + timedelta(hours=15, seconds=12 * i) for i in range(50)]  # 50 in ten minutes

    # No history: judged against the floor of 3 an hour. 12 in an hour: P(Poisson(3) >= 12) = 7.1e-5,
    # a good opening, not flagged. 50 in ten minutes as its very first responses: flagged from the
    # 15th (P = 6.7e-7), and the first 14 with them.
    assert screening.flag_bursts(opening) == [False] * 12
    assert screening.flag_bursts(attack) == [True] * 50
    # After the opening its busy hour is 12: the attack is flagged from the 33rd (P(Poisson(12) >= 33)
    # < 1e-6), the whole hour with it; the opening stays clear.
    assert screening.flag_bursts(opening + attack) == [False] * 12 + [True] * 50


def test_a_flagged_burst_does_not_make_the_next_one_look_normal():
    first = [START + timedelta(hours=10, seconds=12 * i) for i in range(50)]
    second = [START + timedelta(days=1, hours=10, seconds=12 * i) for i in range(50)]

    flags = screening.flag_bursts(first + second)

    # Counted in the baseline, the first burst's hour (50) would be the business's busy hour and
    # the second (P(Poisson(50) >= 50) = 0.52) would pass; left out, the floor of 3 still applies.
    assert flags == [True] * 100


def test_check_burst_against_the_floor_and_against_busy_hours():
    # the floor: 15 in an hour is the first count with P(Poisson(3) >= k) < 1e-6 (6.7e-7; 14: 3.4e-6)
    assert screening.check_burst(15, []).is_burst is True
    assert screening.check_burst(14, []).is_burst is False
    # a business with 20 in each of its busy hours: 46 is the first count under 1e-6 (4.5e-7)
    busy = [START + timedelta(hours=h, minutes=m) for h in range(10) for m in range(20)]
    assert screening.check_burst(46, busy) == screening.BurstCheck(
        46, 20.0, pytest.approx(4.54e-7, rel=1e-2), True
    )
    assert screening.check_burst(45, busy).is_burst is False


def test_busy_rate_is_the_ninetieth_percentile_of_hours_with_responses():
    hours = Counter(
        {START + timedelta(hours=h): count for h, count in enumerate([1, 2, 2, 3, 3, 3, 4, 4, 5, 9])}
    )

    # nearest rank: ceil(0.9 * 10) = 9th of the 10 sorted counts = 5; the one odd hour of 9 does not count
    assert screening.busy_rate(hours) == 5.0
    assert screening.busy_rate(Counter()) == 0.0


def test_poisson_tail_worked_values():
    # P(X >= 1 | 0.5) = 1 - e^-0.5 = 0.393469; P(X >= 2 | 1) = 1 - 2/e = 0.264241
    assert screening.poisson_tail(1, 0.5) == pytest.approx(0.393469, abs=1e-6)
    assert screening.poisson_tail(2, 1.0) == pytest.approx(0.264241, abs=1e-6)
    # a far tail, summed upwards: P(X >= 15 | 3) = 6.7039e-7
    assert screening.poisson_tail(15, 3.0) == pytest.approx(6.7039e-7, rel=1e-4)
    assert (screening.poisson_tail(0, 3.0), screening.poisson_tail(1, 0.0)) == (1.0, 0.0)


# -- contact details in comments -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "screened", "emails", "phones"),
    [
        ("Call me on 0300-1234567 please", "Call me on ••••••• please", 0, 1),
        ("+92 300 1234567", "•••••••", 0, 1),
        ("0092 300 1234567 or (042) 3576 1234", "••••••• or •••••••", 0, 2),
        ("UAN 111-123-456 is busy", "UAN ••••••• is busy", 0, 1),
        ("(call 0300 1234567)", "(call •••••••)", 0, 1),
        ("+880 1712-345678", "•••••••", 0, 1),
        ("01712345678 এ ফোন দিন", "••••••• এ ফোন দিন", 0, 1),
        ("মোবাইল ০১৭১২-৩৪৫৬৭৮ তে ফোন দিন", "মোবাইল ••••••• তে ফোন দিন", 0, 1),
        ("میرا نمبر ۰۳۰۰-۱۲۳۴۵۶۷ ہے", "میرا نمبر ••••••• ہے", 0, 1),
        ("رابطہ ٠٣٠٠١٢٣٤٥٦٧", "رابطہ •••••••", 0, 1),
        ("0300\u200e-\u200e1234567", "•••••••", 0, 1),
        ("CNIC 35202-1234567-1", "CNIC •••••••", 0, 1),
        ("0300 1234567\n0321 7654321", "•••••••\n•••••••", 0, 2),
        ("mail ali.khan+shop@example.com.pk.", "mail •••@•••.", 1, 0),
        ("ali [at] gmail [dot] com", "•••@•••", 1, 0),
        ("میرا ای میل ali@example.com ہے۔", "میرا ای میل •••@••• ہے۔", 1, 0),
        ("rahim@example.com.bd বা 01812345678", "•••@••• বা •••••••", 1, 1),
    ],
)
def test_contact_details_are_masked(comment, screened, emails, phones):
    result = screening.mask_contacts(comment)

    assert (result.text, result.emails, result.phones, result.masked) == (screened, emails, phones, True)


@pytest.mark.parametrize(
    "comment",
    [
        "Waited 2 hours 15 minutes for ticket 45, paid Rs 15,00,000.",
        "On 12/05/2024 10:30 the technician came; again 2024-05-19 11 am.",
        "Rated 5@3.5 stars, 10/10 would recommend",
        "سروس بہت اچھی تھی، شکریہ۔",
        "সেবা খুব ভালো ছিল, ধন্যবাদ। ৩ দিনে কাজ শেষ।",
        "",
    ],
)
def test_comments_without_contact_details_are_left_alone(comment):
    result = screening.mask_contacts(comment)

    assert (result.text, result.masked) == (comment, False)


# -- the SERVQUAL battery ----------------------------------------------------------------------

URDU = re.compile(r"[\u0600-\u06ff]")
BENGALI = re.compile(r"[\u0980-\u09ff]")
LATIN = re.compile(r"[A-Za-z]")


def all_texts():
    for item in battery.ITEMS:
        yield from (item.feature, item.expectation, item.perception)
    yield from (battery.EXPECTATIONS_INTRO, battery.PERCEPTIONS_INTRO, battery.THREE_COLUMN_INTRO)
    yield from (battery.MINIMUM_COLUMN, battery.DESIRED_COLUMN, battery.PERCEIVED_COLUMN)
    yield from (battery.IMPORTANCE_INTRO, *battery.DIMENSION_DESCRIPTIONS.values(), battery.COMMENT_PROMPT)
    for question in battery.STANDARD_QUESTIONS:
        yield question.text
        yield from (label for _, label in question.scale.labels)
    for scale in (battery.AGREEMENT_SCALE, battery.LEVEL_SCALE):
        yield from (label for _, label in scale.labels)


def test_battery_has_22_items_in_the_published_dimension_ranges():
    numbers = {
        dimension: [i.number for i in battery.ITEMS if i.dimension == dimension]
        for dimension in battery.DIMENSION_ITEMS
    }

    assert [item.number for item in battery.ITEMS] == list(range(1, 23))
    assert numbers == {
        "tangibles": [1, 2, 3, 4],
        "reliability": [5, 6, 7, 8, 9],
        "responsiveness": [10, 11, 12, 13],
        "assurance": [14, 15, 16, 17],
        "empathy": [18, 19, 20, 21, 22],
    }
    assert [item.code for item in battery.ITEMS[:2]] == ["Q1", "Q2"]
    assert set(battery.DIMENSION_ITEMS) == set(Dimension.values) == set(battery.DIMENSION_DESCRIPTIONS)


def test_every_battery_text_is_written_in_english_urdu_and_bengali():
    texts = list(all_texts())

    # 22 items x 3 texts; 3 introductions, 3 column headings, the importance prompt, 5 dimension
    # descriptions, the comment prompt; 3 questions with 5 + 2 + 2 labels; 2 + 2 scale labels
    assert len(texts) == 66 + (3 + 3 + 1 + 5 + 1) + (3 + 9) + 4
    for text in texts:
        assert text.en.strip() and text.ur.strip() and text.bn.strip(), text
        assert URDU.search(text.ur) and not LATIN.search(text.ur), text.ur
        assert BENGALI.search(text.bn) and not LATIN.search(text.bn), text.bn
        assert not URDU.search(text.en) and not BENGALI.search(text.en), text.en


def test_battery_items_ask_about_expectation_and_perception_in_whole_sentences():
    for item in battery.ITEMS:
        assert item.expectation != item.perception
        assert "excellent business" in item.expectation.en and "this business" in item.perception.en.lower()
        assert item.expectation.ur.endswith("۔") and item.perception.ur.endswith("۔"), item.number
        assert item.expectation.bn.endswith("।") and item.perception.bn.endswith("।"), item.number


def test_standard_questions_and_scales():
    assert [q.code for q in battery.STANDARD_QUESTIONS] == ["csat", "nps", "fcr"]
    assert [(q.scale.low, q.scale.high) for q in battery.STANDARD_QUESTIONS] == [(1, 5), (0, 10), (0, 1)]
    assert [value for value, _ in battery.CSAT.scale.labels] == [1, 2, 3, 4, 5]
    assert [value for value, _ in battery.FCR.scale.labels] == [True, False]
    assert (battery.AGREEMENT_SCALE.low, battery.AGREEMENT_SCALE.high) == (1, 7)
    assert battery.NPS.text.get("ur").endswith("؟")
    assert battery.CSAT.text.get("fr") == battery.CSAT.text.en


def test_the_battery_feeds_the_score_functions():
    items = [Item(i.code, i.dimension) for i in battery.ITEMS]
    answers = {i.code: 5 for i in battery.ITEMS}

    result = scoring.survey_report([Response(perceived=answers, expected={**answers, "Q7": 7})] * 30, items)

    # only Q7 falls short, by 2: reliability's gap is -2/5, SERVQUAL -0.4/5 = -0.08
    assert result.dimensions["reliability"].gap.mean == D("-0.40")
    assert result.overall.servqual.mean == D("-0.08")
    assert scoring.improve_first(result.items) == ["Q7"]
