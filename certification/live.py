"""Live certification (issue 13): the surveillance rules of surveillance.py
applied to certificates. The daily job (`run_surveillance`) reads every
certificate under surveillance and the KPI values of its window set-based,
evaluates them in memory, and records each change with `record_decision`,
which locks the certificate and re-checks the state it was evaluated in: of
two runs at once, one records the change (its history row and its notices)
and the other finds the state moved and does nothing.

States: active -> under watch (`watch_since` set) -> suspended (through
certificates.suspend_certificate) -> active or under watch again (through
certificates.reinstate_certificate)."""

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from associations.models import Criterion, KpiSource
from associations.services import log_action
from members.models import MetricValue

from . import surveillance as s
from .certificates import reinstate_certificate, suspend_certificate
from .live_notices import queue_surveillance_notices
from .models import Certificate, CertificateStatus, SurveillanceEvent
from .public_cache import forget_public_pages

# How far back a certificate's months are read: a breach older than this
# would have suspended the certificate long ago (cure period 60 days).
WINDOW_MONTHS = 12


@dataclass(frozen=True)
class Gate:
    rule: s.GateRule
    kpi_id: int
    kpi_name: str
    unit: str
    # The values the gate reads (Criterion.kpi_source): "" for any source.
    source: str = ""


def gates_of(standard_ids) -> dict[int, list[Gate]]:
    """The KPI gates of each standard (one per KPI and required source: the
    first criterion's)."""
    gates: dict[int, list[Gate]] = defaultdict(list)
    seen = set()
    criteria = (
        Criterion.objects.filter(standard_id__in=standard_ids, kpi__isnull=False)
        .select_related("kpi")
        .order_by("standard_id", "order", "code")
    )
    for criterion in criteria:
        if (criterion.standard_id, criterion.kpi_id, criterion.kpi_source) in seen:
            continue
        seen.add((criterion.standard_id, criterion.kpi_id, criterion.kpi_source))
        rule = s.GateRule(
            criterion.kpi.code,
            criterion.kpi_threshold,
            higher_is_better=criterion.kpi.higher_is_better,
            consecutive_months=criterion.breach_months,
            cure_period_days=criterion.cure_period_days,
            grace_days=criterion.grace_days,
        )
        gates[criterion.standard_id].append(
            Gate(rule, criterion.kpi_id, criterion.kpi.name, criterion.kpi.unit, criterion.kpi_source)
        )
    return gates


@functools.lru_cache(maxsize=4096)
def window_start(valid_from: datetime.date, today: datetime.date) -> datetime.date:
    """The first month that counts: the one after the certificate's first
    month (that one was audited), and no more than WINDOW_MONTHS back."""
    earliest = s.month_start(today)
    for _ in range(WINDOW_MONTHS):
        earliest = (earliest - datetime.timedelta(days=1)).replace(day=1)
    return max(s.next_month(s.month_start(valid_from)), earliest)


# In a month with values of several sources, a gate that takes any source
# reads the computed one before the reported (as audits.queries.latest_kpi_values).
PREFERENCE = {KpiSource.CUSTOMERS: 2, KpiSource.COMPLAINTS: 1, KpiSource.REPORTED: 0}


def _collect(rows) -> dict:
    """{(business, association, kpi, source): {month: value}}, and under
    source "" each month's preferred value of any source."""
    series: dict = defaultdict(dict)
    ranks: dict = {}
    for business_id, association_id, kpi_id, period, source, value in rows.iterator(chunk_size=20_000):
        series[business_id, association_id, kpi_id, source][period] = value
        key, rank = (business_id, association_id, kpi_id, period), PREFERENCE.get(source, 0)
        if ranks.get(key, -1) < rank:
            ranks[key] = rank
            series[business_id, association_id, kpi_id, ""][period] = value
    return series


def _series(business_ids, association_ids, kpi_ids, since: datetime.date) -> dict:
    """_collect for these businesses, in one query."""
    rows = (
        MetricValue.objects.filter(
            report__business_id__in=business_ids,
            report__association_id__in=association_ids,
            report__period__gte=since,
            kpi_id__in=kpi_ids,
        )
        .values_list(
            "report__business_id", "report__association_id", "kpi_id", "report__period", "source", "value"
        )
        .order_by()
    )
    return _collect(rows)


def _all_series(association_ids, kpi_ids, since: datetime.date) -> dict:
    """_series for every business of the associations (the daily job)."""
    rows = (
        MetricValue.objects.filter(
            report__association_id__in=association_ids, report__period__gte=since, kpi_id__in=kpi_ids
        )
        .values_list(
            "report__business_id", "report__association_id", "kpi_id", "report__period", "source", "value"
        )
        .order_by()
    )
    return _collect(rows)


