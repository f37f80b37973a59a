"""The complaint record against a hand-made record, the peer comparison
(k >= 5), and where it is shown (the portal, beside the scoring form)."""

import datetime
from decimal import Decimal

from django.urls import reverse

from certification.complaints import records
from certification.complaints.records import Row, peer_quartile, record_of
from tests import factories as f
from tests.audits.scenario import build

NOW = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def _row(
    issue="delay", status="with_business", outcome="", answered=None, due=NOW + DAY, forwarded=NOW - DAY
):
    return Row(
        business_id=1,
        issue=issue,
        status=status,
        outcome=outcome,
        answered_at=answered,
        answer_by=due,
        forwarded_at=forwarded,
    )


def test_record_of_a_hand_made_year():
    rows = [
        # answered in time, accepted
        _row(status="resolved", answered=NOW - 5 * DAY, due=NOW - 2 * DAY),
        # answered late, escalated, upheld
        _row(issue="billing", status="closed", outcome="upheld", answered=NOW - DAY, due=NOW - 3 * DAY),
        # never answered, deadline passed
        _row(issue="billing", due=NOW - DAY),
        # still within its deadline: not due yet
        _row(issue="quality"),
        # settled in mediation, answered in time
        _row(status="closed", outcome="settled", answered=NOW - 9 * DAY, due=NOW - 8 * DAY),
        # withdrawn before the business saw it: counts as received only
        _row(issue="conduct", status="withdrawn", forwarded=None, due=None),
    ]

    record = record_of(rows, now=NOW)

    assert record.received == 6
    assert record.answered_in_time == Decimal("50.0")  # 2 of the 4 due
    assert record.resolved == Decimal("40.0")  # resolved + settled, of 5 the business got
    assert record.upheld == 1
    assert record.repeats == 2  # a second "delay" and a second "billing"


def test_nothing_due_has_no_share():
    record = record_of([], now=NOW)

    assert (record.received, record.answered_in_time, record.resolved) == (0, None, None)


def test_peer_quartile_needs_five_peers():
    assert peer_quartile(Decimal("90"), [Decimal("50")] * 4) is None
    assert peer_quartile(Decimal("90"), [Decimal("50")] * 5) == 1
    assert peer_quartile(Decimal("10"), [Decimal("50")] * 5) == 4
    assert peer_quartile(None, [Decimal("50")] * 5) is None


def test_auditor_sees_the_record_beside_the_scoring_form(two_associations, client_for):
    s = build(two_associations, criteria=3, business=f.BusinessFactory())

    page = client_for("auditor").get(reverse("audits:score", args=[s.application.pk])).content.decode()

    assert 'data-testid="complaint-record"' in page
    assert 'data-testid="record-received">0<' in page


def test_complaint_record_reads_in_one_query(two_associations, django_assert_num_queries):
    with django_assert_num_queries(1):
        result = records.complaint_record(two_associations.business_a.pk, two_associations.a.pk)

    assert result["record"].received == 0
    assert result["quartile"] is None
