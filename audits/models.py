"""Auditors and their work: profiles, assignments with their conflict of
interest declarations, scorecards, and the consensus on disagreements."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models import Association, Criterion


class AuditorProfileQuerySet(models.QuerySet):
    def administered_by(self, user):
        return self.filter(associations__in=Association.objects.administered_by(user)).distinct()

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return (self.filter(user=user) | self.administered_by(user)).distinct()


class AuditorProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auditor_profile"
    )
    associations = models.ManyToManyField(
        Association, related_name="auditors", verbose_name=_("audits for"), blank=True
    )
    expertise = models.TextField(_("expertise"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditorProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("auditor")
        verbose_name_plural = _("auditors")

    def __str__(self) -> str:
        return str(self.user)


class Declaration(models.TextChoices):
    PENDING = "pending", _("Not declared yet")
    NO_CONFLICT = "no_conflict", _("No conflict of interest")
    CONFLICT = "conflict", _("Conflict of interest")


class AssignmentQuerySet(models.QuerySet):
    def administered_by(self, user):
        return self.filter(application__association__in=Association.objects.administered_by(user))

    def of_auditor(self, user):
        """The auditor's own assignments, declared or not."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(auditor__user=user, auditor__is_active=True)

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return (self.of_auditor(user) | self.administered_by(user)).distinct()


class Assignment(models.Model):
    application = models.ForeignKey(
        "certification.Application", on_delete=models.CASCADE, related_name="assignments"
    )
    auditor = models.ForeignKey(
        AuditorProfile, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("auditor")
    )
    due_date = models.DateField(_("due date"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    declaration = models.CharField(
        _("conflict of interest"), max_length=12, choices=Declaration.choices, default=Declaration.PENDING
    )
    conflict_reason = models.TextField(_("conflict reason"), blank=True)
    declared_at = models.DateTimeField(_("declared"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["application", "auditor"], name="unique_auditor_per_application"),
            models.CheckConstraint(
                condition=Q(declaration__in=Declaration.values), name="assignment_declaration_valid"
            ),
            models.CheckConstraint(
                condition=~Q(declaration="conflict") | ~Q(conflict_reason=""),
                name="conflict_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(declaration="pending") | Q(declared_at__isnull=False),
                name="declaration_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.auditor} → {self.application_id}"

    @property
    def association_id(self) -> int:
        return self.application.association_id

    @property
    def is_overdue(self) -> bool:
        return self.due_date < timezone.localdate()


class ConflictOfInterestQuerySet(models.QuerySet):
    def administered_by(self, user):
        """Conflicts of an auditor of the associations `user` administers with
        a business of those associations: both sides, or a conflict that
        concerns only another association would leak."""
        administered = Association.objects.administered_by(user)
        return self.filter(
            business__memberships__association__in=administered,
            auditor__associations__in=administered,
        ).distinct()


class ConflictOfInterest(models.Model):
    """An auditor's standing conflict with a business: refuses every assignment to it."""

    auditor = models.ForeignKey(AuditorProfile, on_delete=models.CASCADE, related_name="conflicts")
    business = models.ForeignKey(
        "members.Business", on_delete=models.CASCADE, related_name="auditor_conflicts"
    )
    reason = models.TextField(_("reason"))
    declared_at = models.DateTimeField(auto_now_add=True)

    objects = ConflictOfInterestQuerySet.as_manager()

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["auditor", "business"], name="unique_conflict_per_business"),
        ]

    def __str__(self) -> str:
        return f"{self.auditor} × {self.business}"


class Scorecard(models.Model):
    """One auditor's scores for one application. Submitting locks it."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="scorecard")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")

    def __str__(self) -> str:
        return f"{self.assignment}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Score(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "criterion"], name="unique_score_per_criterion"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}={self.score}"


class Consensus(models.Model):
    """The score the auditors agreed for a criterion they disagreed on."""

    application = models.ForeignKey(
        "certification.Application", on_delete=models.CASCADE, related_name="consensus_scores"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("agreed score"), max_digits=5, decimal_places=2)
    rationale = models.TextField(_("rationale"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("consensus score")
        verbose_name_plural = _("consensus scores")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "criterion"], name="unique_consensus_per_criterion"
            ),
            models.CheckConstraint(condition=Q(score__gte=0), name="consensus_score_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}={self.score}"
