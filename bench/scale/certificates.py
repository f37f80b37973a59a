"""Certificates, the approved applications behind them, and the renewal
reminders already sent."""

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from .plan import (
    ACTIVE_PAST_DATE,
    CERTIFICATE_FILE,
    CERTIFICATE_STATUSES,
    REMINDER_OFFSETS,
    VALIDITY_MONTHS,
    add_months,
    scaled,
)

if TYPE_CHECKING:
    from .seeder import Seeder


def result_scores(quality: float, rng) -> tuple[Decimal, dict[str, str]]:
    overall = min(99.0, 60 + 38 * quality + rng.uniform(-3, 3))
    overall = max(60.0, overall)
    dimensions = {
        d: f"{max(40.0, min(100.0, overall + rng.uniform(-8, 8))):.2f}"
        for d in ("reliability", "responsiveness", "assurance", "empathy", "tangibles")
    }
    return Decimal(f"{overall:.2f}"), dimensions


def _valid_until(s: "Seeder", status: str) -> datetime.date:
    """Spread over three years: a year back to two years ahead."""
    rng, today = s.rng, s.today
    if status in ("active", "suspended"):  # the nightly job expires both past their date
        if rng.random() < ACTIVE_PAST_DATE:
            return today - datetime.timedelta(days=rng.randint(1, 7))
        return today + datetime.timedelta(days=rng.randint(0, 730))
    if status == "expired":
        return today - datetime.timedelta(days=rng.randint(1, 365))
    return today + datetime.timedelta(days=rng.randint(-365, 730))


