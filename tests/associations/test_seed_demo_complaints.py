"""The demo has complaints at every stage for two businesses."""

import pytest

from certification.models import Complaint, ComplaintStatus
from config.demo import seed_demo


@pytest.fixture(autouse=True)
def _development(settings):
    settings.DEBUG = True


def test_seed_demo_has_complaints_at_every_stage_for_two_businesses(db):
    seed_demo()
    seed_demo()

    per_business = {}
    for name, status in Complaint.objects.values_list("business__name", "status"):
        per_business.setdefault(name, set()).add(status)
    assert sorted(per_business) == ["Indus Courier Company", "Shalimar Telecom Services"]
    # "verified" passes at once: confirming sends the complaint to the business.
    stages = set(ComplaintStatus.values) - {ComplaintStatus.VERIFIED}
    assert all(statuses == stages for statuses in per_business.values())
    assert Complaint.objects.count() == 20
    assert set(Complaint.objects.exclude(outcome="").values_list("outcome", flat=True)) == {
        "upheld",
        "not_upheld",
    }
