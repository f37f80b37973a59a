"""The application state machine and the other certification writes.

    draft -> submitted -> in review -> changes requested -> in review -> scored
          -> approved | rejected;  withdrawn from draft, submitted or changes requested.

Every transition goes through `_transition`: it locks the row, checks the
state it starts from and who is acting, and records who, when and why."""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

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
from members import roles
from members.models import Business, MembershipStatus

from .errors import CertificationError
from .evidence import EvidenceRejected, inspect_upload
from .models import Application, ApplicationStatus, ChangeRequest, Decision, Evidence
from .tasks import issue_certificates

S = ApplicationStatus
logger = logging.getLogger(__name__)


# --- who is acting -----------------------------------------------------------


def is_business_user(user, application: Application) -> bool:
    """A role in the business granted by the application's association."""
    return roles.is_business_user(user, application.business_id, association_id=application.association_id)


def is_deciding_staff(user, application: Application) -> bool:
    return (
        user.is_superuser
        or StaffMembership.objects.filter(
            association_id=application.association_id, user=user, role__in=EDITING_ROLES
        ).exists()
    )


def is_reviewer(user, application: Application) -> bool:
    """Association staff with a deciding role, or an auditor reviewing it."""
    return (
        is_deciding_staff(user, application)
        or Application.objects.reviewed_by(user).filter(pk=application.pk).exists()
    )


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


def _lock_and_check(application: Application, action: str, *, actor) -> Application:
    """Lock the row and check the state it is in and who is acting; changes nothing."""
    sources, _target, who = TRANSITIONS[action]
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status not in sources:
        raise CertificationError(
            _("This application is %(status)s, so it cannot be %(action)s.")
            % {"status": locked.get_status_display().lower(), "action": ACTION_LABELS[action]}
        )
    if not ACTOR_CHECKS[who](actor, locked):
        raise CertificationError(str(ACTOR_REFUSALS[who]))
    return locked


