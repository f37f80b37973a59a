"""Live certification between audits (issue 13): the surveillance rules as
pure functions on plain values, like audits.scoring. No database, no Django
models: the feature code turns rows into these inputs and records what they
return.

The rules, per KPI gate of a standard (a `GateRule`):

- A month counts once it is over. A reported value then is *good* when it
  reaches the threshold (at least, or at most when lower is better), else
  *bad*. A month with no value is *pending* until its report deadline (the
  last day of the month plus the grace period, default 15 days) and
  *missing* from the day after; missing counts as bad. A month not yet over,
  or unreported but still within its grace period, is neither good nor bad:
  it neither opens, extends, breaks nor cures a breach.
- A breach opens when `consecutive_months` (default 2) calendar months in a
  row are bad. It is dated by the month that started it (`since`) and keeps
  the months and values that caused it.
- The cure period (default 60 days) runs from the report deadline of the
  month that completed the breach, so it is the same date whenever the bad
  value was reported or the daily job ran, and a business whose report is
  merely missing gets its full grace period first. Once the certificate is
  under watch, the period also lasts at least that many days from the day it
  went under watch (`cure_period_end`), so a late notice never shortens it.
- Cure: `cure_months` (default 1) good months in a row after the breach
  began. One good month is the default because (a) two bad months open a
  breach, so one good month already breaks the pattern the rule looks for,
  and (b) with the default periods a business can show at most two further
  months before its cure period ends (the next month is due 15 days after it
  ends), so asking for two good months would make a cure nearly unreachable.
  A report filed late for a month of the breach changes the months
  themselves: if it is good the breach may no longer exist at all (the data
  say the service was fine), which ends the watch like a cure.

The certificate's next state (`next_state`) follows: active -> under watch
when any gate is in breach; under watch -> suspended when a breach outlives
its cure period; under watch -> active when no breach is open; suspended by
surveillance -> active (or under watch, when another breach is still within
its period) once cured, automatically only when the standard says so.
Staff decisions (suspension, reinstatement) and revocation stay outside: the
function never changes a certificate staff suspended, revoked or expired.
"""

import datetime
import enum
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import ngettext


class MonthStatus(enum.StrEnum):
    GOOD = "good"
    BAD = "bad"  # reported on the wrong side of the threshold
    MISSING = "missing"  # not reported, past its report deadline: counts as bad
    PENDING = "pending"  # not over yet, or within its grace period without a report


class State(enum.StrEnum):
    """The certificate states surveillance moves between (the values match
    CertificateStatus where they exist)."""

    ACTIVE = "active"
    UNDER_WATCH = "under_watch"
    SUSPENDED = "suspended"


class ReasonKind(enum.StrEnum):
    BREACH = "breach"  # a gate is in breach (watch starts or continues)
    CURE_PERIOD_ENDED = "cure_period_ended"  # a breach outlived its cure period
    CURED = "cured"  # a breach was cured


@dataclass(frozen=True)
class GateRule:
    """One KPI gate of a standard and its surveillance parameters."""

    kpi: str  # the KPI's code
    threshold: Decimal
    higher_is_better: bool = True
    consecutive_months: int = 2
    cure_period_days: int = 60
    grace_days: int = 15
    cure_months: int = 1

    def __post_init__(self):
        if self.consecutive_months < 1 or self.cure_months < 1:
            raise ValueError("consecutive_months and cure_months must be at least 1")
        if self.cure_period_days < 0 or self.grace_days < 0:
            raise ValueError("cure_period_days and grace_days cannot be negative")

    def is_good(self, value: Decimal) -> bool:
        return value >= self.threshold if self.higher_is_better else value <= self.threshold


@dataclass(frozen=True)
class MonthResult:
    month: datetime.date  # the first day of the month
    value: Decimal | None
    status: MonthStatus
    due_on: datetime.date  # the report deadline: the month's last day plus the grace period

    @property
    def counts_as_bad(self) -> bool:
        return self.status in (MonthStatus.BAD, MonthStatus.MISSING)


@dataclass(frozen=True)
class CureRequirement:
    """What would cure a breach, ready for a sentence (`cure_sentence`)."""

    kpi: str
    threshold: Decimal
    at_least: bool  # at or above the threshold (higher is better), else at or below
    months: int  # how many good months in a row
    after: datetime.date  # the good months must come after this month
    by: datetime.date  # the last day of the cure period (before any watch extension)


