"""Reads for the member portal: each owns its select_related/prefetch and
makes the same number of queries however many rows there are."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models import ActionLog, Criterion, Dimension, StaffMembership
from members.models import Business, BusinessUser, Membership

from . import live
from .certificates import LIVE_RENEWAL_STATUSES, renewal_refusal
from .models import Application, ApplicationStatus, Certificate, ChangeRequest, Evidence
from .services import is_reviewer

# What each history entry is called. The business sees only the actions in
# BUSINESS_HISTORY (its application's transitions and its own answers and
# evidence); staff and auditors see everything, labelled.
HISTORY_LABELS = {
    "application.created": _("Application started"),
    "application.renewal_started": _("Renewal started"),
    "application.submit": _("Submitted"),
    "application.start_review": _("Review started"),
    "application.request_changes": _("Changes requested"),
    "application.resubmit": _("Resubmitted"),
    "application.mark_scored": _("Scored"),
    "application.approve": _("Approved"),
    "application.reject": _("Rejected"),
    "application.withdraw": _("Withdrawn"),
    "evidence.added": _("Evidence added"),
    "evidence.removed": _("Evidence removed"),
    "change_request.answered": _("Change request answered"),
    "audit.assigned": _("Auditor assigned"),
    "audit.assignment_ended": _("Auditor's assignment ended"),
    "audit.no_conflict": _("No conflict declared"),
    "audit.conflict_declared": _("Conflict of interest declared"),
    "audit.scores_saved": _("Scores saved"),
    "audit.scorecard_submitted": _("Scorecard submitted"),
    "audit.consensus": _("Consensus recorded"),
    # Findings (audits.findings): the business reads those of its answers
    # and their review, never the auditors' drafting, raising or merging
    # (it sees the findings themselves once the audit is scored).
    "finding.drafted": _("Finding drafted"),
    "finding.discarded": _("Draft finding discarded"),
    "finding.raised": _("Finding raised"),
    "finding.merge": _("Duplicate finding merged"),
    "finding.answer": _("Finding answered"),
    "finding.answer_version": _("Corrective action submitted"),
    "finding.accept": _("Corrective action accepted"),
    "finding.return": _("Corrective action returned"),
    "finding.verify": _("Finding closed: effectiveness verified"),
    "finding.reminded": _("Finding due date reminder sent"),
    "application.conditions_closed": _("Conditions closed"),
    "audit.report_rendered": _("Audit report downloaded"),
}
BUSINESS_HISTORY = frozenset(
    {
        "application.created",
        "application.renewal_started",
        "application.submit",
        "application.start_review",
        "application.request_changes",
        "application.resubmit",
        "application.mark_scored",
        "application.approve",
        "application.reject",
        "application.withdraw",
        "change_request.answered",
        "evidence.added",
        "evidence.removed",
        "finding.answer_version",
        "finding.accept",
        "finding.return",
        "finding.verify",
        "finding.reminded",
        "application.conditions_closed",
    }
)
BUSINESS_DETAIL_KEYS = ("criterion", "name", "level", "response")
FULL_DETAIL_KEYS = ("auditor", "criterion", "name", "level", "response")
BUSINESS, REVIEWER, FULL = "business", "reviewer", "full"
# Reasons only association staff read: an auditor's conflict is between them
# and the association, not their fellow auditors.
STAFF_ONLY_REASONS = frozenset({"audit.conflict_declared"})


def own_businesses(user) -> QuerySet[Business]:
    return Business.objects.of_business_user(user)


def portal_applications(user) -> QuerySet[Application]:
    """Applications of the businesses the user works for, in the associations
    that granted their roles (staff and auditors see applications elsewhere)."""
    return Application.objects.of_business_user(user)


@dataclass
class CriterionRow:
    criterion: Criterion
    evidence: list = field(default_factory=list)
    change_requests: list = field(default_factory=list)
    editable: bool = False

    @property
    def missing(self) -> bool:
        return self.criterion.evidence_required and not self.evidence

    @property
    def open_change_requests(self) -> list:
        return [cr for cr in self.change_requests if cr.resolved_at is None]


@dataclass
class HistoryEntry:
    at: object
    actor: object
    label: str
    before: str = ""
    after: str = ""
    reason: str = ""
    detail: str = ""


def _status_label(value: str | None) -> str:
    if not value:
        return ""
    try:
        return ApplicationStatus(value).label
    except ValueError:
        return value


def history_audience(application: Application, user) -> str:
    """FULL for association staff (any role) and superusers, REVIEWER for
    cleared auditors, BUSINESS for everyone else."""
    if (
        user.is_superuser
        or StaffMembership.objects.filter(association_id=application.association_id, user=user).exists()
    ):
        return FULL
    if is_reviewer(user, application):
        return REVIEWER
    return BUSINESS


def application_history(application: Application, *, audience: str) -> list[HistoryEntry]:
    """The application's history, labelled, for `audience` (BUSINESS,
    REVIEWER or FULL). The business never sees audit rows, auditors' names or
    the association's people: other actors read "the association" or "an
    auditor". Reviewers see everything but the staff-only reasons."""
    logs = ActionLog.objects.for_object(application).order_by("created_at", "pk")
    if audience == BUSINESS:
        logs = logs.filter(action__in=BUSINESS_HISTORY)
        own = set(
            BusinessUser.objects.covering(application.business_id, application.association_id).values_list(
                "user_id", flat=True
            )
        )
        staff = set(
            StaffMembership.objects.filter(association_id=application.association_id).values_list(
                "user_id", flat=True
            )
        )
    keys = BUSINESS_DETAIL_KEYS if audience == BUSINESS else FULL_DETAIL_KEYS
    entries = []
    for log in logs:
        data = log.data or {}
        actor = log.actor
        if audience == BUSINESS and actor is not None and actor.pk not in own:
            actor = _("the association") if actor.pk in staff or actor.is_superuser else _("an auditor")
        reason = data.get("reason", "") if _shows_reason(log.action, audience) else ""
        entries.append(
            HistoryEntry(
                at=log.created_at,
                actor=actor,
                label=HISTORY_LABELS.get(log.action, log.action),
                before=_status_label(data.get("from")),
                after=_status_label(data.get("to")),
                reason=str(reason),
                detail=" · ".join(str(data[key]) for key in keys if data.get(key)),
            )
        )
    return entries


