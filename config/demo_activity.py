"""What makes the demo look lived-in: a year of service metrics for six
member businesses (enough for peer quartiles), one certified business, one
application waiting for its auditor and one draft. Everything goes through
the services a person would use, so the demo obeys every rule. Each part
runs only when its rows are missing, so seeding twice changes nothing."""

import datetime
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from associations.models import Association, Criterion, Standard
from audits import services as audits
from certification import services as certification
from certification.models import Application
from members.metrics.reports import record_metric_reports
from members.metrics.values import clean_reports, kpis_by_code
from members.models import AuditorProfile, Business, Membership, MetricReport, User

# (name, city, member number): members without a portal login, reporting through the API
MORE_BUSINESSES = [
    ("Margalla Internet", "Islamabad", "PSA-0004"),
    ("Sindh Water Services", "Hyderabad", "PSA-0005"),
    ("Khyber Travel Desk", "Peshawar", "PSA-0006"),
]

# A minimal valid PDF, the evidence every demo criterion gets.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _months(count: int) -> list[datetime.date]:
    first = timezone.localdate().replace(day=1)
    months = []
    for _ in range(count):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
        months.append(first)
    return sorted(months)


def _metrics(association: Association, business: Business, seed: int, actor) -> None:
    if MetricReport.objects.filter(business=business, association=association).exists():
        return
    rng = random.Random(seed)
    quality = rng.uniform(0.0, 1.0)  # some businesses are simply better than others
    reports = {}
    for step, month in enumerate(_months(12)):
        trend = step / 12
        reports[month] = {
            "csat": (
                Decimal(f"{70 + 20 * quality + 4 * trend + rng.uniform(-3, 3):.1f}"),
                rng.randint(80, 400),
            ),
            "nps": (
                Decimal(f"{5 + 40 * quality + 5 * trend + rng.uniform(-6, 6):.0f}"),
                rng.randint(60, 300),
            ),
            "fcr": (Decimal(f"{60 + 25 * quality + rng.uniform(-4, 4):.1f}"), None),
            "first_response_hours": (Decimal(f"{30 - 22 * quality + rng.uniform(-2, 2):.1f}"), None),
            "resolution_hours": (Decimal(f"{200 - 120 * quality + rng.uniform(-20, 20):.0f}"), None),
        }
    record_metric_reports(
        business,
        association=association,
        reports=clean_reports(reports, kpis_by_code(association)),
        actor=actor,
        source="demo",
    )


def _evidence_for_every_criterion(application: Application, owner) -> None:
    for criterion in Criterion.objects.filter(standard=application.standard, evidence_required=True):
        certification.attach_evidence(
            application,
            criterion=criterion,
            file=SimpleUploadedFile(f"{criterion.code.lower()}-evidence.pdf", DEMO_PDF, "application/pdf"),
            actor=owner,
            description="Policy document and last quarter's records",
        )


def _open_application(business: Business, standard: Standard) -> Application | None:
    return Application.objects.filter(business=business, standard=standard).first()


def _certified(business: Business, standard: Standard, owner, auditor: AuditorProfile, admin) -> None:
    """Apply, submit, audit and approve: the worker then issues the certificate."""
    if _open_application(business, standard):
        return
    application = certification.create_application(business, standard=standard, actor=owner)
    _evidence_for_every_criterion(application, owner)
    certification.submit_application(application, actor=owner)
    assignment = audits.assign_auditor(
        application, auditor=auditor, due_date=timezone.localdate() + datetime.timedelta(days=14), actor=admin
    )
    audits.declare_no_conflict(assignment, actor=auditor.user)
    criteria = Criterion.objects.filter(standard=standard)
    entries = {c.pk: (4 if c.order % 3 else 5, "Evidence reviewed on site.") for c in criteria}
    audits.save_scores(assignment, actor=auditor.user, entries=entries, submit=True)
    application.refresh_from_db()
    audits.approve(application, actor=admin, level=application.level_reached)


def _waiting_for_auditor(
    business: Business, standard: Standard, owner, auditor: AuditorProfile, admin
) -> None:
    if _open_application(business, standard):
        return
    application = certification.create_application(business, standard=standard, actor=owner)
    _evidence_for_every_criterion(application, owner)
    certification.submit_application(application, actor=owner)
    audits.assign_auditor(
        application, auditor=auditor, due_date=timezone.localdate() + datetime.timedelta(days=10), actor=admin
    )


def _draft(business: Business, standard: Standard, owner) -> None:
    if not _open_application(business, standard):
        certification.create_application(business, standard=standard, actor=owner)


@transaction.atomic
def seed_activity(association: Association) -> None:
    standard = Standard.objects.get(association=association, name="Customer Service Excellence", version=1)
    admin = User.objects.get(email="admin@psa.example.org")
    auditor = AuditorProfile.objects.get(user__email="auditor@psa.example.org")
    for name, city, number in MORE_BUSINESSES:
        if not Membership.objects.filter(association=association, member_number=number).exists():
            business = Business.objects.create(name=name, city=city, country="PK")
            Membership.objects.create(association=association, business=business, member_number=number)
    members = (
        Membership.objects.filter(association=association)
        .select_related("business")
        .order_by("member_number")
    )
    for seed, membership in enumerate(members):
        _metrics(association, membership.business, seed, actor=admin)

    def owner_of(number: str):
        business = Business.objects.get(
            memberships__association=association, memberships__member_number=number
        )
        return business, business.users.get().user

    indus, indus_owner = owner_of("PSA-0002")
    _certified(indus, standard, indus_owner, auditor, admin)
    shalimar, shalimar_owner = owner_of("PSA-0001")
    _waiting_for_auditor(shalimar, standard, shalimar_owner, auditor, admin)
    ravi, ravi_owner = owner_of("PSA-0003")
    _draft(ravi, standard, ravi_owner)