@dataclass(frozen=True)
class Breach:
    rule: GateRule
    months: tuple[MonthResult, ...]  # the bad months of the breach, in order (at least the run)

    @property
    def since(self) -> datetime.date:
        """The month that started it."""
        return self.months[0].month

    @property
    def cause(self) -> tuple[MonthResult, ...]:
        """The run of bad months that opened it (for the record and the notice)."""
        return self.months[: self.rule.consecutive_months]

    @property
    def cure_period_starts(self) -> datetime.date:
        return self.cause[-1].due_on

    @property
    def cure_ends(self) -> datetime.date:
        """The last day of the cure period, from the months alone (see
        `cure_period_end` for the date once the certificate is under watch)."""
        return self.cure_period_starts + datetime.timedelta(days=self.rule.cure_period_days)

    @property
    def cure(self) -> CureRequirement:
        return CureRequirement(
            kpi=self.rule.kpi,
            threshold=self.rule.threshold,
            at_least=self.rule.higher_is_better,
            months=self.rule.cure_months,
            after=self.months[-1].month,
            by=self.cure_ends,
        )


@dataclass(frozen=True)
class Cure:
    breach: Breach
    months: tuple[MonthResult, ...]  # the good months that cured it

    @property
    def cured_on(self) -> datetime.date:
        """The first day the cure could be counted: the day after its last month ended."""
        return next_month(self.months[-1].month)


@dataclass(frozen=True)
class SeriesEvaluation:
    rule: GateRule
    months: tuple[MonthResult, ...]  # every month from the start to today's month, in order
    breach: Breach | None  # the open breach, if any
    cured: Cure | None = None  # the latest cure, if any

    @property
    def in_breach(self) -> bool:
        return self.breach is not None


@dataclass(frozen=True)
class Reason:
    kind: ReasonKind
    rule: GateRule
    months: tuple[MonthResult, ...]  # the months and values behind it
    cure_ends: datetime.date | None = None  # for a breach: the end of its cure period


@dataclass(frozen=True)
class Decision:
    state: State | str
    next_state: State | str
    reasons: tuple[Reason, ...] = ()
    # Suspended by surveillance and no breach is past its cure period any
    # more, but the standard wants staff to reinstate: the watch list shows it.
    awaiting_reinstatement: bool = False

    @property
    def changed(self) -> bool:
        return self.next_state != self.state


# Months


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    if month.month == 12:
        return datetime.date(month.year + 1, 1, 1)
    return datetime.date(month.year, month.month + 1, 1)


def month_end(month: datetime.date) -> datetime.date:
    return next_month(month_start(month)) - datetime.timedelta(days=1)


def report_deadline(month: datetime.date, grace_days: int) -> datetime.date:
    """The last day a month's report is on time."""
    return month_end(month) + datetime.timedelta(days=grace_days)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of every month from first's month to last's, inclusive."""
    months, month, last = [], month_start(first), month_start(last)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def _status(value: Decimal | None, rule: GateRule, *, over: bool, overdue: bool) -> MonthStatus:
    if not over:
        return MonthStatus.PENDING
    if value is not None:
        return MonthStatus.GOOD if rule.is_good(value) else MonthStatus.BAD
    return MonthStatus.MISSING if overdue else MonthStatus.PENDING


def classify_month(
    month: datetime.date, value: Decimal | None, rule: GateRule, *, today: datetime.date
) -> MonthResult:
    month = month_start(month)
    due_on = report_deadline(month, rule.grace_days)
    status = _status(value, rule, over=month_end(month) < today, overdue=due_on < today)
    return MonthResult(month, value, status, due_on)


@functools.lru_cache(maxsize=1024)
def _calendar(
    start: datetime.date, today: datetime.date, grace_days: int
) -> tuple[tuple[datetime.date, datetime.date, bool, bool], ...]:
    """(month, report deadline, over, overdue) for each month from start to
    today: the same for every certificate a daily job evaluates, so computed once."""
    rows = []
    for month in months_between(start, today):
        due_on = report_deadline(month, grace_days)
        rows.append((month, due_on, month_end(month) < today, due_on < today))
    return tuple(rows)


def _by_month(series: Mapping[datetime.date, Decimal | None]) -> dict[datetime.date, Decimal | None]:
    result: dict[datetime.date, Decimal | None] = {}
    for day, value in series.items():
        month = day if day.day == 1 else day.replace(day=1)
        if month in result:
            raise ValueError(f"two values for the month {month:%Y-%m}")
        result[month] = value if value is None or isinstance(value, Decimal) else Decimal(value)
    return result


# One gate


def evaluate_series(
    series: Mapping[datetime.date, Decimal | None],
    rule: GateRule,
    *,
    start: datetime.date,
    today: datetime.date,
) -> SeriesEvaluation:
    """Walk the months from `start` (its month counts; pass the month after
    issue if the issue month should not) to today's month and say whether the
    gate is in breach now, since when and why, and the latest cure.

    The walk is the whole rule: bad months in a row open a breach once there
    are `consecutive_months` of them; while it is open further bad months join
    it, and `cure_months` good months in a row close it. A pending month
    (see the module docstring) resets both runs: consecutiveness cannot be
    known yet, and it proves nothing either way."""
    values = _by_month(series)
    months = tuple(
        MonthResult(
            month, values.get(month), _status(values.get(month), rule, over=over, overdue=overdue), due_on
        )
        for month, due_on, over, overdue in _calendar(month_start(start), today, rule.grace_days)
    )
    bad_run: list[MonthResult] = []
    good_run: list[MonthResult] = []
    breach_months: list[MonthResult] | None = None
    cured: Cure | None = None
    for result in months:
        if result.counts_as_bad:
            good_run = []
            if breach_months is not None:
                breach_months.append(result)
                continue
            bad_run.append(result)
            if len(bad_run) == rule.consecutive_months:
                breach_months, bad_run = bad_run, []
        elif result.status == MonthStatus.GOOD:
            bad_run = []
            if breach_months is None:
                continue
            good_run.append(result)
            if len(good_run) == rule.cure_months:
                cured = Cure(Breach(rule, tuple(breach_months)), tuple(good_run))
                breach_months, good_run = None, []
        else:
            bad_run, good_run = [], []
    breach = Breach(rule, tuple(breach_months)) if breach_months is not None else None
    return SeriesEvaluation(rule, months, breach, cured)


def cure_period_end(breach: Breach, *, watch_since: datetime.date | None = None) -> datetime.date:
    """The last day of the cure period: from the months alone, and at least
    the cure period from the day the certificate went under watch."""
    if watch_since is None:
        return breach.cure_ends
    return max(breach.cure_ends, watch_since + datetime.timedelta(days=breach.rule.cure_period_days))


def cure_sentence(requirement: CureRequirement, *, kpi_name: str, unit: str = "") -> str:
    """What would cure a breach, as a clause for the notice and the health
    strip, e.g. "report a month with CSAT at or above 80 %". Call it with the
    recipient's language active."""
    params = {
        "kpi": kpi_name,
        "threshold": f"{format_number(requirement.threshold)} {unit}".strip(),
        "count": requirement.months,
    }
    if requirement.at_least:
        text = ngettext(
            "report a month with %(kpi)s at or above %(threshold)s",
            "report %(count)d months in a row with %(kpi)s at or above %(threshold)s",
            requirement.months,
        )
    else:
        text = ngettext(
            "report a month with %(kpi)s at or below %(threshold)s",
            "report %(count)d months in a row with %(kpi)s at or below %(threshold)s",
            requirement.months,
        )
    return text % params


