"""Staff mediate in the admin: only their association's complaints, and
only staff with a deciding role act."""

import datetime

import pytest
from django.urls import reverse

from certification.complaints import services
from certification.models import Complaint
from tests import factories as f

FIELDS = {
    "customer_name": "Sana Iqbal",
    "customer_email": "sana@example.net",
    "issue": "delay",
    "happened_on": datetime.date(2026, 2, 20),
    "description": "The courier never came.",
    "wanted": "refund",
}


@pytest.fixture
def escalated(two_associations):
    certificate = f.CertificateFactory(
        application=f.ApprovedApplicationFactory(
            association=two_associations.a, business=two_associations.business_a
        )
    )
    complaint = services.verify_complaint(services.file_complaint(certificate, fields=FIELDS, language="en"))
    complaint = services.answer_complaint(complaint, actor=two_associations.business_user_a, answer="No.")
    return services.escalate_complaint(complaint, reply="Please mediate.")


CHANGELIST = reverse("admin:certification_complaint_changelist")


def test_staff_mediate_and_uphold_in_the_admin(client_for, escalated):
    client = client_for("staff_admin_a")

    client.post(CHANGELIST, {"action": "mediate", "_selected_action": [escalated.pk]})
    client.post(
        CHANGELIST,
        {
            "action": "close",
            "_selected_action": [escalated.pk],
            "apply": "1",
            "outcome": "upheld",
            "note": "Refund in full.",
            "honour_by": "2026-04-01",
        },
    )

    complaint = Complaint.objects.get(pk=escalated.pk)
    assert (complaint.status, complaint.outcome, complaint.honour_by) == (
        "closed",
        "upheld",
        datetime.date(2026, 4, 1),
    )


def test_staff_see_contact_details_of_their_associations_complaints_only(client_for, escalated):
    change = reverse("admin:certification_complaint_change", args=[escalated.pk])

    own = client_for("staff_admin_a").get(change)
    other = client_for("staff_b").get(change)

    assert own.status_code == 200 and b"sana@example.net" in own.content
    assert other.status_code == 404
    assert b"sana@example.net" not in client_for("staff_b").get(CHANGELIST).content


def test_a_viewer_cannot_mediate(client_for, escalated):
    client_for("staff_viewer_a").post(CHANGELIST, {"action": "mediate", "_selected_action": [escalated.pk]})

    assert Complaint.objects.get(pk=escalated.pk).status == "escalated"
