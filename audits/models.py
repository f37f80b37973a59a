"""Auditors' work: assignments with their conflict of interest
declarations, scorecards, and the consensus on disagreements. (Auditor
profiles, their memberships and standing conflicts are roles: members.models.)"""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models import Association, Criterion
from certification.models import Application, ApplicationStatus
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
    # On a critical criterion scored below the association's threshold
    # without a major finding: why not (findings.critical_problems).
    no_major_reason = models.TextField(_("why no major finding"), blank=True)

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


# --- findings ------------------------------------------------------------------


class FindingGrade(models.TextChoices):
    MAJOR = "major", _("Major nonconformity")
    MINOR = "minor", _("Minor nonconformity")
    OBSERVATION = "observation", _("Observation")
    IMPROVEMENT = "improvement", _("Opportunity for improvement")


NONCONFORMITIES = (FindingGrade.MAJOR, FindingGrade.MINOR)


class FindingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Corrective action accepted")
    CLOSED = "closed", _("Closed")
    NOTED = "noted", _("Noted")
    MERGED = "merged", _("Merged")


# A nonconformity in these states still needs the business: a major in them
# blocks approval; any of them (or an accepted one not yet verified) is a
# condition open on the certificate.
AWAITING_BUSINESS = (FindingStatus.OPEN, FindingStatus.ANSWERED, FindingStatus.RETURNED)
UNRESOLVED = (*AWAITING_BUSINESS, FindingStatus.ACCEPTED)
# What the business and staff read (drafts are the auditor's own).
RAISED = (*UNRESOLVED, FindingStatus.CLOSED, FindingStatus.NOTED)


class FindingQuerySet(models.QuerySet):
    def administered_by(self, user):
        return self.of_associations(Association.objects.administered_by(user))

    def of_associations(self, associations):
        return self.filter(application__association__in=associations)

    def unresolved_nonconformities(self):
        return self.filter(grade__in=NONCONFORMITIES, status__in=UNRESOLVED)

    def visible_to(self, user):
        """Staff: their association's raised findings. An auditor: their own,
        and the others' of an application they review once every cleared
        auditor submitted (blind scoring). The business: its applications'
        raised findings once the application is scored."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        unsubmitted = (
            Assignment.objects.current()
            .filter(application=OuterRef("application"), declaration=Declaration.NO_CONFLICT)
            .filter(Q(scorecard__isnull=True) | Q(scorecard__submitted_at__isnull=True))
        )
        reviewed = Application.objects.reviewed_by(user)
        shown_to_business = (
            ApplicationStatus.SCORED,
            ApplicationStatus.APPROVED,
            ApplicationStatus.REJECTED,
        )
        return self.filter(
            Q(application__association__in=Association.objects.administered_by(user), status__in=RAISED)
            | Q(application__in=reviewed, assignment__auditor__user=user)
            | (Q(application__in=reviewed) & ~Q(status=FindingStatus.DRAFT) & ~Exists(unsubmitted))
            | Q(
                application__in=Application.objects.of_business_user(user),
                application__status__in=shown_to_business,
                status__in=RAISED,
            )
        )


class Finding(models.Model):
    """A graded finding an auditor raised on a criterion (findings.py has
    its state machine)."""

    application = models.ForeignKey(
        "certification.Application", on_delete=models.CASCADE, related_name="findings"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="findings")
    grade = models.CharField(_("grade"), max_length=12, choices=FindingGrade.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.DRAFT
    )
    statement = models.TextField(_("statement"))
    requirement = models.TextField(_("requirement not met"), blank=True)
    evidence = models.ManyToManyField(
        "certification.Evidence", blank=True, related_name="findings", verbose_name=_("evidence")
    )
    # The latest day the business may answer (a major) or close (a minor),
    # from the association's windows when the finding is raised.
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    # The corrective action's due date (the latest answer's), else the deadline.
    due_date = models.DateField(_("due date"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    merge_rationale = models.TextField(_("merge rationale"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    verified_at = models.DateTimeField(_("effectiveness verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the overdue job did: the refusal or the proposal to staff, once.
    overdue_handled_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["application", "criterion__order", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.CheckConstraint(condition=Q(grade__in=FindingGrade.values), name="finding_grade_valid"),
            models.CheckConstraint(condition=Q(status__in=FindingStatus.values), name="finding_status_valid"),
            models.CheckConstraint(
                condition=~Q(grade__in=NONCONFORMITIES) | ~Q(requirement=""),
                name="nonconformity_names_requirement",
            ),
            models.CheckConstraint(
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
                name="merged_finding_has_target",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="finding_status_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_grade_display()} {self.criterion.code}"

    @property
    def association_id(self) -> int:
        return self.application.association_id

    @property
    def is_overdue(self) -> bool:
        return (
            self.status in AWAITING_BUSINESS
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )


class CorrectiveAction(models.Model):
    """One version of the business's answer to a finding; earlier versions
    stay as they were. The auditor accepts or returns it."""

    ACCEPTED, RETURNED = "accepted", "returned"

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="answers")
    version = models.PositiveSmallIntegerField()
    root_cause = models.TextField(_("root cause"))
    correction = models.TextField(_("correction"))
    corrective_action = models.TextField(_("corrective action"))
    due_date = models.DateField(_("due date"))
    evidence = models.ManyToManyField(
        "certification.Evidence", blank=True, related_name="+", verbose_name=_("new evidence")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    review = models.CharField(
        max_length=10, blank=True, choices=[(ACCEPTED, _("Accepted")), (RETURNED, _("Returned"))]
    )
    review_reason = models.TextField(_("reason"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["finding", "version"]
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        constraints = [
            models.UniqueConstraint(fields=["finding", "version"], name="one_answer_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.finding} v{self.version}"


class FindingReminder(models.Model):
    """One row per finding, due date and offset (14, 7, 1, 0 days): the
    reminder is due; its emails are recorded in the outbox once
    (`recorded_at`, set in the same transaction). `queued_at`: when a message
    to record it was last sent (as certification.ReminderSent)."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="reminders")
    due_date = models.DateField()
    offset_days = models.PositiveSmallIntegerField()
    queued_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["finding", "due_date", "offset_days"], name="one_finding_reminder_per_offset"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.finding_id} -{self.offset_days}d"
