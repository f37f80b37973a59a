"""The application state machine and the other certification writes.

    draft -> submitted -> in review -> changes requested -> in review -> scored
          -> approved | rejected;  withdrawn from draft, submitted or changes requested.

Every transition goes through `_transition`: it locks the row, checks the
state it starts from and who is acting, and records who, when and why."""

from collections.abc import Callable, Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from associations.models import (
    EDITING_ROLES,
    CertificationLevel,
    Criterion,
    PublicationStatus,
    StaffMembership,
    Standard,
)
from associations.services import log_action
from members.models import Business, BusinessUser, MembershipStatus

from .models import Application, ApplicationStatus, ChangeRequest

S = ApplicationStatus


class CertificationError(Exception):
    """A broken rule, with a message the user can read."""


# --- who is acting -----------------------------------------------------------

# Higher apps register who else may review an application (audits: an
# assigned auditor who declared no conflict) and what stops a decision
# (audits: the decider scored it). certification never imports audits.
REVIEWER_CHECKS: list[Callable] = []  # (user, application) -> bool
DECISION_GUARDS: list[Callable] = []  # (user, application) -> None or raise CertificationError
# Called inside the approving transaction; issuance registers here and
# enqueues its task on commit.
APPROVAL_HOOKS: list[Callable] = []  # (application) -> None


def is_business_user(user, application: Application) -> bool:
    return BusinessUser.objects.filter(business_id=application.business_id, user=user).exists()


def is_deciding_staff(user, application: Application) -> bool:
    return user.is_superuser or StaffMembership.objects.filter(
        association_id=application.association_id, user=user, role__in=EDITING_ROLES
    ).exists()


def is_reviewer(user, application: Application) -> bool:
    return is_deciding_staff(user, application) or any(check(user, application) for check in REVIEWER_CHECKS)


BUSINESS, REVIEWER, DECIDER = "business", "reviewer", "decider"
ACTOR_CHECKS = {BUSINESS: is_business_user, REVIEWER: is_reviewer, DECIDER: is_deciding_staff}
ACTOR_REFUSALS = {
    BUSINESS: gettext_lazy("Only the business's own users can do this."),
    REVIEWER: gettext_lazy("Only an auditor assigned to this application or association staff can do this."),
    DECIDER: gettext_lazy("Only association staff with a deciding role can do this."),
}

# action -> (states it may start from, state it ends in, who may do it)
TRANSITIONS = {
    "submit": ((S.DRAFT,), S.SUBMITTED, BUSINESS),
    "start_review": ((S.SUBMITTED,), S.IN_REVIEW, REVIEWER),
    "request_changes": ((S.IN_REVIEW,), S.CHANGES_REQUESTED, REVIEWER),
    "resubmit": ((S.CHANGES_REQUESTED,), S.IN_REVIEW, BUSINESS),
    "mark_scored": ((S.IN_REVIEW,), S.SCORED, REVIEWER),
    "approve": ((S.SCORED,), S.APPROVED, DECIDER),
    "reject": ((S.SCORED,), S.REJECTED, DECIDER),
    "withdraw": ((S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED), S.WITHDRAWN, BUSINESS),
}


def allowed_actions(application: Application, user) -> list[str]:
    """The transitions `user` may make now (for showing buttons)."""
    return [
        action
        for action, (sources, _target, who) in TRANSITIONS.items()
        if application.status in sources and ACTOR_CHECKS[who](user, application)
    ]


def _transition(
    application: Application, action: str, *, actor, reason: str = "", data: dict | None = None,
    fields: dict | None = None,
) -> Application:
    """Lock, check, move, record. Callers are already in a transaction.
    `fields` are saved with the status (the approved state's check constraint
    needs the level in the same UPDATE)."""
    sources, target, who = TRANSITIONS[action]
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status not in sources:
        raise CertificationError(
            _("This application is %(status)s, so it cannot be %(action)s.")
            % {"status": locked.get_status_display().lower(), "action": ACTION_LABELS[action]}
        )
    if not ACTOR_CHECKS[who](actor, locked):
        raise CertificationError(str(ACTOR_REFUSALS[who]))
    before = locked.status
    locked.status = target
    for name, value in (fields or {}).items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", *(fields or {})])
    log_action(
        locked, f"application.{action}", actor=actor,
        data={"from": before, "to": target, "reason": reason, **(data or {})},
    )
    return locked


ACTION_LABELS = {
    "submit": gettext_lazy("submitted"),
    "start_review": gettext_lazy("taken into review"),
    "request_changes": gettext_lazy("sent back for changes"),
    "resubmit": gettext_lazy("resubmitted"),
    "mark_scored": gettext_lazy("marked as scored"),
    "approve": gettext_lazy("approved"),
    "reject": gettext_lazy("rejected"),
    "withdraw": gettext_lazy("withdrawn"),
}


# --- creating and submitting -------------------------------------------------


@transaction.atomic
def create_application(business: Business, *, standard: Standard, actor, renews=None) -> Application:
    if not BusinessUser.objects.filter(business=business, user=actor).exists():
        raise CertificationError(str(ACTOR_REFUSALS[BUSINESS]))
    if standard.status != PublicationStatus.PUBLISHED:
        raise CertificationError(_("You can only apply for a published standard."))
    if not business.memberships.filter(
        association_id=standard.association_id, status=MembershipStatus.ACTIVE
    ).exists():
        raise CertificationError(_("Your business is not an active member of this association."))
    try:
        with transaction.atomic():
            application = Application.objects.create(
                business=business, association_id=standard.association_id, standard=standard,
                created_by=actor, renews=renews,
            )
    except IntegrityError:
        raise CertificationError(
            _("Your business already has an open application for this standard.")
        ) from None
    log_action(application, "application.created", actor=actor, data={"to": S.DRAFT})
    return application


