"""The demo: one association with its programme, three member businesses and
a person in every role. It lives in `config` because it spans every app.
Running it twice changes nothing: rows are found by their natural keys and
created only when missing."""

from dataclasses import dataclass
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from associations.models import (
    Association,
    CertificationLevel,
    CodeOfConduct,
    Criterion,
    Dimension,
    KpiDefinition,
    KpiSource,
    PublicationStatus,
    StaffMembership,
    StaffRole,
    Standard,
)
from members.models import (
    AuditorMembership,
    AuditorProfile,
    Business,
    BusinessRole,
    BusinessUser,
    Membership,
    User,
)

from .demo_activity import seed_activity
from .demo_complaints import seed_complaints
from .demo_findings import seed_findings
from .demo_languages import translate_programme
from .demo_live import seed_live
from .demo_voice import seed_voice
from .demo_workbench import seed_workbench

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - printed for the demo on purpose


@dataclass(frozen=True)
class DemoLogin:
    email: str
    roles: str
    lands_on: str


CODE_OF_CONDUCT = """\
1. Honesty. Members describe their services, prices and delivery times truthfully and put every \
promise to a customer in writing when asked.
2. Fair dealing. Members publish their terms, charge only what was agreed and refund promptly when \
a service is not delivered.
3. Complaints. Members acknowledge every complaint within one working day, resolve it within \
fourteen days, and tell the customer how to escalate to the Association.
4. Privacy. Members collect only the customer data they need, keep it secure and never sell it.
5. Competence. Members employ trained staff and keep records of that training.
6. Respect. Members serve every customer courteously, in Urdu or English as the customer prefers, \
without discrimination.
7. Cooperation. Members answer the Association's auditors fully and on time and accept the \
outcome of its disciplinary process."""

# (name, code, unit, higher is better, min, max, reported with a sample size)
KPIS = [
    ("Customer satisfaction (CSAT)", "csat", "%", True, 0, 100, True),
    ("Net promoter score (NPS)", "nps", "points", True, -100, 100, True),
    ("First-contact resolution", "fcr", "%", True, 0, 100, False),
    ("Median first response time", "first_response_hours", "hours", False, 0, 720, False),
    ("Average resolution time", "resolution_hours", "hours", False, 0, 2160, False),
]

