"""Demo data for live certification (issue 13): Khyber Travel Desk's
certificate is under watch (its CSAT fell below 80 % for the last months),
Sindh Water Services' was suspended by surveillance (below for six months,
the cure period passed). Their certificates were issued eight months ago;
the PDFs are rendered by the worker (the sweep finds them)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from associations.models import Association, Standard
from certification import live
from certification.issuance import create_certificate
from certification.models import Application, ApplicationStatus, Certificate
from members.models import Membership, MetricReport, MetricValue

ISSUED_MONTHS_AGO = 8
# (member number, how many of the last months had CSAT below the threshold, days ago it went under watch)
CASES = [("PSA-0006", 3, None), ("PSA-0005", 6, 70)]


def _months_ago(n: int) -> datetime.date:
    month = timezone.localdate().replace(day=1)
    for _ in range(n):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return month


def _certificate(association: Association, business, standard: Standard) -> Certificate:
    application = Application.objects.filter(business=business, standard=standard).first()
    if application is None:
        level = association.levels.order_by("min_score").first()
        application = Application.objects.create(
            business=business,
            association=association,
            standard=standard,
            status=ApplicationStatus.APPROVED,
            level=level,
            level_reached=level,
            overall_score=Decimal("82.00"),
            decided_at=timezone.now(),
        )
    certificate = create_certificate(application)
    # Issued eight months ago, as if the demo had been running since.
    issued = _months_ago(ISSUED_MONTHS_AGO) + datetime.timedelta(days=9)
    Certificate.objects.filter(pk=certificate.pk).update(
        issued_at=timezone.now() - (timezone.localdate() - issued),
        valid_from=issued,
        valid_until=issued + datetime.timedelta(days=730),
    )
    certificate.refresh_from_db()
    return certificate


def _values(association: Association, business, gates: list, bad_months: int) -> None:
    """Every gated KPI on the good side, except CSAT for the last `bad_months`."""
    for n in range(1, ISSUED_MONTHS_AGO + 1):
        report, _ = MetricReport.objects.get_or_create(
            business=business, association=association, period=_months_ago(n), defaults={"source": "demo"}
        )
        for gate in gates:
            rule = gate.rule
            good = rule.threshold + 8 if rule.higher_is_better else rule.threshold * Decimal("0.7")
            value = rule.threshold - 12 if rule.kpi == "csat" and n <= bad_months else good
            MetricValue.objects.update_or_create(report=report, kpi_id=gate.kpi_id, defaults={"value": value})


def seed_live(association: Association) -> None:
    standard = Standard.objects.get(association=association, name="Customer Service Excellence", version=1)
    gates = live.gates_of([standard.pk])[standard.pk]
    today = timezone.localdate()
    for number, bad_months, watched_days_ago in CASES:
        business = Membership.objects.get(association=association, member_number=number).business
        certificate = _certificate(association, business, standard)
        if certificate.surveillance_state != "active":
            continue  # seeded before
        _values(association, business, gates, bad_months)
        days = [today - datetime.timedelta(days=watched_days_ago)] if watched_days_ago else []
        for day in [*days, today]:
            certificate = Certificate.objects.select_related("application__standard").get(pk=certificate.pk)
            gate_list, _evaluations, decision = live.evaluate_certificate(certificate, today=day)
            if decision.changed:
                gates_by_kpi = {gate.rule.kpi: gate for gate in gate_list}
                live.record_decision(certificate, decision, gates=gates_by_kpi, today=day)
