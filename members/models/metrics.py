"""What businesses report: monthly service metrics, CSV imports of them,
and the API tokens other systems report with."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from associations.models import Association, KpiDefinition, KpiSource

from .people import Business, BusinessRole, BusinessTenantQuerySet, BusinessUser, business_scope_q


class MetricReportQuerySet(BusinessTenantQuerySet):
    pass


class MetricReport(models.Model):
    """A business's service metrics for one month in one association."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="metric_reports")
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="metric_reports")
    period = models.DateField(_("month"), help_text=_("The first day of the month reported."))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    source = models.CharField(max_length=10, default="form")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MetricReportQuerySet.as_manager()

    class Meta:
        ordering = ["business", "association", "-period"]
        # The admin list: one association's reports in that order.
        verbose_name = _("metric report")
        verbose_name_plural = _("metric reports")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "association", "period"], name="unique_report_per_month"
            ),
        ]
        indexes = [
            # The KPI page's peers: every report of the association for a month
            # (metrics.queries._add_peer_places), read from the index alone.
            # (id as a key column: SQLite has no INCLUDE.)
            models.Index(fields=["association", "period", "id"], name="metricreport_peers"),
            # The admin list: one association's reports, a business's newest first.
            models.Index(fields=["association", "business", "-period"], name="metricreport_assoc_business"),
        ]

    def __str__(self) -> str:
        return f"{self.business} {self.period:%Y-%m}"


class MetricValue(models.Model):
    """One KPI's value for a month, with where it comes from: reported by the
    business, computed from customer responses (sample_size is their
    number), or from the complaint record. A month may hold one of each."""

    report = models.ForeignKey(MetricReport, on_delete=models.CASCADE, related_name="values")
    kpi = models.ForeignKey(KpiDefinition, on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    sample_size = models.PositiveIntegerField(
        _("sample size"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    # db_default: the bulk COPY of reported values leaves the column out.
    source = models.CharField(
        _("source"),
        max_length=12,
        choices=KpiSource.choices,
        default=KpiSource.REPORTED,
        db_default=KpiSource.REPORTED,
    )

    class Meta:
        verbose_name = _("metric value")
        verbose_name_plural = _("metric values")
        constraints = [
            models.UniqueConstraint(fields=["report", "kpi", "source"], name="unique_value_per_kpi_source"),
            models.CheckConstraint(
                condition=Q(source__in=KpiSource.values), name="metric_value_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.code}={self.value}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Checking and importing")
    INVALID = "invalid", _("Rejected: the file has errors")
    NEEDS_CONFIRMATION = "confirm", _("Waiting for your confirmation")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class MetricImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The uploads of the business users whose role covers the association."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(business_scope_q(user, business="business", association="association"))


class MetricImportJob(models.Model):
    """One uploaded CSV of metric values, checked as a whole and then
    imported (inline when small, by a Celery task when large)."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="metric_imports")
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to="metric-imports/%Y/%m/")
    original_name = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    replace = models.BooleanField(default=False)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    # Lines with an error beyond the ones `errors` lists (it keeps the first 200).
    more_errors = models.PositiveIntegerField(default=0)
    existing_months = models.JSONField(default=list, blank=True)
    imported_reports = models.PositiveIntegerField(default=0)
    imported_values = models.PositiveIntegerField(default=0)
    # Who runs it (a task id, or a request's token), claimed with a
    # conditional update; a redelivered task takes its own claim back. Each
    # progress update beats the heart: a claim whose heart stopped is taken
    # over. `queued_at`: when a message for it was last sent, so the sweep
    # does not queue it again while that one waits.
    claim = models.CharField(max_length=64, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = MetricImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("metric import")
        verbose_name_plural = _("metric imports")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="metric_import_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name or self.file.name} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {
            ImportStatus.INVALID,
            ImportStatus.DONE,
            ImportStatus.FAILED,
            ImportStatus.NEEDS_CONFIRMATION,
        }

    @property
    def error_count(self) -> int:
        """Lines with an error, listed or not."""
        return len(self.errors) + self.more_errors

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class ApiTokenQuerySet(models.QuerySet):
    def managed_by(self, user, business: Business):
        """The business's tokens `user` manages: every association a token
        reaches must be one where `user` owns the business. A token that also
        reaches another association was made by an owner that association
        granted, so it is not this owner's to see or revoke."""
        if not user.is_authenticated:
            return self.none()
        owned = BusinessUser.objects.filter(user=user, business=business, role=BusinessRole.OWNER)
        if not owned.exists():
            return self.none()
        beyond = Association.objects.exclude(pk__in=owned.values("association"))
        return self.filter(business=business).exclude(associations__in=beyond)

    def active(self):
        return self.filter(revoked_at=None)


class ApiToken(models.Model):
    """A business's key to the REST API. Only the SHA-256 of the token is
    stored; the token itself is shown once, when it is made."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    # Set when made: the associations where its maker owned the business.
    # It writes only for those in which the maker still holds a role.
    associations = models.ManyToManyField(
        Association, related_name="api_tokens", verbose_name=_("reaches"), blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
