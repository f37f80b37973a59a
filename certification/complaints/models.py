"""Customer complaints about a certified member, under its association's
code of conduct (imported into certification.models, whose app they are)."""

import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from associations.models import Association
from members.models import Business, BusinessTenantQuerySet


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received (email not yet confirmed)")
    VERIFIED = "verified", _("Email confirmed")
    WITH_BUSINESS = "with_business", _("With the business")
    ANSWERED = "answered", _("Answered by the business")
    RESOLVED = "resolved", _("Resolved")
    ESCALATED = "escalated", _("Escalated to the association")
    MEDIATED = "mediated", _("Mediated")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Where a complaint's story ends; only then may its personal data be erased.
FINAL_STATUSES = (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED, ComplaintStatus.WITHDRAWN)


class ComplaintIssue(models.TextChoices):
    QUALITY = "quality", _("Quality of the service")
    DELAY = "delay", _("Delay or no-show")
    BILLING = "billing", _("Billing or price")
    CONDUCT = "conduct", _("Staff conduct")
    OTHER = "other", _("Something else")


class WantedOutcome(models.TextChoices):
    REFUND = "refund", _("A refund")
    REPAIR = "repair", _("A repair or the service done again")
    APOLOGY = "apology", _("An apology")
    OTHER = "other", _("Something else")


class MediationOutcome(models.TextChoices):
    UPHELD = "upheld", _("Upheld")
    NOT_UPHELD = "not_upheld", _("Not upheld")
    SETTLED = "settled", _("Settled")


def complaint_token() -> str:
    return secrets.token_urlsafe(24)


class ComplaintQuerySet(BusinessTenantQuerySet):
    """The business's users whose role its association granted, and that
    association's staff; nobody else (the public sees counts only)."""

    def confirmed(self):
        """Complaints whose sender confirmed their email (what counts)."""
        return self.exclude(verified_at=None)


class Complaint(models.Model):
    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="complaints")
    business = models.ForeignKey(Business, on_delete=models.PROTECT, related_name="complaints")
    # The certificate the customer complained from (its number, for the record).
    certificate_number = models.CharField(_("certificate"), max_length=40, blank=True)
    # The customer's key to their complaint: in every signed link they get.
    token = models.CharField(max_length=64, unique=True, default=complaint_token, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    # Personal data, erased on request after closure (erased_at).
    customer_name = models.CharField(_("your name"), max_length=200)
    customer_email = models.EmailField(_("your email"), max_length=254)
    customer_language = models.CharField(max_length=5, default="en")
    issue = models.CharField(_("what it is about"), max_length=10, choices=ComplaintIssue.choices)
    happened_on = models.DateField(_("when it happened"))
    description = models.TextField(_("what happened"), max_length=5000)
    wanted = models.CharField(_("what you want"), max_length=10, choices=WantedOutcome.choices)
    wanted_detail = models.CharField(_("details of what you want"), max_length=500, blank=True)
    business_answer = models.TextField(_("the business's answer"), blank=True)
    customer_reply = models.TextField(_("the customer's reply"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=MediationOutcome.choices, blank=True)
    outcome_note = models.TextField(_("what the business must do"), blank=True)
    honour_by = models.DateField(_("to be honoured by"), null=True, blank=True)
    honoured_at = models.DateTimeField(_("honoured"), null=True, blank=True)
    # Staff are shown the businesses that let an upheld outcome's date pass.
    flagged_at = models.DateTimeField(_("flagged for staff"), null=True, blank=True)
    # Every step, timed (the history records who).
    received_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    forwarded_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    mediated_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    # The code of conduct's deadlines, fixed when the business gets it.
    acknowledge_by = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    answer_by = models.DateTimeField(_("propose a resolution by"), null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ComplaintStatus.values), name="complaint_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(outcome=""), name="closed_complaint_has_outcome"
            ),
        ]
        indexes = [
            # The complaint record: one business's complaints of the last year.
            models.Index(fields=["business", "association", "received_at"], name="complaint_record"),
            # One complaint per confirmed address per business per week.
            models.Index(fields=["business", "customer_email", "verified_at"], name="complaint_sender_week"),
        ]

    def __str__(self) -> str:
        return _("Complaint %(pk)s about %(business)s") % {"pk": self.pk, "business": self.business}


def complaint_file_upload_to(instance, filename: str) -> str:
    return f"complaint-files/{instance.complaint_id}/{uuid.uuid4().hex}"


class ComplaintFile(models.Model):
    """A file the customer sent with the complaint: checked like evidence,
    served only through a permission-checked view."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=complaint_file_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("complaint file")
        verbose_name_plural = _("complaint files")

    def __str__(self) -> str:
        return self.original_name
