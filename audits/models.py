"""Auditors' work: assignments with their conflict of interest
declarations, scorecards, and the consensus on disagreements. (Auditor
profiles, their memberships and standing conflicts are roles: members.models.)"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models import Association, Criterion
from members.models import AuditorProfile, Declaration


class AssignmentQuerySet(models.QuerySet):
    def administered_by(self, user):
        return self.of_associations(Association.objects.administered_by(user))

    def of_associations(self, associations):
        """Rows of `associations` (ids, or an Association queryset)."""
        return self.filter(application__association__in=associations)

    @staticmethod
    def _auditing():
        """The assignment's auditor still audits for its application's association."""
        auditing = AuditorProfile.objects.auditing(OuterRef("application__association"))
        return Exists(auditing.filter(pk=OuterRef("auditor")))

    def current(self):
        """Assignments in force: not ended, of an active auditor who still
        audits for the application's association."""
        return self.filter(self._auditing(), ended_at=None)

    def of_auditor(self, user):
        """The auditor's own assignments in force, declared or not."""
        if not user.is_authenticated:
            return self.none()
        return self.current().filter(auditor__user=user)

    def ended_for(self, user):
        """The auditor's assignments no longer in force (they or their
        membership of the association ended)."""
        if not user.is_authenticated:
            return self.none()
        # The negation of current(), row by row: a NOT IN over every
        # current assignment of the platform made a bad plan.
        return self.filter(auditor__user=user).filter(Q(ended_at__isnull=False) | ~self._auditing())

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
    # Set when the auditor stops auditing for the association: the auditor
    # loses access; a scorecard submitted before still counts, an unfinished
    # one drops out of the scoring (like a declared conflict).
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

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


class Scorecard(models.Model):
    """One auditor's scores for one application. Submitting locks it."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="scorecard")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # {dimension: the auditor's comment on the customers' survey gap}, required
    # where the two disagree sharply (audits.scoring.survey_disagreements).
    survey_comments = models.JSONField(_("comments on the customers' view"), default=dict, blank=True)

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