def _transition(
    application: Application,
    action: str,
    *,
    actor,
    reason: str = "",
    data: dict | None = None,
    changes: dict | None = None,
    locked: Application | None = None,
) -> Application:
    """Lock, check, move (with `changes` saved in the same write), record.
    Callers are already in a transaction; a caller that checked a rule of
    its own first passes the row it `locked`."""
    locked = locked or _lock_and_check(application, action, actor=actor)
    before = locked.status
    locked.status = TRANSITIONS[action][1]
    for name, value in (changes or {}).items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", *(changes or {})])
    log_action(
        locked,
        f"application.{action}",
        actor=actor,
        data={"from": before, "to": locked.status, "reason": reason, **(data or {})},
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
    if not roles.is_business_user(actor, business.pk, association_id=None):
        raise CertificationError(str(ACTOR_REFUSALS[BUSINESS]))
    if standard.status != PublicationStatus.PUBLISHED:
        raise CertificationError(_("You can only apply for a published standard."))
    if not business.memberships.filter(
        association_id=standard.association_id, status=MembershipStatus.ACTIVE
    ).exists():
        raise CertificationError(_("Your business is not an active member of this association."))
    if not roles.is_business_user(actor, business.pk, association_id=standard.association_id):
        raise CertificationError(
            _(
                "Your role at %(business)s was not granted by %(association)s; "
                "ask its staff for an invitation."
            )
            % {"business": business.name, "association": standard.association.name}
        )
    try:
        with transaction.atomic():
            application = Application.objects.create(
                business=business,
                association_id=standard.association_id,
                standard=standard,
                created_by=actor,
                renews=renews,
            )
    except IntegrityError:
        raise CertificationError(
            _("Your business already has an open application for this standard.")
        ) from None
    log_action(application, "application.created", actor=actor, data={"to": S.DRAFT})
    return application


def _check_no_missing_evidence(application: Application) -> None:
    missing = missing_required_criteria(application)
    if missing:
        raise CertificationError(
            _("Add evidence for every required criterion before submitting. Missing: %(codes)s.")
            % {"codes": ", ".join(c.code for c in missing)}
        )


def missing_required_criteria(application: Application) -> list[Criterion]:
    """Required criteria of the standard with no evidence attached yet."""
    return list(
        Criterion.objects.filter(standard_id=application.standard_id, evidence_required=True)
        .exclude(evidence__application=application)
        .order_by("order", "code")
    )


@transaction.atomic
def submit_application(application: Application, *, actor) -> Application:
    locked = _lock_and_check(application, "submit", actor=actor)
    _check_no_missing_evidence(locked)
    return _transition(locked, "submit", actor=actor, locked=locked, changes={"submitted_at": timezone.now()})


@transaction.atomic
def withdraw_application(application: Application, *, actor, reason: str = "") -> Application:
    return _transition(application, "withdraw", actor=actor, reason=reason)


# --- evidence ----------------------------------------------------------------


def evidence_editable(application: Application, criterion_id: int, open_change_criteria=None) -> bool:
    """Evidence may change while the application is a draft, or for a
    criterion under an open change request. `open_change_criteria` (ids)
    saves a query when the caller already has them."""
    if application.status == S.DRAFT:
        return True
    if application.status != S.CHANGES_REQUESTED:
        return False
    if open_change_criteria is None:
        open_change_criteria = set(application.change_requests.open().values_list("criterion_id", flat=True))
    return criterion_id in open_change_criteria


@transaction.atomic
def attach_evidence(
    application: Application,
    *,
    criterion: Criterion,
    file,
    actor,
    name: str | None = None,
    description: str = "",
    effective_from: datetime.date | None = None,
    effective_to: datetime.date | None = None,
) -> Evidence:
    """Check the file (size while streaming, type from its content, name),
    then store it under a random name. A refused file leaves nothing behind."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not is_business_user(actor, application):
        raise CertificationError(str(ACTOR_REFUSALS[BUSINESS]))
    if criterion.standard_id != application.standard_id:
        raise CertificationError(_("This criterion is not part of the application's standard."))
    if not evidence_editable(application, criterion.pk):
        raise CertificationError(
            _(
                "Evidence can be added only while the application is a draft "
                "or the criterion has an open change request."
            )
        )
    if effective_from and effective_to and effective_from > effective_to:
        raise CertificationError(_("The evidence cannot stop being effective before it starts."))
    return store_evidence(
        application,
        criterion=criterion,
        file=file,
        actor=actor,
        name=name,
        description=description,
        effective_from=effective_from,
        effective_to=effective_to,
    )


def store_evidence(
    application: Application,
    *,
    criterion: Criterion,
    file,
    actor,
    name: str | None = None,
    description: str = "",
    effective_from: datetime.date | None = None,
    effective_to: datetime.date | None = None,
) -> Evidence:
    """The hardened upload path, after the caller checked who may add
    evidence now (attach_evidence; audits.findings for a corrective action)."""
    try:
        inspected = inspect_upload(file, name=name if name is not None else file.name)
    except EvidenceRejected as error:
        raise CertificationError(str(error)) from None
    evidence = Evidence(
        application=application,
        criterion=criterion,
        original_name=inspected.name,
        content_type=inspected.content_type,
        size=inspected.size,
        sha256=inspected.sha256,
        description=description.strip(),
        effective_from=effective_from,
        effective_to=effective_to,
        uploaded_by=actor,
    )
    try:
        evidence.file.save("evidence", file, save=False)
    except Exception:
        # Any storage failure (a full or read-only disk, an object store
        # refusing): the storage leaves no partial file, the person is told.
        logger.exception("could not store evidence for application %s", application.pk)
        raise CertificationError(
            _("The file could not be stored just now. Nothing was saved; please try again later.")
        ) from None
    try:
        with transaction.atomic():
            evidence.save()
            log_action(
                application,
                "evidence.added",
                actor=actor,
                data={
                    "criterion": criterion.code,
                    "name": inspected.name,
                    "sha256": inspected.sha256,
                },
            )
    except Exception:
        evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


@transaction.atomic
def remove_evidence(evidence: Evidence, *, actor) -> None:
    application = Application.objects.select_for_update().get(pk=evidence.application_id)
    if not is_business_user(actor, application):
        raise CertificationError(str(ACTOR_REFUSALS[BUSINESS]))
    if not evidence_editable(application, evidence.criterion_id):
        raise CertificationError(
            _(
                "Evidence can be removed only while the application is a draft "
                "or the criterion has an open change request."
            )
        )
    name, storage = evidence.file.name, evidence.file.storage
    log_action(
        application,
        "evidence.removed",
        actor=actor,
        data={
            "criterion": evidence.criterion.code,
            "name": evidence.original_name,
            "sha256": evidence.sha256,
        },
    )
    evidence.delete()
    transaction.on_commit(lambda: _delete_unshared_file(storage, name))


def _delete_unshared_file(storage, name: str) -> None:
    """Renewals carry evidence forward by pointing at the same stored file:
    delete it only when no evidence row points at it any more."""
    if name and not Evidence.objects.filter(file=name).exists():
        storage.delete(name)


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
        application,
        "request_changes",
        actor=actor,
        data={"criteria": [criterion.code for criterion, _message in items]},
    )
    ChangeRequest.objects.bulk_create(
        ChangeRequest(application=application, criterion=criterion, message=message, requested_by=actor)
        for criterion, message in items
    )
    return application


@transaction.atomic
def answer_change_request(change_request: ChangeRequest, *, actor, response: str) -> ChangeRequest:
    application = Application.objects.select_for_update().get(pk=change_request.application_id)
    change_request = ChangeRequest.objects.select_related("criterion").get(pk=change_request.pk)
    if not is_business_user(actor, application):
        raise CertificationError(str(ACTOR_REFUSALS[BUSINESS]))
    if application.status != S.CHANGES_REQUESTED or change_request.resolved_at:
        raise CertificationError(_("This change request is no longer open."))
    if not response.strip():
        raise CertificationError(_("Say what you changed."))
    change_request.response = response.strip()
    change_request.responded_at = timezone.now()
    change_request.save(update_fields=["response", "responded_at"])
    log_action(
        application,
        "change_request.answered",
        actor=actor,
        data={"criterion": change_request.criterion.code, "response": change_request.response},
    )
    return change_request


@transaction.atomic
def resubmit_application(application: Application, *, actor) -> Application:
    locked = _lock_and_check(application, "resubmit", actor=actor)
    unanswered = list(
        application.change_requests.open().filter(responded_at__isnull=True).select_related("criterion")
    )
    if unanswered:
        raise CertificationError(
            _("Answer every change request before resubmitting. Open: %(codes)s.")
            % {"codes": ", ".join(cr.criterion.code for cr in unanswered)}
        )
    _check_no_missing_evidence(locked)
    application = _transition(locked, "resubmit", actor=actor, locked=locked)
    application.change_requests.open().update(resolved_at=timezone.now())
    return application


@dataclass(frozen=True)
class AuditResult:
    """What the auditors' scores came to (audits computes it with its scoring
    rules). Stored on the application when it is scored: the decision checks
    the level against it and the certificate prints its scores."""

    overall: Decimal
    dimensions: dict[str, Decimal]
    level: CertificationLevel | None
    # The KPI gates that capped the level, as audits records them.
    gates_missed: list[dict] = field(default_factory=list)


@transaction.atomic
def mark_scored(
    application: Application,
    *,
    actor,
    result: AuditResult,
    data: dict | None = None,
    locked: Application | None = None,
) -> Application:
    """Scored, with the result stored in the same write. `locked`: a caller
    that checked who may do this itself passes the row it locked (audits,
    when an auditor's conflict completes the scoring)."""
    return _transition(
        application,
        "mark_scored",
        actor=actor,
        data={
            "overall": str(result.overall),
            "level_reached": result.level.name if result.level else None,
            **(data or {}),
        },
        locked=locked,
        changes={
            "overall_score": result.overall,
            "dimension_scores": {name: str(score) for name, score in result.dimensions.items()},
            "level_reached": result.level,
            "gates_missed": result.gates_missed,
        },
    )


# --- decision ----------------------------------------------------------------
# audits.services.approve and reject are the callers: they first check that
# whoever decides did not score the application.


def _decision(actor, reason: str, **fields) -> dict:
    return {"decided_at": timezone.now(), "decided_by": actor, "decision_reason": reason, **fields}


@transaction.atomic
def approve_application(
    application: Application,
    *,
    actor,
    level: CertificationLevel,
    reason: str = "",
    with_conditions: bool = False,
) -> Application:
    """Approve at the level the audit reached (stored when the application
    was scored), or a lower one with a reason, and queue the certificate's
    issuance: the approved state records that it is due, so the sweep
    queues it again if this message is lost."""
    if level.association_id != application.association_id:
        raise CertificationError(_("Choose a level of this application's association."))
    locked = _lock_and_check(application, "approve", actor=actor)
    reached = locked.level_reached
    if reached is None:
        raise CertificationError(
            _("The scores reach no certification level; reject the application instead.")
        )
    if level.min_score > reached.min_score:
        raise CertificationError(_("You cannot approve above the level the scores reached."))
    if level != reached and not reason.strip():
        raise CertificationError(_("Give a reason for approving below the level reached."))
    decision = _decision_type(locked, level, with_conditions=with_conditions)
    application = _transition(
        locked,
        "approve",
        actor=actor,
        reason=reason,
        data={"level": level.name, "decision": decision.value, "conditions": with_conditions},
        locked=locked,
        changes=_decision(
            actor,
            reason,
            decision=decision,
            level=level,
            conditions_open=with_conditions,
            issuance_queued_at=timezone.now(),
        ),
    )
    issue_certificates.delay_on_commit(application_ids=[application.pk])
    return application


def _decision_type(application: Application, level: CertificationLevel, *, with_conditions: bool) -> Decision:
    """A renewal maintains the level it renews or reduces it; a first
    certification is granted, with conditions while nonconformities are open."""
    if application.renews_id is not None:
        renewed = CertificationLevel.objects.filter(
            association_id=application.association_id, name=application.renews.level_name
        ).first()
        if renewed is not None and level.min_score < renewed.min_score:
            return Decision.REDUCE
        return Decision.MAINTAIN
    return Decision.GRANT_WITH_CONDITIONS if with_conditions else Decision.GRANT


@transaction.atomic
def reject_application(application: Application, *, actor, reason: str) -> Application:
    if not reason.strip():
        raise CertificationError(_("Give the rationale for rejecting."))
    return _transition(
        application,
        "reject",
        actor=actor,
        reason=reason,
        data={"decision": Decision.REFUSE.value},
        changes=_decision(actor, reason, decision=Decision.REFUSE),
    )


@transaction.atomic
def refuse_overdue(application: Application, *, reason: str) -> Application | None:
    """The system refuses a scored application whose major nonconformity is
    past its due date (audits.finding_reminders); nobody acts, so no
    actor check. None when it is no longer awaiting the decision."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != S.SCORED:
        return None
    return _transition(
        locked,
        "reject",
        actor=None,
        reason=reason,
        data={"decision": Decision.REFUSE.value, "overdue": True},
        locked=locked,
        changes=_decision(None, reason, decision=Decision.REFUSE),
    )


# --- evidence carried forward by a renewal -------------------------------------

# While the auditors look at the application; a carried item is confirmed or
# rejected before the scoring is submitted (audits refuses it otherwise).
CARRIED_REVIEW_STATES = (S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED)


def unconfirmed_carried_criteria(application: Application) -> list[str]:
    """Codes of the criteria with carried evidence nobody confirmed yet."""
    return sorted(
        set(
            Evidence.objects.filter(
                application=application, carried_from__isnull=False, carried_confirmed=False
            ).values_list("criterion__code", flat=True)
        )
    )


def _lock_carried(evidence: Evidence, *, actor) -> tuple[Application, Evidence]:
    application = Application.objects.select_for_update().get(pk=evidence.application_id)
    evidence = (
        Evidence.objects.select_for_update(of=("self",)).select_related("criterion").get(pk=evidence.pk)
    )
    if not is_reviewer(actor, application):
        raise CertificationError(str(ACTOR_REFUSALS[REVIEWER]))
    if evidence.carried_from_id is None:
        raise CertificationError(_("This evidence was uploaded for this cycle, not carried forward."))
    if evidence.carried_confirmed:
        raise CertificationError(_("This carried evidence is already confirmed."))
    if application.status not in CARRIED_REVIEW_STATES:
        raise CertificationError(
            _("This application is %(status)s: carried evidence can be checked only during the review.")
            % {"status": application.get_status_display().lower()}
        )
    return application, evidence


@transaction.atomic
def confirm_carried_evidence(evidence: Evidence, *, actor) -> Evidence:
    """The reviewer accepts evidence carried from the last cycle as still good."""
    application, evidence = _lock_carried(evidence, actor=actor)
    evidence.carried_confirmed = True
    evidence.save(update_fields=["carried_confirmed"])
    log_action(
        application,
        "evidence.carried_confirmed",
        actor=actor,
        data={
            "criterion": evidence.criterion.code,
            "name": evidence.original_name,
            "sha256": evidence.sha256,
        },
    )
    return evidence


@transaction.atomic
def reject_carried_evidence(evidence: Evidence, *, actor, reason: str) -> Application:
    """The reviewer refuses carried evidence: the row goes (the earlier
    cycle's file stays) and, in review, the business is asked for fresh
    evidence for that criterion through a change request."""
    reason = reason.strip()
    if not reason:
        raise CertificationError(_("Say why the carried evidence is not good enough."))
    application, evidence = _lock_carried(evidence, actor=actor)
    criterion = evidence.criterion
    log_action(
        application,
        "evidence.carried_rejected",
        actor=actor,
        data={
            "criterion": criterion.code,
            "name": evidence.original_name,
            "sha256": evidence.sha256,
            "reason": reason,
        },
    )
    name, storage = evidence.file.name, evidence.file.storage
    evidence.delete()
    transaction.on_commit(lambda: _delete_unshared_file(storage, name))
    message = _(
        "The evidence carried forward from the previous cycle (%(name)s) is not accepted: %(reason)s "
        "Please upload fresh evidence."
    ) % {"name": evidence.original_name, "reason": reason}
    if application.status == S.IN_REVIEW:
        return request_changes(application, actor=actor, items=[(criterion, message)])
    if application.status == S.CHANGES_REQUESTED:
        # Already with the business: add this criterion to the open round.
        ChangeRequest.objects.create(
            application=application, criterion=criterion, message=message, requested_by=actor
        )
    return application
