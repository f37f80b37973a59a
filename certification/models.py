"""Applications and their evidence, change requests, certificates and the
reminders sent for them."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Upper
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from associations.models import (
    Association,
    CertificationLevel,
    Criterion,
    Standard,
    TenantQuerySet,
)
from members.models import AuditorProfile, Business, BusinessTenantQuerySet, Declaration


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    SCORED = "scored", _("Scored")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Decision(models.TextChoices):
    """What the deciding staff decided, recorded with the reason. Renewals
    maintain or reduce the level of the certificate they renew."""

    GRANT = "grant", _("Grant")
    GRANT_WITH_CONDITIONS = "grant_conditions", _("Grant with conditions")
    REFUSE = "refuse", _("Refuse")
    MAINTAIN = "maintain", _("Maintain")
    REDUCE = "reduce", _("Reduce to a lower level")


# A business may hold one application in these states per standard.
OPEN_STATUSES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.CHANGES_REQUESTED,
    ApplicationStatus.SCORED,
)


def reviewer_q(user) -> Q:
    """Applications `user` reviews as an auditor: assigned to them (the
    assignment not ended), no conflict declared, and still an active auditor
    of the application's association. (Assignments are the audits app's
    rows, reached here through their reverse relation.)"""
    reviewer = AuditorProfile.objects.auditing(OuterRef("association")).filter(
        user=user,
        assignments__application=OuterRef("pk"),
        assignments__ended_at=None,
        assignments__declaration=Declaration.NO_CONFLICT,
    )
    return Q(Exists(reviewer))


class ApplicationQuerySet(BusinessTenantQuerySet):
    def visibility(self, user) -> Q:
        """The business's own users, the association's staff, and the
        auditors reviewing it."""
        return super().visibility(user) | reviewer_q(user)

    def reviewed_by(self, user):
        """The applications `user` reviews as an auditor (reviewer_q)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(reviewer_q(user))


