"""Demo complaints: for two member businesses, one complaint at every stage
of the code of conduct's process, each taken there through the services a
customer, the business and staff would use. Runs only when the business
has no complaints yet, so seeding twice changes nothing."""

import datetime

from django.utils import timezone

from associations.models import Association
from certification.complaints import services
from certification.models import Complaint
from members.models import Membership, User

# (member number, its owner's login)
BUSINESSES = [
    ("PSA-0002", "owner@indus-courier.example.org"),
    ("PSA-0001", "owner@shalimar-telecom.example.org"),
]
# The stage each demo complaint is taken to, in order.
STAGES = [
    "received",
    "with_business",
    "acknowledged",
    "answered",
    "resolved",
    "escalated",
    "mediated",
    "upheld",
    "not_upheld",
    "withdrawn",
]
CUSTOMERS = [
    ("Ayesha Khan", "ur", "delay", "The parcel arrived nine days late.", "refund"),
    ("Bilal Ahmed", "en", "billing", "I was charged twice for one delivery.", "refund"),
    ("Farhan Ali", "en", "quality", "The package was damaged on arrival.", "repair"),
    ("Nadia Hussain", "bn", "conduct", "The rider was rude at the door.", "apology"),
    ("Omar Sheikh", "en", "delay", "Nobody came in the promised slot.", "other"),
]


def seed_complaints(association: Association) -> None:
    staff = User.objects.get(email="admin@psa.example.org")
    for number, owner_email in BUSINESSES:
        membership = Membership.objects.get(association=association, member_number=number)
        if Complaint.objects.filter(business_id=membership.business_id).exists():
            continue
        owner = User.objects.get(email=owner_email)
        for n, stage in enumerate(STAGES):
            _complaint(membership, stage, n, owner=owner, staff=staff)


def _complaint(membership: Membership, stage: str, n: int, *, owner, staff) -> Complaint:
    name, language, issue, text, wanted = CUSTOMERS[n % len(CUSTOMERS)]
    slug = membership.member_number.lower()
    complaint = services.file_complaint(
        membership,
        fields={
            "customer_name": name,
            "customer_email": f"customer{n}.{slug}@example.net",
            "issue": issue,
            "happened_on": timezone.localdate() - datetime.timedelta(days=30 - n),
            "description": text,
            "wanted": wanted,
        },
        language=language,
    )
    if stage == "received":
        return complaint
    complaint = services.verify_complaint(complaint)
    if stage == "withdrawn":
        return services.withdraw_complaint(complaint)
    if stage == "with_business":
        return complaint
    complaint = services.acknowledge_complaint(complaint, actor=owner)
    if stage == "acknowledged":
        return complaint
    complaint = services.answer_complaint(
        complaint, actor=owner, answer="We are sorry. We will refund the delivery charge within a week."
    )
    if stage == "answered":
        return complaint
    if stage == "resolved":
        return services.accept_answer(complaint, reply="Thank you, that is fair.")
    complaint = services.escalate_complaint(complaint, reply="A week passed and no refund arrived.")
    if stage == "escalated":
        return complaint
    complaint = services.mediate_complaint(complaint, actor=staff)
    if stage == "mediated":
        return complaint
    if stage == "upheld":
        return services.close_complaint(
            complaint,
            actor=staff,
            outcome="upheld",
            note="Refund the full charge.",
            honour_by=timezone.localdate() + datetime.timedelta(days=14),
        )
    return services.close_complaint(complaint, actor=staff, outcome="not_upheld", note="")