def _clean(values: dict, rule: s.GateRule, start: datetime.date, today: datetime.date) -> bool:
    """True when no `consecutive_months` months in a row from `start` are
    bad or missing, so the gate cannot have opened a breach. A plain loop,
    no objects: most active certificates of the daily job stop here, and the
    full walk (evaluate_series) runs only for the few that need it."""
    run = 0
    for month, _due_on, over, overdue in s._calendar(start, today, rule.grace_days):
        value = values.get(month)
        if not over or (value is None and not overdue):
            run = 0  # pending: proves nothing either way (as evaluate_series)
        elif value is None or not rule.is_good(value):
            run += 1
            if run >= rule.consecutive_months:
                return False
        else:
            run = 0
    return True


def evaluate(certificate, gates: list[Gate], series: dict, *, today: datetime.date, auto_reinstate: bool):
    """(the gates' evaluations, the decision) for one certificate."""
    start = window_start(certificate.valid_from, today)
    evaluations = [
        s.evaluate_series(
            series.get((certificate.business_id, certificate.association_id, gate.kpi_id, gate.source), {}),
            gate.rule,
            start=start,
            today=today,
        )
        for gate in gates
    ]
    state = certificate.surveillance_state
    # An active certificate going under watch today gets its cure period
    # from today at least: the date its notice gives.
    watch_since = today if state == s.State.ACTIVE else certificate.watch_since
    decision = s.next_state(
        state,
        evaluations,
        today=today,
        watch_since=watch_since,
        auto_reinstate=auto_reinstate,
        suspended_by_staff=certificate.status == CertificateStatus.SUSPENDED
        and not certificate.suspended_by_surveillance,
    )
    return evaluations, decision


def under_surveillance(today: datetime.date):
    """Certificates the job evaluates: current ones, active or suspended by surveillance."""
    return Certificate.objects.filter(
        Q(status=CertificateStatus.ACTIVE)
        | Q(status=CertificateStatus.SUSPENDED, suspended_by_surveillance=True),
        valid_until__gte=today,
    )


@dataclass(frozen=True)
class Evaluated:
    """What the daily job reads of a certificate (a model instance costs
    more to build than its evaluation)."""

    pk: int
    business_id: int
    association_id: int
    status: str
    watch_since: datetime.date | None
    suspended_by_surveillance: bool
    valid_from: datetime.date

    @property
    def surveillance_state(self) -> str:
        if self.status == CertificateStatus.ACTIVE and self.watch_since is not None:
            return "under_watch"
        return self.status


_FIELDS = (
    "pk",
    "business_id",
    "association_id",
    "status",
    "watch_since",
    "suspended_by_surveillance",
    "valid_from",
    "application__standard_id",
    "application__standard__auto_reinstate",
)


def pending_decisions(*, today: datetime.date) -> list[tuple[Evaluated, s.Decision, dict]]:
    """Every certificate whose state should change today, with its decision
    and the gates behind it: a few queries however many certificates."""
    rows = list(under_surveillance(today).values_list(*_FIELDS).order_by())
    if not rows:
        return []
    gates = gates_of({row[7] for row in rows})
    kpi_ids = {gate.kpi_id for standard_gates in gates.values() for gate in standard_gates}
    since = window_start(datetime.date.min, today)
    series = _all_series({row[2] for row in rows}, kpi_ids, since) if kpi_ids else {}
    changes = []
    for (
        pk,
        business_id,
        association_id,
        status,
        watch_since,
        by_surveillance,
        valid_from,
        standard_id,
        auto,
    ) in rows:
        standard_gates = gates.get(standard_id)
        if not standard_gates and watch_since is None and not by_surveillance:
            continue
        if watch_since is None and not by_surveillance and status == CertificateStatus.ACTIVE:
            start = window_start(valid_from, today)
            if all(
                _clean(
                    series.get((business_id, association_id, gate.kpi_id, gate.source), {}),
                    gate.rule,
                    start,
                    today,
                )
                for gate in standard_gates
            ):
                continue  # active and every gate clean: nothing can change
        certificate = Evaluated(
            pk=pk,
            business_id=business_id,
            association_id=association_id,
            status=status,
            watch_since=watch_since,
            suspended_by_surveillance=by_surveillance,
            valid_from=valid_from,
        )
        _evaluations, decision = evaluate(
            certificate, standard_gates or [], series, today=today, auto_reinstate=auto
        )
        if decision.changed:
            changes.append((certificate, decision, {g.rule.kpi: g for g in standard_gates or []}))
    return changes


def run_surveillance(*, today: datetime.date | None = None) -> dict:
    """The daily job: evaluate every certificate under surveillance and
    record each change once. Returns how many moved to each state."""
    today = today or timezone.localdate()
    moved: dict[str, int] = defaultdict(int)
    for certificate, decision, gates in pending_decisions(today=today):
        event = record_decision(certificate, decision, gates=gates, today=today)
        if event is not None:
            moved[event.to_state] += 1
    return dict(moved)


def evaluate_certificate(certificate: Certificate, *, today: datetime.date | None = None):
    """(gates, evaluations, decision) for one certificate (the portal, the job's tests)."""
    today = today or timezone.localdate()
    standard = certificate.application.standard
    gates = gates_of([standard.pk]).get(standard.pk, [])
    series = _series(
        [certificate.business_id],
        [certificate.association_id],
        [gate.kpi_id for gate in gates],
        window_start(certificate.valid_from, today),
    )
    evaluations, decision = evaluate(
        certificate, gates, series, today=today, auto_reinstate=standard.auto_reinstate
    )
    return gates, evaluations, decision


