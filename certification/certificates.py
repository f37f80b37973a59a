"""Certificate writes: issuance, suspension, reinstatement, revocation,
expiry, renewal reminders and renewals. (The application state machine is in
services.py; this module is its continuation after approval.)"""

import calendar
import datetime
import hashlib
import logging
import uuid
from collections.abc import Callable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from associations.models import ActionLog, Association, PublicationStatus, Standard
from associations.services import log_action
from config.celery import REQUEUE_AFTER, stamp_queued

from .emails import (
    queue_certificate_issued_emails,
    queue_certificate_status_emails,
    queue_renewal_reminder_emails,
)
from .models import (
    Application,
    ApplicationStatus,
    Certificate,
    CertificateSequence,
    CertificateStatus,
    Evidence,
    ReminderSent,
)
from .services import CertificationError, create_application, is_deciding_staff

logger = logging.getLogger(__name__)

# Higher apps (audits) say what the scores were: application ->
# {"overall": Decimal, "dimensions": {dimension: Decimal}} or None. The first
# provider that answers wins; with none, the certificate prints no scores.
SCORE_PROVIDERS: list[Callable] = []


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _scores(application: Application) -> dict:
    for provider in SCORE_PROVIDERS:
        scores = provider(application)
        if scores:
            return scores
    return {"overall": Decimal("0"), "dimensions": {}}


def _next_number(association, year: int) -> str:
    """PSA-2026-000123. The sequence row is locked until the certificate's
    transaction commits, so two issuances never take the same number."""
    CertificateSequence.objects.get_or_create(association=association, year=year)
    sequence = CertificateSequence.objects.select_for_update().get(association=association, year=year)
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return f"{association.certificate_prefix}-{year}-{sequence.last_value:06d}"