def missing_required_criteria(application: Application) -> list[Criterion]:
    """Required criteria of the standard with no evidence attached yet."""
    return list(
        Criterion.objects.filter(standard_id=application.standard_id, evidence_required=True)
        .exclude(evidence__application=application)
        .order_by("order", "code")
    )


@transaction.atomic
def submit_application(application: Application, *, actor) -> Application:
    missing = missing_required_criteria(application)
    if missing:
        raise CertificationError(
            _("Add evidence for every required criterion before submitting. Missing: %(codes)s.")
            % {"codes": ", ".join(c.code for c in missing)}
        )
    application = _transition(application, "submit", actor=actor)
    application.submitted_at = timezone.now()
    application.save(update_fields=["submitted_at"])
    return application


@transaction.atomic
def withdraw_application(application: Application, *, actor, reason: str = "") -> Application:
    return _transition(application, "withdraw", actor=actor, reason=reason)


# --- review ------------------------------------------------------------------


@transaction.atomic
def start_review(application: Application, *, actor) -> Application:
    return _transition(application, "start_review", actor=actor)


@transaction.atomic
def request_changes(
    application: Application, *, actor, items: Iterable[tuple[Criterion, str]]
) -> Application:
    """Send the application back naming, per criterion, what is missing."""
    items = [(criterion, message.strip()) for criterion, message in items if message.strip()]
    if not items:
        raise CertificationError(_("Name at least one criterion and say what is missing."))
    if any(criterion.standard_id != application.standard_id for criterion, _message in items):
        raise CertificationError(_("A change request must name criteria of this application's standard."))
    application = _transition(
        application, "request_changes", actor=actor,
        data={"criteria": [criterion.code for criterion, _message in items]},
    )
    ChangeRequest.objects.bulk_create(
        ChangeRequest(application=application, criterion=criterion, message=message, requested_by=actor)
        for criterion, message in items
    )
    return application


@transaction.atomic
def answer_change_request(change_request: ChangeRequest, *, actor, response: str) -> ChangeRequest:
    application = change_request.application
    if application.status != S.CHANGES_REQUESTED or change_request.resolved_at:
        raise CertificationError(_("This change request is no longer open."))
    if not is_business_user(actor, application):
        raise CertificationError(str(ACTOR_REFUSALS[BUSINESS]))
    if not response.strip():
        raise CertificationError(_("Say what you changed."))
    change_request.response = response.strip()
    change_request.responded_at = timezone.now()
    change_request.save(update_fields=["response", "responded_at"])
    log_action(application, "change_request.answered", actor=actor,
               data={"criterion": change_request.criterion.code, "response": change_request.response})
    return change_request


@transaction.atomic
def resubmit_application(application: Application, *, actor) -> Application:
    unanswered = list(
        application.change_requests.open().filter(responded_at__isnull=True).select_related("criterion")
    )
    if unanswered:
        raise CertificationError(
            _("Answer every change request before resubmitting. Open: %(codes)s.")
            % {"codes": ", ".join(cr.criterion.code for cr in unanswered)}
        )
    missing = missing_required_criteria(application)
    if missing:
        raise CertificationError(
            _("Add evidence for every required criterion before submitting. Missing: %(codes)s.")
            % {"codes": ", ".join(c.code for c in missing)}
        )
    application = _transition(application, "resubmit", actor=actor)
    application.change_requests.open().update(resolved_at=timezone.now())
    return application


@transaction.atomic
def mark_scored(application: Application, *, actor, data: dict | None = None) -> Application:
    return _transition(application, "mark_scored", actor=actor, data=data)


# --- decision ----------------------------------------------------------------


def _check_decision(application: Application, actor) -> None:
    for guard in DECISION_GUARDS:
        guard(actor, application)


@transaction.atomic
def approve_application(
    application: Application, *, actor, level: CertificationLevel, reason: str = "",
    level_reached: CertificationLevel | None = None,
) -> Application:
    """Approve at the level reached, or a lower one with a reason. The
    certificate is issued from the approved state (see issuance)."""
    if level.association_id != application.association_id:
        raise CertificationError(_("Choose a level of this application's association."))
    if level_reached is not None and level.min_score > level_reached.min_score:
        raise CertificationError(_("You cannot approve above the level the scores reached."))
    if level_reached is not None and level != level_reached and not reason.strip():
        raise CertificationError(_("Give a reason for approving below the level reached."))
    _check_decision(application, actor)
    application = _transition(
        application, "approve", actor=actor, reason=reason, data={"level": level.name},
        fields={"level": level, "decided_at": timezone.now(), "decided_by": actor, "decision_reason": reason},
    )
    for hook in APPROVAL_HOOKS:
        hook(application)
    return application


@transaction.atomic
def reject_application(application: Application, *, actor, reason: str) -> Application:
    if not reason.strip():
        raise CertificationError(_("Give the rationale for rejecting."))
    _check_decision(application, actor)
    application = _transition(application, "reject", actor=actor, reason=reason)
    application.decided_at = timezone.now()
    application.decided_by = actor
    application.decision_reason = reason
    application.save(update_fields=["decided_at", "decided_by", "decision_reason"])
    return application