def format_number(value: Decimal) -> str:
    """80.00 -> "80", 80.50 -> "80.5" (never "8E+1")."""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# The certificate


def next_state(
    state: State | str,
    gates: Sequence[SeriesEvaluation],
    *,
    today: datetime.date,
    watch_since: datetime.date | None = None,
    auto_reinstate: bool = False,
    suspended_by_staff: bool = False,
) -> Decision:
    """The certificate's next state from its gates' evaluations.

    `watch_since` is the day the certificate went under watch (kept by the
    feature code); it only ever lengthens a cure period. A certificate never
    skips "under watch": the business always gets the notice and a cure
    period before a suspension. Any other state (revoked, expired), or a
    suspension staff decided, is left as it is."""
    open_breaches = [gate.breach for gate in gates if gate.breach is not None]
    overdue = [b for b in open_breaches if cure_period_end(b, watch_since=watch_since) < today]

    def breach_reasons(breaches, kind=ReasonKind.BREACH):
        return tuple(
            Reason(kind, b.rule, b.months, cure_period_end(b, watch_since=watch_since)) for b in breaches
        )

    cured = tuple(
        Reason(ReasonKind.CURED, gate.rule, gate.cured.months)
        for gate in gates
        if gate.breach is None
        and gate.cured is not None
        and (watch_since is None or gate.cured.cured_on >= watch_since)
    )

    if state == State.ACTIVE:
        if open_breaches:
            return Decision(state, State.UNDER_WATCH, breach_reasons(open_breaches))
        return Decision(state, state)
    if state == State.UNDER_WATCH:
        if overdue:
            return Decision(state, State.SUSPENDED, breach_reasons(overdue, ReasonKind.CURE_PERIOD_ENDED))
        if open_breaches:
            return Decision(state, state, breach_reasons(open_breaches))
        return Decision(state, State.ACTIVE, cured)
    if state == State.SUSPENDED and not suspended_by_staff:
        if overdue:
            return Decision(state, state, breach_reasons(overdue, ReasonKind.CURE_PERIOD_ENDED))
        if not auto_reinstate:
            return Decision(state, state, cured + breach_reasons(open_breaches), awaiting_reinstatement=True)
        if open_breaches:
            return Decision(state, State.UNDER_WATCH, cured + breach_reasons(open_breaches))
        return Decision(state, State.ACTIVE, cured)
    return Decision(state, state)