class Application(models.Model):
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="applications")
    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="applications")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    renews = models.ForeignKey(
        "certification.Certificate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewals",
        verbose_name=_("renews certificate"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    level = models.ForeignKey(
        CertificationLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("level awarded"),
    )
    decision_reason = models.TextField(_("decision rationale"), blank=True)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    # Granted while nonconformities (audits.Finding) are still open; cleared
    # when the last one closes, together with the certificate's copy.
    conditions_open = models.BooleanField(_("conditions open"), default=False)
    # The audit's result, stored by services.mark_scored when the auditors
    # finish (audits computes it with audits/scoring.py): the decision and
    # the certificate read these, not the scorecards.
    overall_score = models.DecimalField(
        _("overall score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    dimension_scores = models.JSONField(_("scores per dimension"), default=dict, blank=True)
    level_reached = models.ForeignKey(
        CertificationLevel,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("level reached"),
    )
    # The KPI gates that capped the level (audits writes and reads them).
    gates_missed = models.JSONField(_("KPI gates missed"), default=list, blank=True)
    # When issuance (certificate, PDF, its email) was last queued: by the
    # approval, then by the sweep while it is unfinished.
    issuance_queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        # The admin list, newest first (id breaks ties): one association's
        # rows for its staff, every row for a superuser.
        indexes = [
            models.Index(fields=["association", "-created_at", "-id"], name="application_assoc_created"),
            models.Index(fields=["-created_at", "-id"], name="application_created"),
        ]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "standard"],
                condition=Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="one_open_application_per_standard",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="application_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(level__isnull=False),
                name="approved_application_has_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business} – {self.standard} ({self.get_status_display()})"


def evidence_upload_to(instance, filename: str) -> str:
    # The stored name is random; the original name is kept as data only.
    return f"evidence/{instance.application_id}/{uuid.uuid4().hex}"


class EvidenceQuerySet(TenantQuerySet):
    association_path = "application__association"

    def visible_to(self, user):
        return self.filter(application__in=Application.objects.visible_to(user))


class Evidence(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="evidence")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=500, blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Carried forward from an earlier certification cycle."),
    )
    carried_confirmed = models.BooleanField(default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["criterion__order", "uploaded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_from__isnull=True)
                | Q(effective_to__isnull=True)
                | Q(effective_from__lte=models.F("effective_to")),
                name="evidence_period_ordered",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="evidence_not_empty"),
        ]

    def __str__(self) -> str:
        return self.original_name


class ChangeRequestQuerySet(TenantQuerySet):
    association_path = "application__association"

    def visible_to(self, user):
        return self.filter(application__in=Application.objects.visible_to(user))

    def open(self):
        return self.filter(resolved_at__isnull=True)


class ChangeRequest(models.Model):
    """What an auditor asks the business to add or fix, per criterion."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="change_requests")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    message = models.TextField(_("what is missing"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    response = models.TextField(_("response"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.message[:40]}"


class CertificateStatus(models.TextChoices):
    ACTIVE = "active", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


def verification_token() -> str:
    return secrets.token_urlsafe(24)


def names_for_reader(certificate) -> dict[str, str]:
    """The standard's and level's names in the active language (frozen at
    issuance), else as printed, in the certificate's language. Takes a
    Certificate or the public pages' cached fields."""
    names = (certificate.programme_names or {}).get(get_language(), {})
    return {
        "standard": names.get("standard") or certificate.standard_name,
        "level": names.get("level") or certificate.level_name,
    }


class CertificateQuerySet(BusinessTenantQuerySet):
    # What a certificate prints: all a public page may read.
    PRINTED_FIELDS = (
        "number",
        "verification_token",
        "status",
        "status_reason",
        "holder_name",
        "holder_city",
        "association_name",
        "standard_name",
        "standard_version",
        "level_name",
        "programme_names",
        "overall_score",
        "dimension_scores",
        "issued_at",
        "valid_from",
        "valid_until",
        "conditions_open",
        # Live certification: the status lists' index, and under watch
        # (shown when the association opts in).
        "association_id",
        "status_index",
        "watch_since",
    )

    def public(self):
        return self.only(*self.PRINTED_FIELDS)


class Certificate(models.Model):
    """What the certificate prints is frozen here at issuance so that a
    re-render later is identical."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="certificate")
    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="certificates")
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField(_("number"), max_length=40, unique=True)
    verification_token = models.CharField(max_length=64, unique=True, default=verification_token)
    status = models.CharField(
        _("status"), max_length=10, choices=CertificateStatus.choices, default=CertificateStatus.ACTIVE
    )
    status_reason = models.TextField(_("reason"), blank=True)
    language = models.CharField(max_length=5, default="en")
    holder_name = models.CharField(max_length=200)
    holder_city = models.CharField(max_length=100, blank=True)
    association_name = models.CharField(max_length=200)
    standard_name = models.CharField(max_length=200)
    standard_version = models.PositiveSmallIntegerField()
    level_name = models.CharField(max_length=60)
    # The standard's and level's names in every language at issuance, for
    # the verification page's readers ({"ur": {"standard": ..., "level": ...}});
    # the PDF prints standard_name and level_name, in `language`.
    programme_names = models.JSONField(default=dict, blank=True)

    overall_score = models.DecimalField(max_digits=5, decimal_places=2)
    dimension_scores = models.JSONField(default=dict)
    issued_at = models.DateTimeField()
    valid_from = models.DateField()
    valid_until = models.DateField()
    pdf = models.FileField(upload_to="certificates/", blank=True, max_length=200)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    # Who is rendering the PDF (a task id), claimed with a conditional update
    # so it is rendered once; a redelivered task takes its own claim back.
    pdf_claim = models.CharField(max_length=64, blank=True, editable=False)
    pdf_claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    verification_count = models.PositiveIntegerField(default=0)
    # Copied from the application at issuance and cleared with it: the
    # verification page and the Open Badges JSON say "conditions open".
    conditions_open = models.BooleanField(_("conditions open"), default=False)
    # When the "your certificate is issued" emails were recorded in the
    # outbox (members.OutboundEmail sends them), set in the same transaction.
    issued_email_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Live certification (live.py): the day a KPI breach put the active
    # certificate under watch (None: not under watch), and whether its
    # suspension was the surveillance job's (a cure can end it) or staff's.
    watch_since = models.DateField(_("under watch since"), null=True, blank=True, editable=False)
    suspended_by_surveillance = models.BooleanField(default=False, editable=False)
    # Its place in the association's status lists (status_lists.py): random,
    # given once, never changed.
    status_index = models.PositiveIntegerField(null=True, blank=True, editable=False)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__lt=models.F("valid_until")), name="certificate_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CertificateStatus.values), name="certificate_status_valid"
            ),
            models.UniqueConstraint(
                fields=["association", "status_index"], name="one_certificate_per_status_index"
            ),
        ]
        indexes = [
            # The admin list, newest first: one association's certificates for
            # its staff, every certificate for a superuser.
            models.Index(fields=["association", "-issued_at", "-id"], name="certificate_assoc_issued"),
            models.Index(fields=["-issued_at", "-id"], name="certificate_issued"),
            # Verification by number ignores case (public_queries.token_for_number).
            models.Index(Upper("number"), name="certificate_number_upper"),
            # The directory's order, read along the index (public_queries.directory);
            # its search has trigram indexes on PostgreSQL (migration 0007).
            models.Index(
                fields=["holder_name", "number"],
                condition=Q(status="active"),
                name="certificate_directory_order",
            ),
            # The daily job: current certificates past their date (expiry)
            # or ending within the reminder offsets.
            models.Index(
                fields=["valid_until"],
                condition=Q(status__in=[CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED]),
                name="certificate_current_until",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def reader_names(self) -> dict[str, str]:
        return names_for_reader(self)

    @property
    def under_watch(self) -> bool:
        return self.status == CertificateStatus.ACTIVE and self.watch_since is not None

    @property
    def surveillance_state(self) -> str:
        """The state surveillance.next_state reads: "under_watch" or the status."""
        return "under_watch" if self.under_watch else self.status


class SurveillanceEventQuerySet(BusinessTenantQuerySet):
    pass


class SurveillanceEvent(models.Model):
    """One change of a certificate's surveillance state, with the KPI, the
    months, the values and the threshold behind it (`reasons`). Append-only:
    written in the transaction that changes the certificate, never edited."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="surveillance_events")
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    from_state = models.CharField(_("from"), max_length=20)
    to_state = models.CharField(_("to"), max_length=20)
    # [{kind, kpi, kpi_name, unit, threshold, higher_is_better, months: [[YYYY-MM, value|null, status]],
    #   cure_ends}]
    reasons = models.JSONField(_("reasons"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SurveillanceEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("surveillance event")
        verbose_name_plural = _("surveillance events")
        indexes = [models.Index(fields=["certificate", "-created_at"], name="surveillance_event_cert")]

    def __str__(self) -> str:
        return f"{self.certificate_id}: {self.from_state} -> {self.to_state}"


class WatchedCertificate(Certificate):
    """The staff's watch list (admin): certificates under watch or
    suspended by surveillance."""

    class Meta:
        proxy = True
        verbose_name = _("watched certificate")
        verbose_name_plural = _("watch list")


class StatusPurpose(models.TextChoices):
    REVOCATION = "revocation", _("Revocation")
    SUSPENSION = "suspension", _("Suspension")


class StatusList(models.Model):
    """An association's published W3C Bitstring Status List for one purpose.
    `stale_since` is set in the transaction that changes a status (recorded
    before it is queued); the regeneration clears it only if nothing changed
    meanwhile, and the sweep queues a stale list again."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="status_lists")
    purpose = models.CharField(max_length=10, choices=StatusPurpose.choices)
    credential = models.JSONField(default=dict, blank=True)
    etag = models.CharField(max_length=66, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)
    stale_since = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "purpose"], name="one_status_list_per_purpose"),
        ]
        indexes = [
            models.Index(
                fields=["queued_at"], condition=Q(stale_since__isnull=False), name="status_list_stale"
            )
        ]

    def __str__(self) -> str:
        return f"{self.association_id}/{self.purpose}"


class VerificationCountBatch(models.Model):
    """A batch of public page views added to the certificates' counts
    (public_cache.flush_verification_counts): its row makes adding it again
    impossible."""

    batch = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.batch


class CertificateSequence(models.Model):
    """The last number given per association and year; locked while the
    next one is taken, so numbers never repeat."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "year"], name="one_sequence_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.association_id}/{self.year}: {self.last_value}"


class ReminderSent(models.Model):
    """One row per certificate and offset: the reminder is due. Created
    set-based by the daily job; its emails are recorded in the outbox once
    (`recorded_at`, set in the same transaction), however often the job
    runs. `queued_at`: when a message to record it was last sent, so the
    sweep does not queue it again while that one waits."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reminders")
    offset_days = models.PositiveSmallIntegerField()
    queued_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["certificate", "offset_days"], name="one_reminder_per_offset"),
        ]
        indexes = [
            models.Index(
                fields=["queued_at"], condition=Q(recorded_at__isnull=True), name="reminder_unrecorded"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.certificate} -{self.offset_days}d"


# Complaints under the code of conduct live in their own module; they are this app's tables.
from .complaints.models import (  # noqa: E402
    Complaint,
    ComplaintFile,
    ComplaintIssue,
    ComplaintQuerySet,
    ComplaintStatus,
    MediationOutcome,
    WantedOutcome,
)

__all__ = [
    "Complaint",
    "ComplaintFile",
    "ComplaintIssue",
    "ComplaintQuerySet",
    "ComplaintStatus",
    "MediationOutcome",
    "WantedOutcome",
]