# (code, dimension, weight, text, guidance, KPI gate code, KPI threshold)
CRITERIA = [
    (
        "REL-1",
        Dimension.RELIABILITY,
        "1.50",
        "Services are delivered as promised, on the date and at the price agreed with the customer.",
        "Sample ten recent orders; compare the promised and actual delivery dates and prices.",
        None,
        None,
    ),
    (
        "REL-2",
        Dimension.RELIABILITY,
        "1.00",
        "The business keeps accurate records of every customer order and its outcome.",
        "Check that records exist for the sampled orders and match the customer's account.",
        None,
        None,
    ),
    (
        "REL-3",
        Dimension.RELIABILITY,
        "1.50",
        "Customers are satisfied with the service they received.",
        "Review the survey method and sample size behind the reported CSAT.",
        "csat",
        "80",
    ),
    (
        "REL-4",
        Dimension.RELIABILITY,
        "1.00",
        "Problems are put right the first time the customer raises them.",
        "Compare the first-contact resolution figure with a sample of closed tickets.",
        "fcr",
        "70",
    ),
    (
        "RSP-1",
        Dimension.RESPONSIVENESS,
        "1.50",
        "Customer enquiries receive a first response quickly on every channel.",
        "Test the phone line and the email address; check the ticket system's timestamps.",
        "first_response_hours",
        "24",
    ),
    (
        "RSP-2",
        Dimension.RESPONSIVENESS,
        "1.00",
        "Complaints are resolved within the published time limit.",
        "Check the complaints log against the fourteen-day limit in the code of conduct.",
        "resolution_hours",
        "336",
    ),
    (
        "RSP-3",
        Dimension.RESPONSIVENESS,
        "1.00",
        "Customers are told in advance when a service will be late, with a new date.",
        "Look for written notices of delay in the sampled orders.",
        None,
        None,
    ),
    (
        "RSP-4",
        Dimension.RESPONSIVENESS,
        "0.50",
        "Opening hours and contact channels are published and kept up to date.",
        "Compare the website and shop signage with actual hours.",
        None,
        None,
    ),
    (
        "ASR-1",
        Dimension.ASSURANCE,
        "1.50",
        "Front-line staff are trained in the service and in complaint handling.",
        "Ask for training records for at least three front-line staff members.",
        None,
        None,
    ),
    (
        "ASR-2",
        Dimension.ASSURANCE,
        "1.00",
        "The business holds every licence and registration its service requires.",
        "See the originals or certified copies; note expiry dates.",
        None,
        None,
    ),
    (
        "ASR-3",
        Dimension.ASSURANCE,
        "1.00",
        "Customer data is collected only as needed and kept secure.",
        "Ask who can see customer data and how access is controlled.",
        None,
        None,
    ),
    (
        "ASR-4",
        Dimension.ASSURANCE,
        "1.00",
        "Customers would recommend the business to others.",
        "Review how the NPS survey is run and who is asked.",
        "nps",
        "20",
    ),
    (
        "EMP-1",
        Dimension.EMPATHY,
        "1.00",
        "Customers are served in the language they prefer (Urdu or English at least).",
        "Observe a service interaction or listen to recorded calls.",
        None,
        None,
    ),
    (
        "EMP-2",
        Dimension.EMPATHY,
        "1.00",
        "Services are accessible to elderly and disabled customers.",
        "Check step-free access, seating, and an alternative to online-only channels.",
        None,
        None,
    ),
    (
        "EMP-3",
        Dimension.EMPATHY,
        "1.00",
        "Staff take time to understand each customer's particular needs.",
        "Interview two customers from the sample about their experience.",
        None,
        None,
    ),
    (
        "EMP-4",
        Dimension.EMPATHY,
        "0.50",
        "Customer feedback is collected regularly and acted upon.",
        "Ask for the last three changes made because of customer feedback.",
        None,
        None,
    ),
    (
        "TAN-1",
        Dimension.TANGIBLES,
        "1.00",
        "Premises where customers are served are clean, safe and well lit.",
        "Visit the main customer-facing site; photograph the waiting area.",
        None,
        None,
    ),
    (
        "TAN-2",
        Dimension.TANGIBLES,
        "0.50",
        "Staff are identifiable by name badge or uniform.",
        "Observe on the visit.",
        None,
        None,
    ),
    (
        "TAN-3",
        Dimension.TANGIBLES,
        "1.00",
        "Written terms, prices and receipts are clear and given to every customer.",
        "Collect a sample receipt and the printed or online terms.",
        None,
        None,
    ),
    (
        "TAN-4",
        Dimension.TANGIBLES,
        "0.50",
        "The website or app gives accurate service information and works on a phone.",
        "Open the site on a phone and check prices and contact details.",
        None,
        None,
    ),
]

LEVELS = [("Bronze", 60), ("Silver", 75), ("Gold", 90)]

# (name, legal name, city, member number, owner email, owner name)
BUSINESSES = [
    (
        "Shalimar Telecom Services",
        "Shalimar Telecom Services (Pvt) Ltd",
        "Lahore",
        "PSA-0001",
        "owner@shalimar-telecom.example.org",
        "Ayesha Siddiqui",
    ),
    (
        "Indus Courier Company",
        "Indus Courier Company (Pvt) Ltd",
        "Karachi",
        "PSA-0002",
        "owner@indus-courier.example.org",
        "Imran Qureshi",
    ),
    (
        "Ravi Home Appliance Care",
        "Ravi Home Appliance Care",
        "Lahore",
        "PSA-0003",
        "owner@ravi-care.example.org",
        "Bilal Ahmed",
    ),
]


def _user(email: str, name: str, language: str = "en") -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD, name=name, language=language)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _association() -> Association:
    association, _created = Association.objects.get_or_create(
        slug="psa",
        defaults={
            "name": "Pakistan Service Association",
            "country": "PK",
            "certificate_prefix": "PSA",
            "languages": ["en", "ur", "bn"],
            "default_language": "en",
            "brand_colour": "#0b6e4f",
        },
    )
    return association


