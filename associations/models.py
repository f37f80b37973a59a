"""The tenant root: an association, its staff, and the programme it runs
(code of conduct, standards with criteria, levels, KPI definitions)."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

LANGUAGE_CHOICES = settings.LANGUAGES


def default_reminder_offsets() -> list[int]:
    return [90, 30, 7]


def default_languages() -> list[str]:
    return ["en"]


def require_default_language(obj, association_id: int | None, fields: tuple[str, ...]) -> None:
    """Programme text must exist in its association's default language:
    that is what a reader falls back to when their own is missing
    (associations/translation.py), so it is never blank."""
    if association_id is None:
        return
    language = (
        Association.objects.filter(pk=association_id).values_list("default_language", flat=True).first()
    )
    missing = [
        str(obj._meta.get_field(field).verbose_name)
        for field in fields
        if language and not getattr(obj, f"{field}_{language}", None)
    ]
    if missing:
        raise ValidationError(
            _("Write %(fields)s in %(language)s, the association's default language.")
            % {"fields": ", ".join(missing), "language": dict(settings.LANGUAGES).get(language, language)}
        )


class StaffRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    OFFICER = "officer", _("Certification officer")
    VIEWER = "viewer", _("Viewer")


# Roles that may change the association's data in the admin.
EDITING_ROLES = (StaffRole.ADMIN, StaffRole.OFFICER)


class AssociationQuerySet(models.QuerySet):
    def administered_by(self, user, roles=None):
        """The associations whose admin `user` may open (as staff)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        staff = StaffMembership.objects.filter(user=user)
        if roles:
            staff = staff.filter(role__in=roles)
        return self.filter(pk__in=staff.values("association_id"))

    def visible_to(self, user):
        """Every association the user has a role in (staff, member, auditor)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            Q(staff__user=user)
            | Q(business_users__user=user)
            | Q(auditor_memberships__auditor__user=user, auditor_memberships__ended_at=None)
        ).distinct()


class Association(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. PK"))
    languages = models.JSONField(_("languages"), default=default_languages)
    default_language = models.CharField(
        _("certificate language"), max_length=5, choices=LANGUAGE_CHOICES, default="en"
    )
    brand_colour = models.CharField(
        _("brand colour"),
        max_length=7,
        default="#1f4e79",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1f4e79."))],
    )
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    certificate_prefix = models.CharField(
        _("certificate prefix"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,8}$", _("Two to eight capital letters."))],
        help_text=_("Starts every certificate number, e.g. PSA-2026-000123."),
    )
    validity_months = models.PositiveSmallIntegerField(
        _("certificate validity (months)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    reminder_offsets = models.JSONField(
        _("renewal reminders (days before expiry)"), default=default_reminder_offsets
    )
    consensus_threshold = models.DecimalField(
        _("auditor disagreement threshold (points)"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("2.0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    # Findings (audits.Finding): a score below this share of a critical
    # criterion's maximum needs a major finding or a reason why not; the days
    # a business has to answer a major and to close a minor.
    critical_threshold_percent = models.PositiveSmallIntegerField(
        _("critical criterion threshold (percent of the maximum)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    major_answer_days = models.PositiveSmallIntegerField(
        _("days to answer a major nonconformity"), default=30, validators=[MinValueValidator(1)]
    )
    minor_close_days = models.PositiveSmallIntegerField(
        _("days to close a minor nonconformity"), default=90, validators=[MinValueValidator(1)]
    )
    require_mfa = models.BooleanField(_("require two-factor login for staff and auditors"), default=False)
    publish_under_watch = models.BooleanField(
        _('show "under watch" publicly'),
        default=False,
        help_text=_(
            "Show on the verification page and in the Open Badges JSON that a certificate is under "
            "watch (a KPI breach is open). Suspensions are always shown."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssociationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        constraints = [
            models.CheckConstraint(
                condition=Q(validity_months__gte=1) & Q(validity_months__lte=120),
                name="association_validity_range",
            ),
            models.CheckConstraint(
                condition=Q(consensus_threshold__gte=0), name="association_threshold_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def association_id(self) -> int:
        # Lets generic tenant code treat an association like its children.
        return self.pk


class StaffMembershipQuerySet(models.QuerySet):
    def administered_by(self, user):
        return self.of_associations(Association.objects.administered_by(user))

    def of_associations(self, associations):
        """Rows of `associations` (ids, or an Association queryset)."""
        return self.filter(association__in=associations)

    def visible_to(self, user):
        return self.filter(association__in=Association.objects.administered_by(user))


class StaffMembership(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=StaffRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StaffMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        constraints = [
            models.UniqueConstraint(fields=["association", "user"], name="unique_staff_per_association"),
            models.CheckConstraint(condition=Q(role__in=StaffRole.values), name="staff_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.association})"


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class TenantQuerySet(models.QuerySet):
    """For models that hang off an association through `association_path`."""

    association_path = "association"

    def administered_by(self, user):
        return self.of_associations(Association.objects.administered_by(user))

    def of_associations(self, associations):
        """Rows of `associations` (ids, or an Association queryset). The
        admin passes the ids it read once per request: a plain
        `association_id IN (...)` the planner can use an index for."""
        return self.filter(**{f"{self.association_path}__in": associations})

    def visible_to(self, user):
        """Staff of the association only. Models that members or auditors
        read too (the published programme) widen this explicitly."""
        return self.administered_by(user)


class ProgrammeQuerySet(TenantQuerySet):
    """What an association publishes for its members and auditors to read:
    staff see every row, a business user or auditor the published rows of
    the associations they belong to or audit for."""

    status_path: str | None = None

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        readers = Association.objects.filter(
            Q(business_users__user=user)
            | Q(
                auditor_memberships__auditor__user=user,
                auditor_memberships__auditor__is_active=True,
                auditor_memberships__ended_at=None,
            )
        )
        published = Q(**{f"{self.association_path}__in": readers})
        if self.status_path:
            published &= Q(**{self.status_path: PublicationStatus.PUBLISHED})
        staff = Q(**{f"{self.association_path}__in": Association.objects.administered_by(user)})
        return self.filter(staff | published)


class PublishedProgrammeQuerySet(ProgrammeQuerySet):
    status_path = "status"


class CodeOfConduct(models.Model):
    """Versioned. Once published a version is frozen; changes make a new
    version that supersedes it when published."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="codes_of_conduct")
    version = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=10, choices=PublicationStatus.choices, default=PublicationStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # The complaint deadlines the code promises customers (certification/complaints).
    acknowledge_days = models.PositiveSmallIntegerField(
        _("days to acknowledge a complaint"), default=5, validators=[MinValueValidator(1)]
    )
    answer_days = models.PositiveSmallIntegerField(
        _("days to propose a resolution"), default=20, validators=[MinValueValidator(1)]
    )

    objects = PublishedProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["association", "-version"]
        verbose_name = _("code of conduct")
        verbose_name_plural = _("codes of conduct")
        constraints = [
            models.UniqueConstraint(fields=["association", "version"], name="unique_code_version"),
            models.UniqueConstraint(
                fields=["association"],
                condition=Q(status="published"),
                name="one_published_code_per_association",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="code_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    def clean(self):
        require_default_language(self, self.association_id, ("title", "body"))


class Standard(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="standards")
    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PublicationStatus.choices, default=PublicationStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    # Live certification (certification/live.py): the audits between two
    # certifications, and whether a cured suspension ends on its own.
    surveillance_interval_months = models.PositiveSmallIntegerField(
        _("months between surveillance audits"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    auto_reinstate = models.BooleanField(
        _("reinstate automatically once cured"),
        default=False,
        help_text=_("Otherwise a certificate suspended by surveillance waits for staff to reinstate it."),
    )

    objects = PublishedProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["association", "name", "-version"]
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "name", "version"], name="unique_standard_version"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="standard_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def clean(self):
        require_default_language(self, self.association_id, ("name",))

    @property
    def is_editable(self) -> bool:
        return self.status == PublicationStatus.DRAFT

    def same_standard(self) -> Q:
        """Its versions: the association's standards that share its name in
        any language (the name is translated, and a new version may change
        one language's name while the others stay)."""
        names = Q()
        for code, _name in settings.LANGUAGES:
            if value := getattr(self, f"name_{code}", None):
                names |= Q(**{f"name_{code}": value})
        return Q(association=self.association_id) & names


class Dimension(models.TextChoices):
    """The five SERVQUAL dimensions, in their customary order."""

    RELIABILITY = "reliability", _("Reliability")
    RESPONSIVENESS = "responsiveness", _("Responsiveness")
    ASSURANCE = "assurance", _("Assurance")
    EMPATHY = "empathy", _("Empathy")
    TANGIBLES = "tangibles", _("Tangibles")


class KpiSource(models.TextChoices):
    """Where a KPI value comes from (members.MetricValue.source), and what a
    KPI gate may require (Criterion.kpi_source)."""

    REPORTED = "reported", _("reported by the business")
    CUSTOMERS = "customers", _("computed from customer responses")
    COMPLAINTS = "complaints", _("from the complaint record")


class KpiDefinition(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="kpi_definitions")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    unit = models.CharField(_("unit"), max_length=20, help_text=_("e.g. %, hours, points"))
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    min_value = models.DecimalField(_("lowest valid value"), max_digits=12, decimal_places=2)
    max_value = models.DecimalField(_("highest valid value"), max_digits=12, decimal_places=2)
    has_sample_size = models.BooleanField(
        _("reported with a sample size"),
        default=False,
        help_text=_("e.g. the number of survey answers behind a satisfaction score"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["association", "order", "code"]
        verbose_name = _("KPI definition")
        verbose_name_plural = _("KPI definitions")
        constraints = [
            models.UniqueConstraint(fields=["association", "code"], name="unique_kpi_code"),
            models.CheckConstraint(condition=Q(min_value__lt=models.F("max_value")), name="kpi_range_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    def clean(self):
        require_default_language(self, self.association_id, ("name", "unit"))


class CriterionQuerySet(ProgrammeQuerySet):
    association_path = "standard__association"
    status_path = "standard__status"


class Criterion(models.Model):
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("criterion"))
    dimension = models.CharField(_("SERVQUAL dimension"), max_length=20, choices=Dimension.choices)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    max_score = models.PositiveSmallIntegerField(
        _("maximum score"), default=5, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    evidence_required = models.BooleanField(_("evidence required"), default=True)
    critical = models.BooleanField(
        _("critical"),
        default=False,
        help_text=_("A score below the association's threshold needs a major finding or a reason why not."),
    )
    guidance = models.TextField(_("guidance for auditors"), blank=True)
    kpi = models.ForeignKey(
        KpiDefinition,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="criteria",
        verbose_name=_("KPI gate"),
    )
    kpi_threshold = models.DecimalField(
        _("KPI threshold"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The value the business must reach (at least, or at most when lower is better)."),
    )
    # Surveillance of the KPI gate between audits (certification/surveillance.py).
    breach_months = models.PositiveSmallIntegerField(
        _("consecutive months below the threshold that open a breach"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    cure_period_days = models.PositiveSmallIntegerField(
        _("cure period (days)"), default=60, validators=[MaxValueValidator(365)]
    )
    grace_days = models.PositiveSmallIntegerField(
        _("days after a month ends before a missing report counts as a breach"),
        default=15,
        validators=[MaxValueValidator(90)],
    )
    kpi_source = models.CharField(
        _("KPI source required"),
        max_length=12,
        choices=KpiSource.choices,
        blank=True,
        help_text=_(
            "Blank: the latest value from any source. Otherwise only values of this kind count, "
            "e.g. computed from customer responses rather than reported by the business."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = CriterionQuerySet.as_manager()

    class Meta:
        ordering = ["standard", "order", "code"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="unique_criterion_code"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(condition=Q(max_score__gte=1), name="criterion_max_score_positive"),
            models.CheckConstraint(
                condition=Q(kpi__isnull=True, kpi_threshold__isnull=True)
                | Q(kpi__isnull=False, kpi_threshold__isnull=False),
                name="criterion_kpi_with_threshold",
            ),
            models.CheckConstraint(
                condition=Q(dimension__in=Dimension.values), name="criterion_dimension_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"

    def clean(self):
        try:
            standard = self.standard  # a new inline row carries its (maybe unsaved) standard
        except Standard.DoesNotExist:
            standard = None
        if self.kpi_id and standard is not None and self.kpi.association_id != standard.association_id:
            raise ValidationError({"kpi": _("Choose a KPI of this standard's association.")})
        require_default_language(self, standard.association_id if standard else None, ("text",))


class CertificationLevel(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="levels")
    name = models.CharField(_("name"), max_length=60)
    min_score = models.DecimalField(
        _("minimum overall score (0-100)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["association", "min_score"]
        verbose_name = _("certification level")
        verbose_name_plural = _("certification levels")
        constraints = [
            models.UniqueConstraint(fields=["association", "name"], name="unique_level_name"),
            models.UniqueConstraint(fields=["association", "min_score"], name="unique_level_score"),
            models.CheckConstraint(
                condition=Q(min_score__gte=0) & Q(min_score__lte=100), name="level_score_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        require_default_language(self, self.association_id, ("name",))


class ActionLogQuerySet(TenantQuerySet):
    def for_object(self, obj):
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ).select_related("actor")


class ActionLog(models.Model):
    """Append-only history: who did what to which object, and when."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    action = models.CharField(max_length=60)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ActionLogQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            # The admin's history list: one association's entries in order.
            models.Index(fields=["association", "created_at", "id"], name="actionlog_assoc_created"),
        ]
        verbose_name = _("history entry")
        verbose_name_plural = _("history")

    def __str__(self) -> str:
        return f"{self.action} by {self.actor} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("History entries cannot be changed.")
        super().save(*args, **kwargs)