def _reason_data(reason: s.Reason, gate: Gate | None) -> dict:
    return {
        "kind": str(reason.kind),
        "kpi": reason.rule.kpi,
        "kpi_name": gate.kpi_name if gate else reason.rule.kpi,
        "unit": gate.unit if gate else "",
        "threshold": s.format_number(reason.rule.threshold),
        "higher_is_better": reason.rule.higher_is_better,
        "months": [
            [f"{m.month:%Y-%m}", None if m.value is None else s.format_number(m.value), str(m.status)]
            for m in reason.months
        ],
        "cure_ends": reason.cure_ends.isoformat() if reason.cure_ends else None,
    }


def _reason_text(reasons: list[dict]) -> str:
    """A one-line reason for the certificate's status (not translated: it
    is the record; the notices are written in each reader's language)."""
    parts = []
    for r in reasons:
        months = ", ".join(f"{month}: {value or '—'}" for month, value, _status in r["months"])
        parts.append(f"{r['kpi_name']} {months} (threshold {r['threshold']} {r['unit']})")
    return "; ".join(parts)


@transaction.atomic
def record_decision(
    certificate: Certificate | Evaluated,
    decision: s.Decision,
    *,
    gates: dict[str, Gate],
    today: datetime.date,
) -> SurveillanceEvent | None:
    """Move the certificate as decided, if it is still in the state (and
    watch) it was evaluated in; record the change with its reasons and
    queue the notices, all in one transaction. None when it had moved."""
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.surveillance_state != decision.state or locked.watch_since != certificate.watch_since:
        return None
    reasons = [_reason_data(reason, gates.get(reason.rule.kpi)) for reason in decision.reasons]
    text = _reason_text(reasons)
    target = decision.next_state
    if target == s.State.SUSPENDED:
        locked = suspend_certificate(locked, actor=None, reason=text, by_surveillance=True)
    elif locked.status == CertificateStatus.SUSPENDED:
        locked = reinstate_certificate(locked, actor=None, reason=text, by_surveillance=True)
    if target == s.State.UNDER_WATCH and locked.status == CertificateStatus.ACTIVE:
        locked.watch_since = today
    elif target == s.State.ACTIVE:
        locked.watch_since = None
    locked.save(update_fields=["watch_since"])
    forget_public_pages([locked.verification_token])
    event = SurveillanceEvent.objects.create(
        certificate=locked,
        association_id=locked.association_id,
        business_id=locked.business_id,
        day=today,
        from_state=str(decision.state),
        to_state=locked.surveillance_state,
        reasons=reasons,
    )
    log_action(
        locked,
        "certificate.surveillance",
        actor=None,
        data={"from": event.from_state, "to": event.to_state, "reasons": reasons},
    )
    queue_surveillance_notices(locked, event)
    return event


@dataclass(frozen=True)
class GateHealth:
    gate: Gate
    months: tuple[s.MonthResult, ...]  # the last 12 months, oldest first
    breach: s.Breach | None
    cure_ends: datetime.date | None
    cure_text: str


def health(
    certificates: list[Certificate], *, today: datetime.date | None = None
) -> dict[int, list[GateHealth]]:
    """The portal's health strip per current certificate: each gated KPI
    over the last 12 months against its threshold, the open breach with the
    end of its cure period and what would cure it. Two queries however many
    certificates (each needs `application` loaded)."""
    today = today or timezone.localdate()
    current = [c for c in certificates if c.status in (CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED)]
    if not current:
        return {}
    gates = gates_of({c.application.standard_id for c in current})
    kpi_ids = {gate.kpi_id for standard_gates in gates.values() for gate in standard_gates}
    shown = s.months_between(window_start(datetime.date.min, today), today)[-13:-1]
    series = (
        _series({c.business_id for c in current}, {c.association_id for c in current}, kpi_ids, shown[0])
        if kpi_ids
        else {}
    )
    result = {}
    for certificate in current:
        rows = []
        for gate in gates.get(certificate.application.standard_id, []):
            values = series.get(
                (certificate.business_id, certificate.association_id, gate.kpi_id, gate.source), {}
            )
            evaluation = s.evaluate_series(
                values, gate.rule, start=window_start(certificate.valid_from, today), today=today
            )
            breach = evaluation.breach
            cure_ends = (
                s.cure_period_end(breach, watch_since=certificate.watch_since or today) if breach else None
            )
            rows.append(
                GateHealth(
                    gate=gate,
                    months=tuple(s.classify_month(m, values.get(m), gate.rule, today=today) for m in shown),
                    breach=breach,
                    cure_ends=cure_ends,
                    cure_text=s.cure_sentence(breach.cure, kpi_name=gate.kpi_name, unit=gate.unit)
                    if breach
                    else "",
                )
            )
        result[certificate.pk] = rows
    return result