def certificates(s: "Seeder") -> str:
    M, rng = s.M, s.rng
    count = scaled("certificates", s.scale, 10)
    active_pairs = [p for p in s.pairs if p.active]
    # Some businesses hold many more certificates than others.
    weights = [0.3 + 2 * s.business_quality[p.business] for p in active_pairs]
    statuses = [s for s, _share in CERTIFICATE_STATUSES]
    status_weights = [share for _s, share in CERTIFICATE_STATUSES]
    status_weights.append(1 - sum(status_weights))
    statuses.append("active")
    planned = []
    for pair in rng.choices(active_pairs, weights=weights, k=count):
        status = rng.choices(statuses, weights=status_weights)[0]
        valid_until = _valid_until(s, status)
        valid_from = add_months(valid_until, -VALIDITY_MONTHS)
        issued_at = s.at(valid_from)
        if issued_at > s.now:
            issued_at = s.now - datetime.timedelta(minutes=rng.randint(5, 300))
        planned.append((issued_at, pair, status, valid_from, valid_until))
    planned.sort(key=lambda row: (row[0], row[1].business))

    applications, certificates = [], []
    s.sequence = defaultdict(int)  # (association, year) -> last number
    s.latest_certificate = {}  # (business, association) -> (id, status, valid_until)
    s.active_certificates = []  # (id, association id, valid_until)
    # The most recent few have no PDF or email yet: the sweep's work.
    unrendered = max(1, count // 5000)
    for n, (issued_at, pair, status, valid_from, valid_until) in enumerate(planned):
        a = pair.association
        quality = s.business_quality[pair.business]
        overall, dimensions = result_scores(quality, rng)
        level = next(lv for lv in a.levels if overall >= lv[0])
        created = issued_at - datetime.timedelta(days=rng.randint(30, 120), hours=rng.randint(0, 8))
        submitted = created + datetime.timedelta(days=rng.randint(1, 20))
        application_id = s.ids("application")
        decided = issued_at - datetime.timedelta(minutes=rng.randint(1, 30))
        applications.append(
            {
                "id": application_id,
                "business_id": pair.business,
                "association_id": a.id,
                "standard_id": a.standard_id,
                "status": "approved",
                "created_by_id": s.owner_of[pair.business],
                "created_at": created,
                "submitted_at": submitted,
                "decided_at": decided,
                "decided_by_id": a.staff[rng.choice(("admin", "officer"))],
                "issuance_queued_at": decided,
                "level_id": level[1],
                "overall_score": overall,
                "dimension_scores": dimensions,
                "level_reached_id": level[1],
                "decision_reason": "",
            }
        )
        s.sequence[(a.id, valid_from.year)] += 1
        certificate_id = s.ids("certificate")
        rendered = n < count - unrendered
        reason = {
            "suspended": "Complaints under investigation by the association.",
            "revoked": "Repeated breaches of the code of conduct.",
        }.get(status, "")
        certificates.append(
            {
                "id": certificate_id,
                "application_id": application_id,
                "association_id": a.id,
                "business_id": pair.business,
                "number": f"{a.prefix}-{valid_from.year}-{s.sequence[(a.id, valid_from.year)]:06d}",
                "verification_token": s.token(),
                "status": status,
                "status_reason": reason,
                "language": "en",
                "holder_name": s.business_names[pair.business],
                "holder_city": s.business_city[pair.business],
                "association_name": a.name,
                "standard_name": "Customer Service Excellence",
                "standard_version": 1,
                "level_name": level[2],
                "overall_score": overall,
                "dimension_scores": dimensions,
                "issued_at": issued_at,
                "valid_from": valid_from,
                "valid_until": valid_until,
                "pdf": CERTIFICATE_FILE if rendered else "",
                "pdf_sha256": s.pdf_sha256 if rendered else "",
                "verification_count": rng.randint(0, 40),
                "issued_email_recorded_at": issued_at + datetime.timedelta(minutes=2) if rendered else None,
            }
        )
        s.latest_certificate[(pair.business, a.id)] = (certificate_id, status, valid_until)
        if status == "active":
            s.active_certificates.append((certificate_id, a.id, valid_until))
        s.log(
            4,
            issued_at - datetime.timedelta(minutes=1),
            a.id,
            s.ct.application,
            application_id,
            "application.approve",
            applications[-1]["decided_by_id"],
            {"from": "scored", "to": "approved", "reason": "", "level": level[2]},
        )
        s.log(
            5,
            issued_at,
            a.id,
            s.ct.certificate,
            certificate_id,
            "certificate.created",
            None,
            {"number": certificates[-1]["number"], "application": application_id},
        )
        if status in ("suspended", "revoked"):
            action = "suspend" if status == "suspended" else "revoke"
            s.log(
                2,
                min(s.now, issued_at + datetime.timedelta(days=rng.randint(30, 300))),
                a.id,
                s.ct.certificate,
                certificate_id,
                f"certificate.{action}",
                a.staff["admin"],
                {"from": "active", "to": status, "reason": reason},
            )
    s.w.insert(M.Application, applications)
    s.w.insert(M.Certificate, certificates)
    by_status = defaultdict(int)
    for c in certificates:
        by_status[c["status"]] += 1
    return ", ".join(f"{s} {n:,}" for s, n in sorted(by_status.items()))


def reminders(s: "Seeder") -> str:
    """Reminders recorded (their emails in the outbox) for the offsets a
    certificate has passed; the current one recorded for most, queued long
    ago and not recorded for a few (the sweep queues them again), and with
    no row yet for the rest (the daily job's work)."""
    rng, rows, lapsed, missing = s.rng, [], 0, 0
    for certificate_id, _association, valid_until in s.active_certificates:
        days_left = (valid_until - s.today).days
        reached = sorted(o for o in REMINDER_OFFSETS if 0 <= days_left <= o)
        if not reached:
            continue
        current, earlier = reached[0], reached[1:]
        for offset in earlier:
            sent = s.at(valid_until - datetime.timedelta(days=offset), rng=rng)
            rows.append(
                {
                    "id": s.ids("reminder"),
                    "certificate_id": certificate_id,
                    "offset_days": offset,
                    "queued_at": sent,
                    "recorded_at": sent,
                }
            )
        fate = rng.random()
        queued = min(s.now, s.at(valid_until - datetime.timedelta(days=current), rng=rng))
        if fate < 0.75:
            rows.append(
                {
                    "id": s.ids("reminder"),
                    "certificate_id": certificate_id,
                    "offset_days": current,
                    "queued_at": queued,
                    "recorded_at": queued,
                }
            )
        elif fate < 0.80:
            rows.append(
                {
                    "id": s.ids("reminder"),
                    "certificate_id": certificate_id,
                    "offset_days": current,
                    "queued_at": queued,
                    "recorded_at": None,
                }
            )
            lapsed += 1
        else:
            missing += 1
    s.w.insert(s.M.ReminderSent, rows)
    return f"{len(rows):,} rows, {lapsed:,} queued and not recorded, {missing:,} due with no row yet"
