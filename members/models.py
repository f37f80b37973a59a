"""People and businesses: the login (User), member businesses, their
membership of associations, their users, and what they report."""

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models import Association, KpiDefinition, TenantQuerySet


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """Logs in with an email address. What a person may do comes from their
    membership rows (staff, business user, auditor), never from a type field."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="en"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.email


def business_scope_q(user, *, business: str, association: str | None) -> Q:
    """Rows a business user reaches: they hold a role in the row's business
    (`business`, a path from the row) granted for the row's association
    (`association`; None when the row belongs to no one association, as a
    business itself). A role is granted by one association's staff and
    reaches that business's affairs in that association only."""
    roles = BusinessUser.objects.filter(user=user, business=OuterRef(business))
    if association is not None:
        roles = roles.filter(association=OuterRef(association))
    return Q(Exists(roles))


class BusinessTenantQuerySet(TenantQuerySet):
    """For rows of a business in an association: the business's own users
    whose role covers that association see them, and so do the staff of the
    association. `business_path` leads to the business ("" when the row is
    the business itself)."""

    business_path = "business"

    def business_user_q(self, user) -> Q:
        return business_scope_q(user, business=self.business_path, association=self.association_path)

    def visibility(self, user) -> Q:
        """Whom, besides a superuser, `visible_to` lets see a row."""
        staff = f"{self.association_path}__in"
        return self.business_user_q(user) | Q(**{staff: Association.objects.administered_by(user)})

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(self.visibility(user)).distinct()

    def of_business_user(self, user):
        """Only what `user` reaches as a business user (the portal's rows)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(self.business_user_q(user))


class BusinessQuerySet(BusinessTenantQuerySet):
    """Businesses the user works for (in any association), or whose
    association they staff."""

    business_path = ""
    association_path = "memberships__association"

    def business_user_q(self, user) -> Q:
        return business_scope_q(user, business="pk", association=None)

    def administered_by(self, user):
        # A business in several of the user's associations is listed once.
        return super().administered_by(user).distinct()


class Business(models.Model):
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BusinessQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("business")
        verbose_name_plural = _("businesses")

    def __str__(self) -> str:
        return self.name


class BusinessRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    EDITOR = "editor", _("Editor")


class BusinessUserQuerySet(models.QuerySet):
    def administered_by(self, user):
        # Staff manage the roles their own association granted, not another's.
        return self.filter(association__in=Association.objects.administered_by(user))

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(Q(user=user) | Q(association__in=Association.objects.administered_by(user)))

    def covering(self, business_id: int, association_id: int):
        """The roles that reach the business's affairs in the association."""
        return self.filter(business_id=business_id, association_id=association_id)


class BusinessUser(models.Model):
    """A person's role in a business, granted by one association's staff:
    it reaches the business's applications, certificates and metrics in
    that association only. A business in several associations has one row
    per association that granted the person a role there."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="users")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="business_roles"
    )
    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        related_name="business_users",
        verbose_name=_("granted by"),
    )
    role = models.CharField(_("role"), max_length=10, choices=BusinessRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BusinessUserQuerySet.as_manager()

    class Meta:
        verbose_name = _("business user")
        verbose_name_plural = _("business users")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "user", "association"], name="unique_user_per_business_association"
            ),
            models.CheckConstraint(condition=Q(role__in=BusinessRole.values), name="business_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.business}, {self.association})"


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    LAPSED = "lapsed", _("Lapsed")


class MembershipQuerySet(BusinessTenantQuerySet):
    pass


class Membership(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="memberships")
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="memberships")
    member_number = models.CharField(_("member number"), max_length=30)
    status = models.CharField(
        _("status"), max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    joined_on = models.DateField(_("joined"), default=timezone.localdate)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["association", "member_number"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["association", "member_number"], name="unique_member_number"),
            models.UniqueConstraint(fields=["association", "business"], name="unique_business_membership"),
            models.CheckConstraint(
                condition=Q(status__in=MembershipStatus.values), name="membership_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business} #{self.member_number} ({self.association})"


class InvitationKind(models.TextChoices):
    BUSINESS_USER = "business_user", _("Business user")
    AUDITOR = "auditor", _("Auditor")
    STAFF = "staff", _("Staff")


class InvitationQuerySet(TenantQuerySet):
    pass


class Invitation(models.Model):
    """An emailed, signed and expiring link that creates or attaches an
    account to a role. The link carries a signature of `token`."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    kind = models.CharField(_("invited as"), max_length=20, choices=InvitationKind.choices)
    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=10, blank=True)
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="business_user") | Q(business__isnull=False),
                name="business_invitation_has_business",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_kind_display()})"


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
        verbose_name = _("metric report")
        verbose_name_plural = _("metric reports")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "association", "period"], name="unique_report_per_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business} {self.period:%Y-%m}"


class MetricValue(models.Model):
    report = models.ForeignKey(MetricReport, on_delete=models.CASCADE, related_name="values")
    kpi = models.ForeignKey(KpiDefinition, on_delete=models.PROTECT, related_name="values")
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    sample_size = models.PositiveIntegerField(
        _("sample size"), null=True, blank=True, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("metric value")
        verbose_name_plural = _("metric values")
        constraints = [
            models.UniqueConstraint(fields=["report", "kpi"], name="unique_value_per_kpi"),
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


class OutboundEmail(models.Model):
    """Every email of the platform, recorded in the transaction that decides
    it is due (rendered then, in the recipient's language) and sent once by
    a task after that commits. The key names the occasion; with the
    recipient it is unique, so recording the same occasion again records
    nothing. Sending claims the row with a conditional update that commits
    before the mail server is called; a failure releases the claim."""

    key = models.CharField(max_length=150)
    to = models.EmailField(max_length=254)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=500)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    # When a message to send it was last queued (the sweep waits before queueing again).
    queued_at = models.DateTimeField(null=True, blank=True)
    # Who is sending it right now (a lapsed claim was left by a dead worker).
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The mail server refused the recipient: sending again cannot help.
    failed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        constraints = [
            models.UniqueConstraint(fields=["key", "to"], name="one_email_per_occasion_and_recipient"),
        ]
        indexes = [
            # The sweep's question, "what is not sent yet", stays small at any size.
            models.Index(
                fields=["queued_at"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
                name="outbound_email_unsent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.to}"
