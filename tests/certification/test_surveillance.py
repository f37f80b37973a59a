"""The surveillance rules, worked by hand on made-up series; no database."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import translation

from certification import surveillance as s
from certification.surveillance import GateRule, MonthStatus, ReasonKind, State

CSAT = GateRule("csat", D("80"))  # satisfaction, %: higher is better
RESPONSE = GateRule("response", D("24"), higher_is_better=False)  # hours: lower is better


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def series(**months: str | None) -> dict[datetime.date, D | None]:
    """series(m2025_01="78", m2025_02=None) -> {2025-01-01: 78, 2025-02-01: None}"""
    return {
        day(f"{key[1:5]}-{key[6:8]}-01"): None if value is None else D(value) for key, value in months.items()
    }


def statuses(evaluation: s.SeriesEvaluation) -> list[tuple[str, str]]:
    return [(f"{m.month:%Y-%m}", m.status.value) for m in evaluation.months]


def values(months) -> list[tuple[str, D | None]]:
    return [(f"{m.month:%Y-%m}", m.value) for m in months]


# Months


def test_month_end_knows_leap_years():
    assert [
        s.month_end(day("2024-02-10")),
        s.month_end(day("2023-02-10")),
        s.month_end(day("2024-12-01")),
    ] == [
        day("2024-02-29"),
        day("2023-02-28"),
        day("2024-12-31"),
    ]


def test_report_deadline_is_grace_days_after_month_end():
    assert [
        s.report_deadline(day("2025-01-01"), 15),
        s.report_deadline(day("2024-02-01"), 0),
        s.report_deadline(day("2024-02-01"), 1),
        s.report_deadline(day("2025-12-01"), 15),
    ] == [day("2025-02-15"), day("2024-02-29"), day("2024-03-01"), day("2026-01-15")]


def test_classify_month_missing_report_turns_bad_the_day_after_the_grace_period():
    january = day("2025-01-01")

    on_deadline = s.classify_month(january, None, CSAT, today=day("2025-02-15"))
    day_after = s.classify_month(january, None, CSAT, today=day("2025-02-16"))

    assert (on_deadline.status, on_deadline.due_on) == (MonthStatus.PENDING, day("2025-02-15"))
    assert day_after.status == MonthStatus.MISSING


def test_classify_month_reported_value_counts_as_soon_as_the_month_is_over():
    assert [
        s.classify_month(day("2025-01-01"), D("70"), CSAT, today=day("2025-01-31")).status,
        s.classify_month(day("2025-01-01"), D("70"), CSAT, today=day("2025-02-01")).status,
        s.classify_month(day("2025-01-01"), D("90"), CSAT, today=day("2025-02-01")).status,
    ] == [MonthStatus.PENDING, MonthStatus.BAD, MonthStatus.GOOD]


def test_classify_month_leap_day_is_still_inside_february():
    no_grace = GateRule("csat", D("80"), grace_days=0)

    assert [
        s.classify_month(day("2024-02-01"), None, no_grace, today=day("2024-02-29")).status,
        s.classify_month(day("2024-02-01"), None, no_grace, today=day("2024-03-01")).status,
        s.classify_month(day("2023-02-01"), None, no_grace, today=day("2023-03-01")).status,
    ] == [MonthStatus.PENDING, MonthStatus.MISSING, MonthStatus.MISSING]


def test_classify_month_value_at_the_threshold_is_good_both_ways():
    today = day("2025-03-01")

    assert [
        s.classify_month(day("2025-01-01"), D("80.00"), CSAT, today=today).status,
        s.classify_month(day("2025-01-01"), D("79.99"), CSAT, today=today).status,
        s.classify_month(day("2025-01-01"), D("24"), RESPONSE, today=today).status,
        s.classify_month(day("2025-01-01"), D("24.01"), RESPONSE, today=today).status,
    ] == [MonthStatus.GOOD, MonthStatus.BAD, MonthStatus.GOOD, MonthStatus.BAD]


def test_gate_rule_refuses_nonsense_parameters():
    with pytest.raises(ValueError):
        GateRule("csat", D("80"), consecutive_months=0)
    with pytest.raises(ValueError):
        GateRule("csat", D("80"), grace_days=-1)


# Breach


def test_evaluate_series_two_bad_months_open_a_breach_since_the_first():
    data = series(m2024_12="85", m2025_01="78", m2025_02="79.5")

    evaluation = s.evaluate_series(data, CSAT, start=day("2024-12-01"), today=day("2025-03-01"))

    assert evaluation.in_breach
    assert evaluation.breach.since == day("2025-01-01")
    assert values(evaluation.breach.cause) == [("2025-01", D("78")), ("2025-02", D("79.5"))]
    assert statuses(evaluation) == [
        ("2024-12", "good"),
        ("2025-01", "bad"),
        ("2025-02", "bad"),
        ("2025-03", "pending"),
    ]


def test_evaluate_series_lower_is_better_kpi_breaches_above_the_threshold():
    data = series(m2025_01="30", m2025_02="26", m2025_03="24")

    before_march_counts = s.evaluate_series(data, RESPONSE, start=day("2025-01-01"), today=day("2025-03-31"))
    after = s.evaluate_series(data, RESPONSE, start=day("2025-01-01"), today=day("2025-04-01"))

    assert values(before_march_counts.breach.cause) == [("2025-01", D("30")), ("2025-02", D("26"))]
    assert after.breach is None
    assert values(after.cured.months) == [("2025-03", D("24"))]


def test_evaluate_series_one_bad_month_or_alternating_months_is_no_breach():
    one = series(m2025_01="85", m2025_02="70", m2025_03="85")
    alternating = series(m2025_01="70", m2025_02="85", m2025_03="70", m2025_04="85", m2025_05="70")

    assert not s.evaluate_series(one, CSAT, start=day("2025-01-01"), today=day("2025-06-01")).in_breach
    assert not s.evaluate_series(
        alternating, CSAT, start=day("2025-01-01"), today=day("2025-06-01")
    ).in_breach


def test_evaluate_series_missing_month_counts_only_after_its_grace_period():
    data = series(m2025_01="78")  # February never reported

    within_grace = s.evaluate_series(data, CSAT, start=day("2025-01-01"), today=day("2025-03-15"))
    after_grace = s.evaluate_series(data, CSAT, start=day("2025-01-01"), today=day("2025-03-16"))

    assert within_grace.breach is None
    assert statuses(within_grace)[:2] == [("2025-01", "bad"), ("2025-02", "pending")]
    assert values(after_grace.breach.cause) == [("2025-01", D("78")), ("2025-02", None)]
    assert after_grace.breach.months[1].status == MonthStatus.MISSING


def test_evaluate_series_gap_of_one_month_between_good_months_is_no_breach():
    data = series(m2025_01="85", m2025_03="85")  # February missing

    evaluation = s.evaluate_series(data, CSAT, start=day("2025-01-01"), today=day("2025-05-01"))

    assert evaluation.breach is None
    assert statuses(evaluation)[:3] == [("2025-01", "good"), ("2025-02", "missing"), ("2025-03", "good")]


def test_evaluate_series_gap_of_two_missing_months_is_a_breach():
    data = series(m2025_01="85", m2025_04="85")  # nothing for February and March

    at_gap = s.evaluate_series(data, CSAT, start=day("2025-01-01"), today=day("2025-04-16"))

    assert at_gap.breach.since == day("2025-02-01")
    assert values(at_gap.breach.cause) == [("2025-02", None), ("2025-03", None)]


def test_evaluate_series_none_value_is_the_same_as_no_report():
    with_none = series(m2025_01="78", m2025_02=None)
    without = series(m2025_01="78")

    a = s.evaluate_series(with_none, CSAT, start=day("2025-01-01"), today=day("2025-04-01"))
    b = s.evaluate_series(without, CSAT, start=day("2025-01-01"), today=day("2025-04-01"))

    assert a == b


def test_evaluate_series_ignores_months_before_the_start():
    data = series(m2024_12="60", m2025_01="70", m2025_02="85")

    evaluation = s.evaluate_series(data, CSAT, start=day("2025-01-15"), today=day("2025-03-01"))

    assert evaluation.breach is None
    assert statuses(evaluation)[0] == ("2025-01", "bad")


def test_evaluate_series_ignores_a_value_for_the_month_not_yet_over():
    data = series(m2025_01="70", m2025_02="70", m2025_03="95")  # March reported early

    evaluation = s.evaluate_series(data, CSAT, start=day("2025-01-01"), today=day("2025-03-20"))

    assert evaluation.in_breach
    assert statuses(evaluation)[-1] == ("2025-03", "pending")


def test_evaluate_series_further_bad_months_join_the_open_breach():
    data = series(m2025_01="70", m2025_02="71", m2025_03="72")

    evaluation = s.evaluate_series(data, CSAT, start=day("2025-01-01"), today=day("2025-04-01"))

    assert values(evaluation.breach.months) == [
        ("2025-01", D("70")),
        ("2025-02", D("71")),
        ("2025-03", D("72")),
    ]
    assert len(evaluation.breach.cause) == 2
    # The cure period runs from February's report deadline, not March's.
    assert evaluation.breach.cure_ends == day("2025-03-15") + datetime.timedelta(days=60)


def test_evaluate_series_three_consecutive_months_rule():
    rule = GateRule("csat", D("80"), consecutive_months=3)
    data = series(m2025_01="70", m2025_02="71", m2025_03="90", m2025_04="70", m2025_05="70", m2025_06="70")

    evaluation = s.evaluate_series(data, rule, start=day("2025-01-01"), today=day("2025-07-01"))

    assert evaluation.breach.since == day("2025-04-01")


def test_evaluate_series_refuses_two_values_for_one_month():
    data = {day("2025-01-01"): D("70"), day("2025-01-31"): D("90")}

    with pytest.raises(ValueError, match="2025-01"):
        s.evaluate_series(data, CSAT, start=day("2025-01-01"), today=day("2025-03-01"))


# Cure


def test_evaluate_series_one_good_month_cures_the_breach():
    data = series(m2025_01="70", m2025_02="70", m2025_03="82")

    evaluation = s.evaluate_series(data, CSAT, start=day("2025-01-01"), today=day("2025-04-02"))

    assert evaluation.breach is None
    assert values(evaluation.cured.months) == [("2025-03", D("82"))]
    assert values(evaluation.cured.breach.months) == [("2025-01", D("70")), ("2025-02", D("70"))]
    assert evaluation.cured.cured_on == day("2025-04-01")


def test_evaluate_series_pending_month_does_not_cure():
    data = series(m2025_01="70", m2025_02="70")  # March not reported yet, still within grace

    evaluation = s.evaluate_series(data, CSAT, start=day("2025-01-01"), today=day("2025-04-10"))

    assert evaluation.in_breach
    assert evaluation.cured is None


def test_evaluate_series_cure_needing_two_months_is_reset_by_a_bad_month():
    rule = GateRule("csat", D("80"), cure_months=2)
    data = series(m2025_01="70", m2025_02="70", m2025_03="85", m2025_04="75", m2025_05="85", m2025_06="85")

    in_april = s.evaluate_series(data, rule, start=day("2025-01-01"), today=day("2025-05-01"))
    in_july = s.evaluate_series(data, rule, start=day("2025-01-01"), today=day("2025-07-01"))

    assert values(in_april.breach.months) == [
        ("2025-01", D("70")),
        ("2025-02", D("70")),
        ("2025-04", D("75")),
    ]
    assert in_july.breach is None
    assert values(in_july.cured.months) == [("2025-05", D("85")), ("2025-06", D("85"))]


def test_evaluate_series_new_breach_after_a_cure():
    data = series(m2025_01="70", m2025_02="70", m2025_03="85", m2025_04="70", m2025_05="70")

    evaluation = s.evaluate_series(data, CSAT, start=day("2025-01-01"), today=day("2025-06-01"))

    assert evaluation.breach.since == day("2025-04-01")
    assert evaluation.cured.breach.since == day("2025-01-01")


def test_evaluate_series_late_good_report_for_a_missing_month_removes_the_breach():
    before = series(m2025_01="70")
    after = series(m2025_01="70", m2025_02="88")  # February filed late, on 2025-03-20

    assert s.evaluate_series(before, CSAT, start=day("2025-01-01"), today=day("2025-03-20")).in_breach
    evaluation = s.evaluate_series(after, CSAT, start=day("2025-01-01"), today=day("2025-03-20"))
    assert (evaluation.breach, evaluation.cured) == (None, None)


def test_breach_cure_says_what_would_cure_it_and_by_when():
    data = series(m2025_01="70", m2025_02="70")

    breach = s.evaluate_series(data, CSAT, start=day("2025-01-01"), today=day("2025-03-02")).breach

    assert breach.cure == s.CureRequirement(
        kpi="csat", threshold=D("80"), at_least=True, months=1, after=day("2025-02-01"), by=day("2025-05-14")
    )


def test_breach_cure_ends_counts_the_leap_day():
    data_2024 = series(m2023_11="70", m2023_12="70")
    data_2025 = series(m2024_11="70", m2024_12="70")

    in_2024 = s.evaluate_series(data_2024, CSAT, start=day("2023-11-01"), today=day("2024-01-02")).breach
    in_2025 = s.evaluate_series(data_2025, CSAT, start=day("2024-11-01"), today=day("2025-01-02")).breach

    # 60 days after 15 January: 15 March in a leap year, 16 March otherwise.
    assert (in_2024.cure_ends, in_2025.cure_ends) == (day("2024-03-15"), day("2025-03-16"))


def test_cure_period_end_lasts_the_full_period_from_the_watch():
    breach = s.evaluate_series(
        series(m2025_01="70", m2025_02="70"), CSAT, start=day("2025-01-01"), today=day("2025-03-02")
    ).breach

    assert [
        s.cure_period_end(breach),
        s.cure_period_end(breach, watch_since=day("2025-03-02")),
        s.cure_period_end(breach, watch_since=day("2025-04-01")),
    ] == [day("2025-05-14"), day("2025-05-14"), day("2025-05-31")]


def test_cure_sentence_reads_as_a_clause():
    csat = s.CureRequirement("csat", D("80.00"), True, 1, day("2025-02-01"), day("2025-05-14"))
    response = s.CureRequirement("response", D("24.50"), False, 1, day("2025-02-01"), day("2025-05-14"))
    two = s.CureRequirement("csat", D("80"), True, 2, day("2025-02-01"), day("2025-05-14"))

    with translation.override("en"):
        assert s.cure_sentence(csat, kpi_name="CSAT", unit="%") == "report a month with CSAT at or above 80 %"
        assert (
            s.cure_sentence(response, kpi_name="First response time", unit="hours")
            == "report a month with First response time at or below 24.5 hours"
        )
        assert s.cure_sentence(two, kpi_name="CSAT") == "report 2 months in a row with CSAT at or above 80"


# The certificate's state


def evaluate(data, rule=CSAT, *, today, start="2025-01-01"):
    return s.evaluate_series(data, rule, start=day(start), today=today)


BAD_TWO = series(m2025_01="70", m2025_02="70")


def test_next_state_active_goes_under_watch_with_the_breach_as_reason():
    today = day("2025-03-02")
    gates = [
        evaluate(BAD_TWO, today=today),
        evaluate(series(m2025_01="20", m2025_02="22"), RESPONSE, today=today),
    ]

    decision = s.next_state(State.ACTIVE, gates, today=today)

    assert (decision.state, decision.next_state, decision.changed) == (State.ACTIVE, State.UNDER_WATCH, True)
    [reason] = decision.reasons
    assert (reason.kind, reason.rule.kpi, reason.rule.threshold, reason.cure_ends) == (
        ReasonKind.BREACH,
        "csat",
        D("80"),
        day("2025-05-14"),
    )
    assert values(reason.months) == [("2025-01", D("70")), ("2025-02", D("70"))]


def test_next_state_active_without_breach_stays():
    today = day("2025-03-02")

    decision = s.next_state(State.ACTIVE, [evaluate(series(m2025_01="90"), today=today)], today=today)

    assert (decision.next_state, decision.changed, decision.reasons) == (State.ACTIVE, False, ())


def test_next_state_under_watch_is_suspended_the_day_after_the_cure_period():
    last_day, day_after = day("2025-05-14"), day("2025-05-15")

    stays = s.next_state(
        State.UNDER_WATCH, [evaluate(BAD_TWO, today=last_day)], today=last_day, watch_since=day("2025-03-02")
    )
    suspended = s.next_state(
        State.UNDER_WATCH,
        [evaluate(BAD_TWO, today=day_after)],
        today=day_after,
        watch_since=day("2025-03-02"),
    )

    assert stays.next_state == State.UNDER_WATCH
    assert suspended.next_state == State.SUSPENDED
    assert [(r.kind, r.rule.kpi, r.cure_ends) for r in suspended.reasons] == [
        (ReasonKind.CURE_PERIOD_ENDED, "csat", last_day)
    ]


def test_next_state_late_watch_gets_the_full_cure_period():
    # The job only saw the breach on 1 May (an outage): 60 days from then.
    today = day("2025-06-01")

    decision = s.next_state(
        State.UNDER_WATCH, [evaluate(BAD_TWO, today=today)], today=today, watch_since=day("2025-05-01")
    )

    assert decision.next_state == State.UNDER_WATCH
    assert decision.reasons[0].cure_ends == day("2025-06-30")


def test_next_state_under_watch_cured_goes_back_to_active():
    today = day("2025-04-01")
    cured = evaluate(series(m2025_01="70", m2025_02="70", m2025_03="81"), today=today)

    decision = s.next_state(State.UNDER_WATCH, [cured], today=today, watch_since=day("2025-03-02"))

    assert decision.next_state == State.ACTIVE
    assert [(r.kind, values(r.months)) for r in decision.reasons] == [
        (ReasonKind.CURED, [("2025-03", D("81"))])
    ]


def test_next_state_old_cure_is_not_a_reason_for_a_new_watch_ending():
    today = day("2025-09-02")
    cured_in_april = series(m2025_01="70", m2025_02="70", **{f"m2025_0{m}": "85" for m in range(3, 9)})
    csat = evaluate(cured_in_april, today=today)
    cured_in_september = series(m2025_06="30", m2025_07="30", m2025_08="20")
    response = evaluate(cured_in_september, RESPONSE, today=today, start="2025-06-01")

    decision = s.next_state(State.UNDER_WATCH, [csat, response], today=today, watch_since=day("2025-08-01"))

    assert decision.next_state == State.ACTIVE
    assert [r.rule.kpi for r in decision.reasons] == ["response"]


def test_next_state_one_gate_cured_another_in_breach_stays_under_watch():
    today = day("2025-05-02")
    csat = evaluate(series(m2025_01="70", m2025_02="70", m2025_03="85"), today=today)
    response = evaluate(series(m2025_03="30", m2025_04="30"), RESPONSE, today=today, start="2025-03-01")

    decision = s.next_state(State.UNDER_WATCH, [csat, response], today=today, watch_since=day("2025-03-02"))

    assert decision.next_state == State.UNDER_WATCH
    assert [(r.kind, r.rule.kpi, r.cure_ends) for r in decision.reasons] == [
        (ReasonKind.BREACH, "response", day("2025-07-14"))
    ]


def test_next_state_suspended_cured_waits_for_staff_unless_automatic():
    today = day("2025-06-02")
    cured = evaluate(series(m2025_01="70", m2025_02="70", m2025_05="90"), today=today)

    manual = s.next_state(State.SUSPENDED, [cured], today=today, watch_since=day("2025-03-02"))
    automatic = s.next_state(
        State.SUSPENDED, [cured], today=today, watch_since=day("2025-03-02"), auto_reinstate=True
    )

    assert (manual.next_state, manual.awaiting_reinstatement) == (State.SUSPENDED, True)
    assert (automatic.next_state, automatic.awaiting_reinstatement) == (State.ACTIVE, False)
    assert [r.kind for r in automatic.reasons] == [ReasonKind.CURED]


def test_next_state_suspended_still_in_breach_stays_and_is_not_awaiting():
    today = day("2025-06-02")

    decision = s.next_state(
        State.SUSPENDED, [evaluate(BAD_TWO, today=today)], today=today, auto_reinstate=True
    )

    assert (decision.next_state, decision.awaiting_reinstatement) == (State.SUSPENDED, False)
    assert [r.kind for r in decision.reasons] == [ReasonKind.CURE_PERIOD_ENDED]


def test_next_state_suspended_cured_with_another_breach_in_its_period_goes_under_watch():
    today = day("2025-06-02")
    csat = evaluate(series(m2025_01="70", m2025_02="70", m2025_05="90"), today=today)
    response = evaluate(series(m2025_04="30", m2025_05="30"), RESPONSE, today=today, start="2025-04-01")

    decision = s.next_state(State.SUSPENDED, [csat, response], today=today, auto_reinstate=True)

    assert decision.next_state == State.UNDER_WATCH
    assert [(r.kind, r.rule.kpi) for r in decision.reasons] == [
        (ReasonKind.CURED, "csat"),
        (ReasonKind.BREACH, "response"),
    ]


def test_next_state_leaves_staff_suspension_revocation_and_expiry_alone():
    today = day("2025-06-02")
    cured = [evaluate(series(m2025_01="70", m2025_02="70", m2025_05="90"), today=today)]
    breach = [evaluate(BAD_TWO, today=today)]

    assert [
        s.next_state(State.SUSPENDED, cured, today=today, auto_reinstate=True, suspended_by_staff=True),
        s.next_state("revoked", breach, today=today),
        s.next_state("expired", breach, today=today),
    ] == [
        s.Decision(State.SUSPENDED, State.SUSPENDED),
        s.Decision("revoked", "revoked"),
        s.Decision("expired", "expired"),
    ]


def test_next_state_daily_with_a_frozen_clock_watch_suspend_reinstate():
    """A business reports January and February below the threshold, then
    nothing until a good May: under watch the day February is reported,
    suspended the day after the cure period, active the day May is reported
    (the standard reinstates automatically). Each day is evaluated twice, as
    a job that runs twice would: the second run changes nothing."""
    reports = {  # month -> (value, the day it was reported)
        day("2024-12-01"): (D("85"), day("2025-01-03")),
        day("2025-01-01"): (D("70"), day("2025-02-03")),
        day("2025-02-01"): (D("72"), day("2025-03-02")),
        day("2025-05-01"): (D("90"), day("2025-06-02")),
    }
    state, watch_since, transitions = State.ACTIVE, None, []
    today = day("2025-01-01")
    while today <= day("2025-06-10"):
        known = {month: value for month, (value, reported) in reports.items() if reported <= today}
        gates = [s.evaluate_series(known, CSAT, start=day("2024-12-01"), today=today)]
        for _run in range(2):
            decision = s.next_state(state, gates, today=today, watch_since=watch_since, auto_reinstate=True)
            if decision.changed:
                transitions.append((today, decision.state, decision.next_state))
                state = decision.next_state
                watch_since = today if state == State.UNDER_WATCH else watch_since
        today += datetime.timedelta(days=1)

    assert transitions == [
        (day("2025-03-02"), State.ACTIVE, State.UNDER_WATCH),
        (day("2025-05-15"), State.UNDER_WATCH, State.SUSPENDED),
        (day("2025-06-02"), State.SUSPENDED, State.ACTIVE),
    ]
