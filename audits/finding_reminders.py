"""The daily findings job: reminders to the business 14, 7 and 1 days
before a finding's due date and on the day, recorded once each (the
pattern of certification.reminders: one INSERT ... SELECT with ON CONFLICT,
then a set-based claim); and majors past their due date, handled once: the
undecided application is refused, a live certificate is proposed to staff
for suspension, naming the finding."""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import EDITING_ROLES, StaffMembership
from associations.services import log_action
from certification import services as certification
from certification.emails import queue_business_emails
from certification.models import ApplicationStatus, Certificate, CertificateStatus
from config.celery import REQUEUE_AFTER, stamp_queued
from members.emails import queue_email

from . import emails
from .models import UNRESOLVED, Finding, FindingGrade, FindingReminder, FindingStatus

OFFSETS = (0, 1, 7, 14)
# Waiting for the business's answer (an answered finding waits for the auditor).
REMINDED = (FindingStatus.OPEN, FindingStatus.RETURNED)


def _due_queryset(today: datetime.date):
    """(finding id, due date, offset) of the reminders due today: the
    smallest offset reached (a late run sends the nearest, not every missed one)."""
    whens, previous = [], -1
    for offset in OFFSETS:
        whens.append(
            When(
                due_date__gt=today + datetime.timedelta(days=previous),
                due_date__lte=today + datetime.timedelta(days=offset),
                then=Value(offset),
            )
        )
        previous = offset
    return (
        Finding.objects.filter(
            status__in=REMINDED,
            due_date__gte=today,
            due_date__lte=today + datetime.timedelta(days=max(OFFSETS)),
        )
        .annotate(due_offset=Case(*whens, default=None, output_field=IntegerField()))
        .exclude(
            Exists(
                FindingReminder.objects.filter(
                    finding=OuterRef("pk"), due_date=OuterRef("due_date"), offset_days=OuterRef("due_offset")
                )
            )
        )
        .values_list("pk", "due_date", "due_offset")
    )


def record_due_reminders(*, today: datetime.date | None = None) -> None:
    """One INSERT ... SELECT; ON CONFLICT keeps the row a concurrent run inserted first."""
    select, params = _due_queryset(today or timezone.localdate()).order_by().query.sql_with_params()
    quote = connection.ops.quote_name
    meta = FindingReminder._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in ("finding", "due_date", "offset_days"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) {select} ON CONFLICT DO NOTHING", params
        )


def claim_due_reminders(*, today: datetime.date | None = None, limit: int = 10_000) -> list[int]:
    record_due_reminders(today=today)
    now = timezone.now()
    return stamp_queued(
        FindingReminder.objects.filter(recorded_at=None).filter(
            Q(queued_at=None) | Q(queued_at__lt=now - REQUEUE_AFTER)
        ),
        now=now,
        limit=limit,
    )


@transaction.atomic
def record_finding_reminder(reminder_id: int) -> bool:
    """Record the reminder's emails once: the row is marked in the same
    transaction. A finding answered (or its due date moved) since gets none."""
    if not FindingReminder.objects.filter(pk=reminder_id, recorded_at=None).update(
        recorded_at=timezone.now()
    ):
        return False
    reminder = FindingReminder.objects.select_related("finding__criterion", "finding__application").get(
        pk=reminder_id
    )
    finding = reminder.finding
    if finding.status not in REMINDED or finding.due_date != reminder.due_date:
        return False
    queue_business_emails(
        finding.application,
        f"finding-reminder:{reminder.pk}",
        template="finding_reminder",
        context={
            "finding": finding,
            "days": reminder.offset_days,
            "link": settings.SITE_URL + reverse("portal_findings:detail", args=[finding.pk]),
        },
    )
    log_action(
        finding.application,
        "finding.reminded",
        actor=None,
        data={"finding": finding.pk, "criterion": finding.criterion.code, "days": reminder.offset_days},
    )
    return True


# --- majors past their due date --------------------------------------------------


def overdue_majors(*, today: datetime.date | None = None) -> list[int]:
    today = today or timezone.localdate()
    return list(
        Finding.objects.filter(
            grade=FindingGrade.MAJOR,
            status__in=UNRESOLVED,
            due_date__lt=today,
            overdue_handled_at=None,
            # Awaiting the decision, or decided: one still in review waits for its decision.
            application__status__in=(ApplicationStatus.SCORED, ApplicationStatus.APPROVED),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def handle_overdue_major(finding_id: int) -> str | None:
    """Once per finding (claimed with a conditional update): an undecided
    application is refused; a live certificate is proposed for suspension
    to staff, naming the finding. Returns what was done."""
    if not Finding.objects.filter(pk=finding_id, overdue_handled_at=None).update(
        overdue_handled_at=timezone.now()
    ):
        return None
    finding = Finding.objects.select_related("criterion", "application__association").get(pk=finding_id)
    named = _("%(grade)s on %(code)s past its due date %(due)s: %(statement)s") % {
        "grade": finding.get_grade_display(),
        "code": finding.criterion.code,
        "due": finding.due_date.isoformat(),
        "statement": finding.statement,
    }
    application = finding.application
    if application.status == ApplicationStatus.SCORED:
        refused = certification.refuse_overdue(application, reason=named)
        if refused is not None:
            emails.queue_decision_emails(refused)
        return "refused"
    certificate = Certificate.objects.filter(application=application, status=CertificateStatus.ACTIVE).first()
    if certificate is None:
        return "nothing"
    log_action(
        certificate,
        "certificate.suspension_proposed",
        actor=None,
        data={"finding": finding.pk, "reason": named},
    )
    link = settings.SITE_URL + reverse("admin:certification_certificate_change", args=[certificate.pk])
    staff = StaffMembership.objects.filter(association_id=application.association_id, role__in=EDITING_ROLES)
    for member in staff.select_related("user").order_by("pk"):
        queue_email(
            f"suspension-proposed:{finding.pk}",
            to=member.user.email,
            language=member.user.language,
            template="suspension_proposed",
            context={"certificate": certificate, "finding": finding, "reason": named, "link": link},
        )
    return "proposed"
