"""Auditors and their work: profiles, assignments with their conflict of
interest declarations, scorecards, and the consensus on disagreements."""

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models import Association, Criterion, TenantQuerySet


class AuditorProfileQuerySet(models.QuerySet):
    def administered_by(self, user):
        """Profiles that work or worked for the user's associations: staff
        still manage an auditor they removed (see the past work, re-add)."""
        return self.filter(memberships__association__in=Association.objects.administered_by(user)).distinct()

    def auditing_for(self, associations):
        """Active auditors with an active membership in one of `associations`."""
        return self.filter(
            is_active=True, memberships__association__in=associations, memberships__ended_at=None
        ).distinct()

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
    expertise = models.TextField(_("expertise"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditorProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("auditor")
        verbose_name_plural = _("auditors")

    def __str__(self) -> str:
        return str(self.user)


class AuditorMembershipQuerySet(TenantQuerySet):
    def active(self):
        return self.filter(ended_at=None)


class AuditorMembership(models.Model):
    """An auditor audits for an association while this row has no end.
    Ending it (audits.services.end_auditor_membership) ends the auditor's
    access to that association's applications at once and their assignments
    there; the row stays, so the association's staff still see the profile
    and its past work, and can re-add it."""

    auditor = models.ForeignKey(AuditorProfile, on_delete=models.CASCADE, related_name="memberships")
    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        related_name="auditor_memberships",
        verbose_name=_("audits for"),
    )
    started_at = models.DateTimeField(_("since"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AuditorMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("auditor membership")
        verbose_name_plural = _("auditor memberships")
        constraints = [
            models.UniqueConstraint(fields=["auditor", "association"], name="one_auditor_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.auditor} @ {self.association}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class Declaration(models.TextChoices):
    PENDING = "pending", _("Not declared yet")
    NO_CONFLICT = "no_conflict", _("No conflict of interest")
    CONFLICT = "conflict", _("Conflict of interest")


class AssignmentQuerySet(models.QuerySet):
    def administered_by(self, user):
        return self.filter(application__association__in=Association.objects.administered_by(user))

    def current(self):
        """Assignments in force: not ended, of an active auditor who still
        audits for the application's association. Every auditor access rule
        starts here, so removing an auditor ends their access at once."""
        member = AuditorMembership.objects.filter(
            auditor=OuterRef("auditor"), association=OuterRef("application__association"), ended_at=None
        )
        return self.filter(Exists(member), ended_at=None, auditor__is_active=True)

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
        return self.filter(auditor__user=user).exclude(pk__in=self.current().values("pk"))

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


class ConflictOfInterestQuerySet(models.QuerySet):
    def administered_by(self, user):
        """The conflicts the user's associations recorded, and those of an
        auditor of those associations with a business of those associations
        (both sides, or a conflict that concerns only another association
        would leak). Only the recording association reads the reason: see
        with_reason_shown_to."""
        administered = Association.objects.administered_by(user)
        both_sides = Q(
            business__memberships__association__in=administered,
            auditor__memberships__association__in=administered,
        )
        return self.filter(Q(association__in=administered) | both_sides).distinct()

    def with_reason_shown_to(self, user):
        """Annotates `reason_shown`: whether `user` may read the reason (staff
        of the association that recorded it, or a superuser)."""
        if user.is_superuser:
            return self.annotate(reason_shown=Value(True))
        own = Q(association__in=Association.objects.administered_by(user))
        return self.annotate(reason_shown=Case(When(own, then=Value(True)), default=Value(False)))


class ConflictOfInterest(models.Model):
    """An auditor's standing conflict with a business: refuses every
    assignment to it, in every association. The reason belongs to the
    association where it was declared; another association learns only that
    a conflict exists."""

    auditor = models.ForeignKey(AuditorProfile, on_delete=models.CASCADE, related_name="conflicts")
    business = models.ForeignKey(
        "members.Business", on_delete=models.CASCADE, related_name="auditor_conflicts"
    )
    # Null only for a declaration older than this field whose association
    # could not be told: its reason is shown to superusers only.
    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    reason = models.TextField(_("reason"))
    declared_at = models.DateTimeField(auto_now_add=True)

    objects = ConflictOfInterestQuerySet.as_manager()

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(
                fields=["auditor", "business", "association"], name="unique_conflict_per_association"
            ),
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