@transaction.atomic
def create_certificate(application: Application) -> Certificate:
    """The certificate row for an approved application, with everything it
    prints frozen. Returns the existing one when there is one: the
    application's row lock makes concurrent callers wait, and the database
    (one certificate per application) has the last word."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("association", "business", "standard", "level")
        .get(pk=application.pk)
    )
    existing = Certificate.objects.filter(application=application).first()
    if existing is not None:
        return existing
    if application.status != ApplicationStatus.APPROVED or application.level is None:
        raise CertificationError(_("Only an approved application gets a certificate."))
    association = application.association
    issued_at = timezone.now()
    valid_from = timezone.localdate(issued_at)
    scores = _scores(application)
    certificate = Certificate(
        application=application,
        association=association,
        business=application.business,
        number=_next_number(association, valid_from.year),
        language=association.default_language,
        holder_name=application.business.name,
        holder_city=application.business.city,
        association_name=association.name,
        standard_name=application.standard.name,
        standard_version=application.standard.version,
        level_name=application.level.name,
        overall_score=Decimal(scores["overall"]).quantize(Decimal("0.01")),
        dimension_scores={
            k: str(Decimal(v).quantize(Decimal("0.01"))) for k, v in scores["dimensions"].items()
        },
        issued_at=issued_at,
        valid_from=valid_from,
        valid_until=add_months(valid_from, association.validity_months),
    )
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        # Another process won the race (the row lock stops this on
        # PostgreSQL; the constraint is the backstop).
        return Certificate.objects.get(application=application)
    log_action(
        certificate,
        "certificate.created",
        actor=None,
        data={"number": certificate.number, "application": application.pk},
    )
    return certificate


# A rendering claim older than this was left by a worker that died: anyone
# may take it. A render, sign and store takes well under a second (bench:
# bench_certificates.py); the claim is renewed between those steps, so only
# one step would have to take this long for a live worker to be overtaken.
RENDER_LEASE = datetime.timedelta(seconds=45)


def _claim_rendering(certificate: Certificate, token: str) -> bool:
    now = timezone.now()
    return (
        Certificate.objects.filter(pk=certificate.pk, pdf_sha256="")
        .filter(
            Q(pdf_claim="")
            | Q(pdf_claim=token)
            | Q(pdf_claimed_at__lt=now - RENDER_LEASE)
            | Q(pdf_claimed_at=None)
        )
        .update(pdf_claim=token, pdf_claimed_at=now)
        == 1
    )


def _still_mine(certificate: Certificate, token: str) -> bool:
    """Renew the lease; False when another worker took the rendering over."""
    return (
        Certificate.objects.filter(pk=certificate.pk, pdf_sha256="", pdf_claim=token).update(
            pdf_claimed_at=timezone.now()
        )
        == 1
    )


def _release_rendering(certificate: Certificate, token: str) -> None:
    """A failed attempt hands the rendering back at once (no lease to wait out)."""
    Certificate.objects.filter(pk=certificate.pk, pdf_sha256="", pdf_claim=token).update(
        pdf_claim="", pdf_claimed_at=None
    )


def store_certificate_pdf(certificate: Certificate, *, claim: str | None = None) -> Certificate:
    """Render, sign, store and record the hash, once: a certificate whose
    PDF is stored is never rendered again (a new rendering would have another
    hash, and the PDFs already downloaded would stop verifying). Rendering
    is claimed with a conditional update (`claim`: the task's id, so a
    redelivered task takes its own claim back); the file is saved under a
    free name and never deleted first. Runs outside a transaction: rendering
    takes time and holds no lock. A failure (a full disk, a storage error)
    releases the claim and raises; the storage leaves no partial file."""
    from .pdf import render_certificate_pdf
    from .signing import sign_pdf

    token = claim or uuid.uuid4().hex
    if not _claim_rendering(certificate, token):
        return Certificate.objects.get(pk=certificate.pk)
    try:
        certificate = Certificate.objects.select_related("association").get(pk=certificate.pk)
        html_pdf = render_certificate_pdf(certificate)
        if not _still_mine(certificate, token):
            return Certificate.objects.get(pk=certificate.pk)
        pdf = sign_pdf(html_pdf, association=certificate.association, reason=f"{certificate.number}")
        if not _still_mine(certificate, token):
            return Certificate.objects.get(pk=certificate.pk)
        stored = default_storage.save(
            f"certificates/{certificate.association.slug}/{certificate.number}.pdf", ContentFile(pdf)
        )
    except BaseException:
        _release_rendering(certificate, token)
        raise
    digest = hashlib.sha256(pdf).hexdigest()
    if not Certificate.objects.filter(pk=certificate.pk, pdf_sha256="").update(pdf=stored, pdf_sha256=digest):
        default_storage.delete(stored)  # a stale claim was taken over and the other finished first
        return Certificate.objects.get(pk=certificate.pk)
    certificate.pdf.name, certificate.pdf_sha256 = stored, digest
    return certificate


@transaction.atomic
def record_issued_emails(certificate: Certificate) -> bool:
    """Record the business's "certificate issued" emails once the PDF
    exists, once: the column is set in the transaction that records them."""
    recorded = (
        Certificate.objects.filter(pk=certificate.pk, issued_email_recorded_at=None)
        .exclude(pdf_sha256="")
        .update(issued_email_recorded_at=timezone.now())
    )
    if recorded:
        queue_certificate_issued_emails(certificate)
    return bool(recorded)


def issue_certificate(application: Application, *, claim: str | None = None) -> Certificate:
    """Create (once), render, sign and store the certificate of an approved
    application; the business's emails are recorded once, after the PDF
    exists. Each step finds what an earlier, interrupted run left and goes
    on from there; the sweep re-queues an application until all are done."""
    certificate = create_certificate(application)
    if not certificate.pdf_sha256:
        certificate = store_certificate_pdf(certificate, claim=claim)
    if certificate.pdf_sha256 and certificate.issued_email_recorded_at is None:
        record_issued_emails(certificate)
    return certificate


def enqueue_issuance(application: Application) -> None:
    """APPROVAL_HOOKS entry: recorded by the approved state, stamped as
    queued (the sweep leaves it to this message for a while), queued once
    the approval has committed."""
    from .tasks import issue_certificates

    Application.objects.filter(pk=application.pk).update(issuance_queued_at=timezone.now())
    issue_certificates.delay_on_commit(application_ids=[application.pk])


def claim_unfinished_issuance(*, limit: int = 5000) -> list[int]:
    """Ids of approved applications whose issuance is not finished (no
    certificate; a certificate without its PDF and nobody rendering it; a
    PDF whose emails were not recorded), stamped as queued now, except those
    queued within REQUEUE_AFTER."""
    now = timezone.now()
    unfinished = (
        Q(certificate__isnull=True)
        | Q(certificate__pdf_sha256="", certificate__pdf_claimed_at__isnull=True)
        | Q(certificate__pdf_sha256="", certificate__pdf_claimed_at__lt=now - RENDER_LEASE)
        | (Q(certificate__issued_email_recorded_at__isnull=True) & ~Q(certificate__pdf_sha256=""))
    )
    not_recently_queued = Q(issuance_queued_at__lt=now - REQUEUE_AFTER) | Q(
        issuance_queued_at__isnull=True
    ) & (Q(decided_at__lt=now - REQUEUE_AFTER) | Q(decided_at__isnull=True))
    return stamp_queued(
        Application.objects.filter(status=ApplicationStatus.APPROVED)
        .filter(unfinished)
        .filter(not_recently_queued),
        now=now,
        limit=limit,
        field="issuance_queued_at",
    )


# --- lifecycle ------------------------------------------------------------------

ALLOWED_FROM = {
    "suspend": (CertificateStatus.ACTIVE,),
    "reinstate": (CertificateStatus.SUSPENDED,),
    "revoke": (CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED),
}
TARGET = {
    "suspend": CertificateStatus.SUSPENDED,
    "reinstate": CertificateStatus.ACTIVE,
    "revoke": CertificateStatus.REVOKED,
}


def _change_status(certificate: Certificate, action: str, *, actor, reason: str) -> Certificate:
    reason = reason.strip()
    if not reason:
        raise CertificationError(_("Give a reason."))
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if not (actor.is_superuser or is_deciding_staff(actor, locked)):
        raise CertificationError(_("Only association staff with a deciding role can do this."))
    if locked.status not in ALLOWED_FROM[action]:
        raise CertificationError(
            _("This certificate is %(status)s, so this cannot be done.")
            % {"status": locked.get_status_display().lower()}
        )
    before = locked.status
    if action == "reinstate" and locked.valid_until < timezone.localdate():
        locked.status = CertificateStatus.EXPIRED
    else:
        locked.status = TARGET[action]
    locked.status_reason = "" if locked.status == CertificateStatus.ACTIVE else reason
    locked.save(update_fields=["status", "status_reason"])
    entry = log_action(
        locked,
        f"certificate.{action}",
        actor=actor,
        data={"from": before, "to": locked.status, "reason": reason},
    )
    queue_certificate_status_emails(locked, occasion=entry.pk, reason=reason)
    return locked


@transaction.atomic
def suspend_certificate(certificate: Certificate, *, actor, reason: str) -> Certificate:
    return _change_status(certificate, "suspend", actor=actor, reason=reason)


@transaction.atomic
def reinstate_certificate(certificate: Certificate, *, actor, reason: str) -> Certificate:
    return _change_status(certificate, "reinstate", actor=actor, reason=reason)


@transaction.atomic
def revoke_certificate(certificate: Certificate, *, actor, reason: str) -> Certificate:
    return _change_status(certificate, "revoke", actor=actor, reason=reason)


@transaction.atomic
def expire_certificates(*, today: datetime.date | None = None) -> int:
    """Mark active and suspended certificates past their date as expired:
    one locking read, one update, one history insert, however many."""
    today = today or timezone.localdate()
    due = list(
        Certificate.objects.select_for_update()
        .filter(status__in=[CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED], valid_until__lt=today)
        .values_list("pk", "status", "association_id")
    )
    if not due:
        return 0
    Certificate.objects.filter(pk__in=[pk for pk, _status, _association in due]).update(
        status=CertificateStatus.EXPIRED
    )
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
        for pk, status, association_id in due
    )
    return len(due)


# --- renewal reminders ----------------------------------------------------------


def _due_offset(today: datetime.date) -> Case | None:
    """The reminder due today, in SQL: the smallest offset already reached (a
    late run sends the nearest reminder, not every missed one). Per
    association, offset o is due when the certificate ends after the next
    smaller offset and within o days."""
    whens = []
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
    return Case(*whens, default=None, output_field=IntegerField()) if whens else None


def reminders_due(*, today: datetime.date | None = None) -> list[tuple[int, int]]:
    """(certificate id, offset) for every active certificate whose current
    reminder has no row yet and that is not being renewed. Filtered in SQL:
    two queries however many certificates there are."""
    today = today or timezone.localdate()
    due_offset = _due_offset(today)
    if due_offset is None:
        return []
    return list(
        Certificate.objects.filter(status=CertificateStatus.ACTIVE, valid_until__gte=today)
        .exclude(
            renewals__status__in=[
                s
                for s in ApplicationStatus.values
                if s not in (ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED)
            ]
        )
        .annotate(due_offset=due_offset)
        .filter(due_offset__isnull=False)
        .exclude(
            Exists(
                ReminderSent.objects.filter(certificate=OuterRef("pk"), offset_days=OuterRef("due_offset"))
            )
        )
        .order_by("valid_until", "pk")
        .values_list("pk", "due_offset")
    )


def claim_due_reminders(*, today: datetime.date | None = None, limit: int = 10_000) -> list[int]:
    """Record every reminder that fell due (one insert for all), then return
    the ids of those whose emails are not recorded yet, stamped as queued
    now, except those queued within REQUEUE_AFTER."""
    due = reminders_due(today=today)
    ReminderSent.objects.bulk_create(
        [ReminderSent(certificate_id=pk, offset_days=offset) for pk, offset in due],
        ignore_conflicts=True,
        batch_size=1000,
    )
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


# --- renewal --------------------------------------------------------------------


def _renewal_standard(standard: Standard) -> Standard:
    """The latest published version of the same standard, else itself."""
    latest = (
        Standard.objects.filter(
            association_id=standard.association_id, name=standard.name, status=PublicationStatus.PUBLISHED
        )
        .order_by("-version")
        .first()
    )
    return latest or standard


# Renewals that still count: one of these blocks starting another.
LIVE_RENEWAL_STATUSES = [
    s for s in ApplicationStatus.values if s not in (ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED)
]


def renewal_window_days(association: Association) -> int:
    """Renewal opens with the association's earliest reminder."""
    return max((int(o) for o in association.reminder_offsets or []), default=90)