def _programme(association: Association) -> None:
    now = timezone.now()
    CodeOfConduct.objects.get_or_create(
        association=association,
        version=1,
        defaults={
            "title": "Code of Conduct for Member Businesses",
            "body": CODE_OF_CONDUCT,
            "status": PublicationStatus.PUBLISHED,
            "published_at": now,
        },
    )
    kpis = {}
    for order, (name, code, unit, higher, low, high, sampled) in enumerate(KPIS, start=1):
        kpis[code], _created = KpiDefinition.objects.get_or_create(
            association=association,
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "higher_is_better": higher,
                "min_value": low,
                "max_value": high,
                "has_sample_size": sampled,
                "order": order,
            },
        )
    standard, created = Standard.objects.get_or_create(
        association=association,
        name="Customer Service Excellence",
        version=1,
        defaults={
            "description": "How well a member business serves its customers, measured across the "
            "five SERVQUAL dimensions and its service KPIs.",
            "status": PublicationStatus.PUBLISHED,
            "published_at": now,
        },
    )
    if created:
        Criterion.objects.bulk_create(
            Criterion(
                standard=standard,
                order=order,
                code=code,
                dimension=dimension,
                weight=Decimal(weight),
                max_score=5,
                text=text,
                guidance=guidance,
                evidence_required=kpi is None,
                kpi=kpis[kpi] if kpi else None,
                kpi_threshold=Decimal(threshold) if threshold else None,
                # The demo's gates read what businesses report (surveillance's demo, config/demo_live.py,
                # tells that story); what customers' answers compute shows on the Customer voice page.
                kpi_source=KpiSource.REPORTED if kpi else "",
            )
            for order, (code, dimension, weight, text, guidance, kpi, threshold) in enumerate(CRITERIA, 1)
        )
    for name, min_score in LEVELS:
        CertificationLevel.objects.get_or_create(
            association=association, name=name, defaults={"min_score": min_score}
        )


def _people(association: Association) -> list[DemoLogin]:
    logins = []
    for name, legal_name, city, number, email, owner_name in BUSINESSES:
        business = Business.objects.filter(
            memberships__association=association, memberships__member_number=number
        ).first()
        if business is None:
            business = Business.objects.create(name=name, legal_name=legal_name, city=city, country="PK")
            Membership.objects.create(association=association, business=business, member_number=number)
        # One owner prefers Urdu, to show the portal right to left.
        owner = _user(email, owner_name, language="ur" if number == "PSA-0002" else "en")
        BusinessUser.objects.get_or_create(
            business=business, user=owner, association=association, defaults={"role": BusinessRole.OWNER}
        )
        logins.append(DemoLogin(email, f"owner of {name}", "/portal/"))

    staff = [
        ("admin@psa.example.org", "Sana Malik", StaffRole.ADMIN),
        ("viewer@psa.example.org", "Hamza Farooq", StaffRole.VIEWER),
        ("officer@psa.example.org", "Nadia Hussain", StaffRole.OFFICER),
    ]
    for email, name, role in staff:
        user = _user(email, name)
        StaffMembership.objects.get_or_create(association=association, user=user, defaults={"role": role})
    logins += [
        DemoLogin("admin@psa.example.org", "staff admin", "/admin/"),
        DemoLogin("viewer@psa.example.org", "staff viewer (read only)", "/admin/"),
    ]

    for email, name in [("auditor@psa.example.org", "Usman Tariq"), ("officer@psa.example.org", "")]:
        profile, _created = AuditorProfile.objects.get_or_create(
            user=_user(email, name), defaults={"expertise": "Telecoms and logistics customer service"}
        )
        AuditorMembership.objects.get_or_create(auditor=profile, association=association)
    logins += [
        DemoLogin("auditor@psa.example.org", "auditor", "/audit/"),
        DemoLogin("officer@psa.example.org", "staff officer and auditor", "/choose/"),
    ]
    return logins


class DemoRefused(Exception):
    pass


@transaction.atomic
def seed_demo(*, force: bool = False) -> list[DemoLogin]:
    """Create what is missing of the demo; return the demo logins. The demo
    people share a published password, so outside development (DEBUG off)
    it runs only when forced."""
    if not settings.DEBUG and not force:
        raise DemoRefused(
            "DEBUG is off: this looks like production, and the demo logins share a published "
            "password. Run with --force if you really want the demo here."
        )
    # The demo is written in English; its Urdu and Bengali go in last.
    with translation.override("en"):
        association = _association()
        _programme(association)
        logins = _people(association)
        seed_activity(association)
        seed_workbench(association)
        seed_findings(association)
        seed_live(association)
        seed_voice(association)
        seed_complaints(association)
        translate_programme(association)
    return logins


def format_logins(logins: list[DemoLogin]) -> str:
    rows = [("email", "role", "lands on"), *((d.email, d.roles, d.lands_on) for d in logins)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join([*lines, "", f"Password for every demo login: {DEMO_PASSWORD}"])