def _shows_reason(action: str, audience: str) -> bool:
    if audience == BUSINESS:
        return action.startswith("application.") or action == "finding.return"
    return audience == FULL or action not in STAFF_ONLY_REASONS


def application_page(application: Application) -> dict:
    """Every criterion grouped by SERVQUAL dimension, in the dimensions'
    customary order, with its evidence, change requests and what is missing."""
    criteria = Criterion.objects.filter(standard_id=application.standard_id).order_by("order", "code")
    rows = {c.pk: CriterionRow(criterion=c) for c in criteria}
    for evidence in application.evidence.select_related("uploaded_by").order_by("uploaded_at", "pk"):
        rows[evidence.criterion_id].evidence.append(evidence)
    change_requests = list(application.change_requests.select_related("requested_by", "criterion"))
    for cr in change_requests:
        rows[cr.criterion_id].change_requests.append(cr)
    open_ids = {cr.criterion_id for cr in change_requests if cr.resolved_at is None}
    for row in rows.values():
        row.editable = application.status == ApplicationStatus.DRAFT or (
            application.status == ApplicationStatus.CHANGES_REQUESTED and row.criterion.pk in open_ids
        )
    groups = []
    for dimension in Dimension:
        members = [row for row in rows.values() if row.criterion.dimension == dimension]
        if members:
            groups.append({"dimension": dimension, "label": dimension.label, "rows": members})
    return {
        "groups": groups,
        "missing": [row.criterion for row in rows.values() if row.missing],
        "open_change_requests": [cr for cr in change_requests if cr.resolved_at is None],
        "history": application_history(application, audience=BUSINESS),
    }


def _mark_renewable(certificates: list[Certificate]) -> None:
    """`can_renew` on each, by the rule start_renewal enforces. One query."""
    today = timezone.localdate()
    renewing = (
        set(
            Application.objects.filter(renews__in=certificates, status__in=LIVE_RENEWAL_STATUSES).values_list(
                "renews_id", flat=True
            )
        )
        if certificates
        else set()
    )
    for certificate in certificates:
        certificate.can_renew = (
            renewal_refusal(certificate, renewing=certificate.pk in renewing, today=today) is None
        )


def dashboard(user) -> dict:
    """The portal dashboard: the user's businesses and the memberships their
    roles were granted for, the applications, certificates and next steps."""
    businesses = own_businesses(user).order_by("name")
    memberships = (
        Membership.objects.of_business_user(user)
        .select_related("association", "business")
        .order_by("business__name", "association__name")
    )
    applications = list(
        portal_applications(user)
        .select_related("business", "standard", "association")
        .order_by("-created_at", "-pk")
    )
    certificates = list(
        Certificate.objects.of_business_user(user)
        .select_related("business", "association", "application")
        .order_by("valid_until", "pk")
    )
    _mark_renewable(certificates)
    health = live.health(certificates)
    for certificate in certificates:
        certificate.health = health.get(certificate.pk, [])
    drafts = [a for a in applications if a.status == ApplicationStatus.DRAFT]
    required = defaultdict(list)
    for criterion in Criterion.objects.filter(
        standard_id__in={a.standard_id for a in drafts}, evidence_required=True
    ).order_by("order", "code"):
        required[criterion.standard_id].append(criterion)
    covered = set(
        Evidence.objects.filter(application__in=drafts).values_list("application_id", "criterion_id")
    )
    todo = []
    for application in drafts:
        missing = [c for c in required[application.standard_id] if (application.pk, c.pk) not in covered]
        todo.append({"application": application, "missing": missing, "kind": "draft"})
    unanswered = defaultdict(list)
    for cr in (
        ChangeRequest.objects.open()
        .filter(
            application__in=[a for a in applications if a.status == ApplicationStatus.CHANGES_REQUESTED],
            responded_at__isnull=True,
        )
        .select_related("criterion")
    ):
        unanswered[cr.application_id].append(cr)
    for application in applications:
        if application.status == ApplicationStatus.CHANGES_REQUESTED:
            todo.append(
                {"application": application, "change_requests": unanswered[application.pk], "kind": "changes"}
            )
    return {
        "businesses": businesses,
        "memberships": memberships,
        "applications": applications,
        "certificates": certificates,
        "todo": todo,
    }