def renewal_opens_on(certificate: Certificate) -> datetime.date:
    return certificate.valid_until - datetime.timedelta(days=renewal_window_days(certificate.association))


def renewal_refusal(
    certificate: Certificate, *, renewing: bool, today: datetime.date | None = None
) -> str | None:
    """The one renewal rule, for the dashboard's link and for start_renewal:
    None when the certificate may be renewed now, else why not. A valid
    certificate renews within its association's window before it expires,
    an expired one at any time, and never while a renewal is under way
    (`renewing`: an application renewing it that was not withdrawn or rejected)."""
    if certificate.status not in (CertificateStatus.ACTIVE, CertificateStatus.EXPIRED):
        return _("Only a valid or expired certificate can be renewed.")
    if renewing:
        return _("A renewal of this certificate is already under way.")
    opens = renewal_opens_on(certificate)
    if certificate.status == CertificateStatus.ACTIVE and (today or timezone.localdate()) < opens:
        return _("Renewal opens on %(date)s, %(days)d days before the certificate expires.") % {
            "date": date_format(opens, "DATE_FORMAT"),
            "days": renewal_window_days(certificate.association),
        }
    return None


def is_being_renewed(certificate: Certificate) -> bool:
    return Application.objects.filter(renews=certificate, status__in=LIVE_RENEWAL_STATUSES).exists()


