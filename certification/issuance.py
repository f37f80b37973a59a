"""Issuing an approved application's certificate: the row with everything
it prints frozen, the signed PDF, the business's emails. tasks.issue_certificates
calls issue_certificate; every step is safe to run again, and the sweep
(claim_unfinished_issuance) queues whatever an outage left unfinished."""

import calendar
import datetime
import hashlib
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from associations.services import log_action
from config.celery import REQUEUE_AFTER, stamp_queued

from .emails import queue_certificate_issued_emails
from .errors import CertificationError
from .models import Application, ApplicationStatus, Certificate, CertificateSequence
from .pdf import render_certificate_pdf
from .signing import sign_pdf
from .status_lists import allocate_status_index


def in_language(obj, field: str, language: str) -> str:
    """Programme text as a reader of `language` sees it (with its fallback)."""
    with translation.override(language):
        return getattr(obj, field)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


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
    if application.overall_score is None:
        raise CertificationError(_("This application has no audit result to print."))
    association = application.association
    issued_at = timezone.now()
    valid_from = timezone.localdate(issued_at)
    certificate = Certificate(
        application=application,
        association=association,
        business=application.business,
        number=_next_number(association, valid_from.year),
        language=association.default_language,
        holder_name=application.business.name,
        holder_city=application.business.city,
        association_name=association.name,
        # Printed in the certificate's language, whoever approved it.
        standard_name=in_language(application.standard, "name", association.default_language),
        standard_version=application.standard.version,
        level_name=in_language(application.level, "name", association.default_language),
        programme_names={
            code: {
                "standard": in_language(application.standard, "name", code),
                "level": in_language(application.level, "name", code),
            }
            for code, _name in settings.LANGUAGES
        },
        # The audit's result, stored when the application was scored.
        overall_score=application.overall_score,
        dimension_scores=application.dimension_scores,
        conditions_open=application.conditions_open,
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
    allocate_status_index(certificate)
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
