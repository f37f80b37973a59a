"""A business's complaint record over the last 12 months: pure functions on
plain rows (`record_of`, `peer_quartile`) and one read that feeds them with
a fixed number of queries (`complaint_record`). Shown to the business in
the portal and to the auditor beside the scoring form; the KPI values and
gates built on it come later (the lead wires them to members' metrics).

Definitions, over confirmed complaints received in the window:

- received: how many. (Per size band: associations define no size bands
  for businesses yet; the count is the raw number until they do.)
- answered in time: of those whose answer was due (answered, or past the
  code of conduct's deadline), the share answered by the deadline.
- resolved: of those the business got and the customer did not withdraw,
  the share resolved (the customer accepted) or settled in mediation.
- upheld: how many were upheld after mediation.
- repeats: complaints about an issue already complained about in the
  window (the second and later of each issue).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from ..models import Complaint, ComplaintStatus, MediationOutcome

WINDOW = datetime.timedelta(days=365)
MIN_PEERS = 5


@dataclass(frozen=True)
class Row:
    business_id: int
    issue: str
    status: str
    outcome: str
    answered_at: datetime.datetime | None
    answer_by: datetime.datetime | None
    forwarded_at: datetime.datetime | None


@dataclass(frozen=True)
class Record:
    received: int
    answered_in_time: Decimal | None  # a percentage; None when nothing was due
    resolved: Decimal | None
    upheld: int
    repeats: int


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def record_of(rows: list[Row], *, now: datetime.datetime) -> Record:
    """The record of one business's confirmed complaints of the window."""
    due = [r for r in rows if r.answered_at or (r.answer_by and r.answer_by < now)]
    in_time = [r for r in due if r.answered_at and r.answer_by and r.answered_at <= r.answer_by]
    handled = [r for r in rows if r.forwarded_at and r.status != ComplaintStatus.WITHDRAWN]
    resolved = [
        r for r in handled if r.status == ComplaintStatus.RESOLVED or r.outcome == MediationOutcome.SETTLED
    ]
    per_issue: dict[str, int] = defaultdict(int)
    for r in rows:
        per_issue[r.issue] += 1
    return Record(
        received=len(rows),
        answered_in_time=_share(len(in_time), len(due)),
        resolved=_share(len(resolved), len(handled)),
        upheld=sum(r.outcome == MediationOutcome.UPHELD for r in rows),
        repeats=sum(n - 1 for n in per_issue.values()),
    )


def peer_quartile(own: Decimal | None, peers: list[Decimal]) -> int | None:
    """Which quarter (1 = best) of its peers' answered-in-time shares the
    business is in; None with fewer than MIN_PEERS peers (or no share)."""
    if own is None or len(peers) < MIN_PEERS:
        return None
    better = sum(p > own for p in peers)
    return min(4, 1 + (4 * better) // len(peers))


def complaint_record(business_id: int, association_id: int, *, now: datetime.datetime | None = None) -> dict:
    """The business's record in the association and where it stands among
    the association's other members with complaints: one query, however
    many complaints or members there are. The caller has checked that the
    user may see this business's affairs in the association."""
    now = now or timezone.now()
    rows = [
        Row(**values)
        for values in Complaint.objects.confirmed()
        .filter(association_id=association_id, received_at__gte=now - WINDOW)
        .values("business_id", "issue", "status", "outcome", "answered_at", "answer_by", "forwarded_at")
    ]
    by_business: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        by_business[row.business_id].append(row)
    record = record_of(by_business.get(business_id, []), now=now)
    peers = [
        share
        for other, its_rows in by_business.items()
        if other != business_id and (share := record_of(its_rows, now=now).answered_in_time) is not None
    ]
    return {
        "record": record,
        "peers": len(peers),
        "quartile": peer_quartile(record.answered_in_time, peers),
        "min_peers": MIN_PEERS,
    }