@transaction.atomic
def start_renewal(certificate: Certificate, *, actor) -> Application:
    """A new application for the next cycle, linked to the certificate it
    renews. Evidence whose effective period still covers today is carried
    forward (same stored file), marked for the auditor to confirm."""
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("application__standard", "association")
        .get(pk=certificate.pk)
    )
    refusal = renewal_refusal(certificate, renewing=is_being_renewed(certificate))
    if refusal:
        raise CertificationError(refusal)
    standard = _renewal_standard(certificate.application.standard)
    application = create_application(certificate.business, standard=standard, actor=actor, renews=certificate)
    today = timezone.localdate()
    criteria = {c.code: c for c in standard.criteria.all()}
    carried = []
    for evidence in (
        Evidence.objects.filter(application=certificate.application)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=today))
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
        .select_related("criterion")
    ):
        criterion = criteria.get(evidence.criterion.code)
        if criterion is None:
            continue
        carried.append(
            Evidence(
                application=application,
                criterion=criterion,
                file=evidence.file.name,
                original_name=evidence.original_name,
                content_type=evidence.content_type,
                size=evidence.size,
                sha256=evidence.sha256,
                description=evidence.description,
                effective_from=evidence.effective_from,
                effective_to=evidence.effective_to,
                carried_from=evidence,
                carried_confirmed=False,
                uploaded_by=evidence.uploaded_by,
            )
        )
    Evidence.objects.bulk_create(carried)
    log_action(
        application,
        "application.renewal_started",
        actor=actor,
        data={"renews": certificate.number, "carried_evidence": len(carried)},
    )
    return application
