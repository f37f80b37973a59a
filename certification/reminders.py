"""The daily job's work: certificates past their date expire, and the
renewal reminders that fell due are recorded once each (tasks.daily_lifecycle;
the sweep queues a reminder whose emails were not recorded yet)."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone

from associations.models import ActionLog, Association
from config.celery import REQUEUE_AFTER, stamp_queued

from .emails import queue_renewal_reminder_emails
from .models import Application, ApplicationStatus, Certificate, CertificateStatus, ReminderSent
from .public_cache import forget_public_pages


@transaction.atomic
def expire_certificates(*, today: datetime.date | None = None) -> int:
    """Mark active and suspended certificates past their date as expired:
    one locking read, one update, one history insert, however many."""
    today = today or timezone.localdate()
    due = list(
        Certificate.objects.select_for_update()
        .filter(status__in=[CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED], valid_until__lt=today)
        .values_list("pk", "status", "association_id", "verification_token")
    )
    if not due:
        return 0
    Certificate.objects.filter(pk__in=[row[0] for row in due]).update(status=CertificateStatus.EXPIRED)
    forget_public_pages(token for *_row, token in due)
    content_type = ContentType.objects.get_for_model(Certificate)
    ActionLog.objects.bulk_create(
        ActionLog(
            association_id=association_id,
            content_type=content_type,
            object_id=pk,
            action="certificate.expired",
            actor=None,
            data={"from": status},
        )
        for pk, status, association_id, _token in due
    )
    return len(due)


# --- renewal reminders ----------------------------------------------------------


def _due_offset(today: datetime.date) -> tuple[Case | None, int]:
    """The reminder due today, in SQL: the smallest offset already reached (a
    late run sends the nearest reminder, not every missed one). Per
    association, offset o is due when the certificate ends after the next
    smaller offset and within o days. With it, the largest offset of all."""
    whens, largest = [], 0
    for association_id, offsets in Association.objects.values_list("pk", "reminder_offsets"):
        previous = -1
        for offset in sorted({int(o) for o in offsets or []}):
            whens.append(
                When(
                    association_id=association_id,
                    valid_until__gt=today + datetime.timedelta(days=previous),
                    valid_until__lte=today + datetime.timedelta(days=offset),
                    then=Value(offset),
                )
            )
            previous = offset
            largest = max(largest, offset)
    return (Case(*whens, default=None, output_field=IntegerField()) if whens else None), largest


def _due_queryset(today: datetime.date):
    """The (certificate id, offset) rows of the reminders due today, as a
    queryset (None when no association sends reminders)."""
    due_offset, largest = _due_offset(today)
    if due_offset is None:
        return None
    # The date range first: the CASE is then computed for the certificates
    # ending within the largest offset, not for every active one.
    ending_soon = Q(valid_until__gte=today, valid_until__lte=today + datetime.timedelta(days=largest))
    # "renews is not null" lets PostgreSQL read the few renewals by their
    # index instead of scanning every application of the platform.
    being_renewed = Application.objects.filter(
        renews__isnull=False,
        renews=OuterRef("pk"),
        status__in=[
            s
            for s in ApplicationStatus.values
            if s not in (ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED)
        ],
    )
    return (
        Certificate.objects.filter(ending_soon, status=CertificateStatus.ACTIVE)
        .exclude(Exists(being_renewed))
        .annotate(due_offset=due_offset)
        .filter(due_offset__isnull=False)
        .exclude(
            Exists(
                ReminderSent.objects.filter(certificate=OuterRef("pk"), offset_days=OuterRef("due_offset"))
            )
        )
        .values_list("pk", "due_offset")
    )


def reminders_due(*, today: datetime.date | None = None) -> list[tuple[int, int]]:
    """(certificate id, offset) for every active certificate whose current
    reminder has no row yet and that is not being renewed. Filtered in SQL:
    two queries however many certificates there are."""
    due = _due_queryset(today or timezone.localdate())
    return [] if due is None else list(due.order_by("valid_until", "pk"))


def record_due_reminders(*, today: datetime.date | None = None) -> None:
    """Insert a row for every reminder that fell due, in one INSERT ...
    SELECT: the due rows never travel to Python and back. ON CONFLICT
    keeps a row that a concurrent run inserted first (the unique
    certificate and offset)."""
    due = _due_queryset(today or timezone.localdate())
    if due is None:
        return
    select, params = due.order_by().query.sql_with_params()
    quote = connection.ops.quote_name
    meta = ReminderSent._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in ("certificate", "offset_days"))
    with connection.cursor() as cursor:
        # SQLite reads "ON CONFLICT" after a SELECT with a WHERE clause
        # (always the case here) as the upsert clause, as PostgreSQL does.
        cursor.execute(
            f"INSERT INTO {quote(meta.db_table)} ({columns}) {select} ON CONFLICT DO NOTHING", params
        )


def claim_due_reminders(*, today: datetime.date | None = None, limit: int = 10_000) -> list[int]:
    """Record every reminder that fell due (one insert for all), then return
    the ids of those whose emails are not recorded yet, stamped as queued
    now, except those queued within REQUEUE_AFTER."""
    record_due_reminders(today=today)
    now = timezone.now()
    return stamp_queued(
        ReminderSent.objects.filter(recorded_at=None).filter(
            Q(queued_at=None) | Q(queued_at__lt=now - REQUEUE_AFTER)
        ),
        now=now,
        limit=limit,
    )


@transaction.atomic
def record_renewal_reminder(reminder_id: int) -> bool:
    """Record the reminder's emails in the outbox, once: the row is marked
    in the same transaction, and a second worker waits on it, then finds it
    recorded. A certificate no longer valid gets no reminder."""
    if not ReminderSent.objects.filter(pk=reminder_id, recorded_at=None).update(recorded_at=timezone.now()):
        return False
    reminder = ReminderSent.objects.select_related("certificate").get(pk=reminder_id)
    if reminder.certificate.status != CertificateStatus.ACTIVE:
        return False
    queue_renewal_reminder_emails(reminder.certificate, offset_days=reminder.offset_days)
    return True
