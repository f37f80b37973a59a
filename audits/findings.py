"""Findings and their corrective-action loop: the state machine, in the
style of the application's (certification.services).

    draft -> open (a nonconformity) | noted (an observation or improvement)
          when the scorecard is submitted;
    open | returned -> answered (the business's corrective action, a new version)
    answered -> accepted | returned (the auditor, with a reason for returning)
    accepted -> closed (the auditor verifies its effectiveness)
    open | noted -> merged (a duplicate, by the lead auditor with a rationale)

Every transition goes through `_transition`: it locks the finding, checks
the state it starts from and who is acting, and records who, when and why
on the application's history."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from associations.services import log_action
from certification import services as certification
from certification.models import Application, ApplicationStatus, Certificate, Evidence
from certification.public_cache import forget_public_pages
from members.models import Declaration

from . import queries
from .models import (
    NONCONFORMITIES,
    Assignment,
    CorrectiveAction,
    Finding,
    FindingGrade,
    FindingStatus,
)

F = FindingStatus
BUSINESS, AUDITOR, LEAD = "business", "auditor", "lead"


class FindingError(Exception):
    """A broken rule, with a message the user can read."""


def is_auditor_of(user, finding: Finding) -> bool:
    """An auditor reviewing the finding's application (assigned, cleared, in force)."""
    return Application.objects.reviewed_by(user).filter(pk=finding.application_id).exists()


def lead_assignment(application: Application) -> Assignment | None:
    """The lead auditor's assignment: the first auditor assigned who is still cleared."""
    return (
        Assignment.objects.current()
        .filter(application=application, declaration=Declaration.NO_CONFLICT)
        .order_by("assigned_at", "pk")
        .first()
    )


def is_lead_auditor(user, finding: Finding) -> bool:
    lead = lead_assignment(finding.application)
    return lead is not None and lead.auditor.user_id == user.pk


def is_business_of(user, finding: Finding) -> bool:
    return certification.is_business_user(user, finding.application)


ACTOR_CHECKS = {BUSINESS: is_business_of, AUDITOR: is_auditor_of, LEAD: is_lead_auditor}
ACTOR_REFUSALS = {
    BUSINESS: gettext_lazy("Only the business's own users can answer a finding."),
    AUDITOR: gettext_lazy("Only an auditor assigned to this application can do this."),
    LEAD: gettext_lazy("Only the lead auditor can merge findings."),
}

# action -> (states it may start from, state it ends in, who may do it)
TRANSITIONS = {
    "answer": ((F.OPEN, F.RETURNED), F.ANSWERED, BUSINESS),
    "accept": ((F.ANSWERED,), F.ACCEPTED, AUDITOR),
    "return": ((F.ANSWERED,), F.RETURNED, AUDITOR),
    "verify": ((F.ACCEPTED,), F.CLOSED, AUDITOR),
    "merge": ((F.OPEN, F.NOTED), F.MERGED, LEAD),
}
ACTION_LABELS = {
    "answer": gettext_lazy("answered"),
    "accept": gettext_lazy("accepted"),
    "return": gettext_lazy("returned"),
    "verify": gettext_lazy("closed as effective"),
    "merge": gettext_lazy("merged"),
}


def roles_of(user, application: Application) -> frozenset[str]:
    """Who `user` is for the application's findings (a page asks once, not per finding)."""
    probe = Finding(application=application)
    return frozenset(who for who, check in ACTOR_CHECKS.items() if check(user, probe))


def allowed_actions(finding: Finding, roles: frozenset[str]) -> list[str]:
    """The transitions someone with `roles` (roles_of) may make now (for showing buttons)."""
    return [
        action
        for action, (sources, _target, who) in TRANSITIONS.items()
        if finding.status in sources and who in roles
    ]


def _lock_and_check(finding: Finding, action: str, *, actor) -> Finding:
    sources, _target, who = TRANSITIONS[action]
    locked = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("application", "criterion")
        .get(pk=finding.pk)
    )
    if locked.status not in sources:
        raise FindingError(
            _("This finding is %(status)s, so it cannot be %(action)s.")
            % {"status": locked.get_status_display().lower(), "action": ACTION_LABELS[action]}
        )
    if not ACTOR_CHECKS[who](actor, locked):
        raise FindingError(str(ACTOR_REFUSALS[who]))
    return locked


def _transition(
    locked: Finding, action: str, *, actor, reason: str = "", changes: dict | None = None
) -> Finding:
    before = locked.status
    locked.status = TRANSITIONS[action][1]
    for name, value in (changes or {}).items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", *(changes or {})])
    log_finding(
        locked, f"finding.{action}", actor=actor, data={"from": before, "to": locked.status, "reason": reason}
    )
    return locked


def log_finding(finding: Finding, action: str, *, actor, data: dict | None = None) -> None:
    """On the application's history, naming the finding."""
    log_action(
        finding.application,
        action,
        actor=actor,
        data={
            "finding": finding.pk,
            "criterion": finding.criterion.code,
            "grade": finding.grade,
            **(data or {}),
        },
    )


# --- raising, on the scoring form ---------------------------------------------


def critical_problem(
    criterion, score: int | None, *, has_major: bool, no_major_reason: str, threshold: int
) -> str | None:
    """A critical criterion scored below the association's threshold (a
    percentage of its maximum) needs a major finding or a reason why not."""
    if not criterion.critical or score is None or has_major or no_major_reason.strip():
        return None
    if score * 100 >= criterion.max_score * threshold:
        return None
    return _(
        "A critical criterion scored below %(threshold)s%% needs a major finding or a reason why not."
    ) % {"threshold": threshold}


def finding_problem(grade: str, statement: str, requirement: str) -> str | None:
    if not statement.strip():
        return _("State the finding.")
    if grade in NONCONFORMITIES and not requirement.strip():
        return _("Name the requirement that is not met.")
    return None


@dataclass(frozen=True)
class NewFinding:
    """A finding as the scoring form raises it."""

    criterion_id: int
    grade: str
    statement: str
    requirement: str = ""
    evidence: tuple = ()


def add_draft_finding(assignment: Assignment, *, criterion, new: NewFinding, actor) -> Finding:
    """Called by services.save_scores with the assignment it locked and checked."""
    grade, statement, requirement = new.grade, new.statement, new.requirement
    if grade not in FindingGrade.values:
        raise FindingError(_("Choose the finding's grade."))
    problem = finding_problem(grade, statement, requirement)
    if problem:
        raise FindingError(f"{criterion.code}: {problem}")
    evidence = list(new.evidence)
    if any(e.application_id != assignment.application_id or e.criterion_id != criterion.pk for e in evidence):
        raise FindingError(_("A finding can rest only on this criterion's evidence."))
    finding = Finding.objects.create(
        application=assignment.application,
        criterion=criterion,
        assignment=assignment,
        grade=grade,
        statement=statement.strip(),
        requirement=requirement.strip() if grade in NONCONFORMITIES else "",
    )
    finding.evidence.set(evidence)
    log_finding(finding, "finding.drafted", actor=actor, data={"auditor": str(assignment.auditor)})
    return finding


@transaction.atomic
def discard_draft_finding(finding: Finding, *, actor) -> None:
    locked = (
        Finding.objects.select_for_update()
        .select_related("assignment__auditor", "application", "criterion")
        .get(pk=finding.pk)
    )
    if locked.status != F.DRAFT or locked.assignment.auditor.user_id != actor.pk:
        raise FindingError(_("Only the auditor who drafted a finding can discard it, before submitting."))
    log_finding(locked, "finding.discarded", actor=actor)
    locked.delete()


def raise_drafts(assignment: Assignment, *, actor) -> None:
    """When the scorecard is submitted: its nonconformities open with the
    association's windows, the rest are noted."""
    association = assignment.application.association
    today = timezone.localdate()
    windows = {
        FindingGrade.MAJOR: today + datetime.timedelta(days=association.major_answer_days),
        FindingGrade.MINOR: today + datetime.timedelta(days=association.minor_close_days),
    }
    drafts = list(
        Finding.objects.select_for_update()
        .filter(assignment=assignment, status=F.DRAFT)
        .select_related("criterion", "application")
    )
    for finding in drafts:
        deadline = windows.get(finding.grade)
        finding.status = F.OPEN if deadline else F.NOTED
        finding.deadline = finding.due_date = deadline
        log_finding(
            finding,
            "finding.raised",
            actor=actor,
            data={"to": finding.status, "statement": finding.statement},
        )
    Finding.objects.bulk_update(drafts, ["status", "deadline", "due_date"])


# --- the consensus step: duplicates merged ---------------------------------------

MERGEABLE_APPLICATION = (ApplicationStatus.IN_REVIEW, ApplicationStatus.SCORED)


@transaction.atomic
def merge_finding(finding: Finding, *, into: Finding, actor, rationale: str) -> Finding:
    """The lead auditor merges a duplicate into the finding that stays: its
    evidence joins the one kept."""
    rationale = rationale.strip()
    if not rationale:
        raise FindingError(_("Give the rationale for merging."))
    locked = _lock_and_check(finding, "merge", actor=actor)
    target = Finding.objects.select_for_update(of=("self",)).get(pk=into.pk)
    if target.pk == locked.pk or target.application_id != locked.application_id:
        raise FindingError(_("Merge a finding into another finding of the same application."))
    if target.status not in (F.OPEN, F.NOTED):
        raise FindingError(_("The finding kept must be open or noted."))
    if locked.application.status not in MERGEABLE_APPLICATION:
        raise FindingError(_("Findings can be merged only before the decision."))
    if not queries.all_submitted(queries.cleared_assignments(locked.application)):
        raise FindingError(_("Every assigned auditor must submit before findings are merged."))
    target.evidence.add(*locked.evidence.all())
    return _transition(
        locked,
        "merge",
        actor=actor,
        reason=rationale,
        changes={"merged_into": target, "merge_rationale": rationale},
    )


# --- the corrective-action loop -----------------------------------------------


@transaction.atomic
def answer_finding(
    finding: Finding,
    *,
    actor,
    root_cause: str,
    correction: str,
    corrective_action: str,
    due_date: datetime.date,
    files=(),
) -> CorrectiveAction:
    """The business's answer, a new version; new evidence through the
    application's hardened upload path."""
    locked = _lock_and_check(finding, "answer", actor=actor)
    if locked.application.status not in (ApplicationStatus.SCORED, ApplicationStatus.APPROVED):
        raise FindingError(_("Findings are answered after the audit is scored."))
    if not (root_cause.strip() and correction.strip() and corrective_action.strip()):
        raise FindingError(_("Give the root cause, the correction and the corrective action."))
    if due_date < timezone.localdate():
        raise FindingError(_("The due date cannot be in the past."))
    if locked.deadline and due_date > locked.deadline:
        raise FindingError(
            _("The due date must be on or before %(deadline)s, the window allowed for this finding.")
            % {"deadline": locked.deadline.isoformat()}
        )
    version = locked.answers.count() + 1
    answer = CorrectiveAction.objects.create(
        finding=locked,
        version=version,
        root_cause=root_cause.strip(),
        correction=correction.strip(),
        corrective_action=corrective_action.strip(),
        due_date=due_date,
        submitted_by=actor,
    )
    stored = []
    for file in files:
        try:
            stored.append(
                certification.store_evidence(
                    locked.application,
                    criterion=locked.criterion,
                    file=file,
                    actor=actor,
                    description=_("Corrective action for a finding (version %(version)s)")
                    % {"version": version},
                )
            )
        except certification.CertificationError as error:
            raise FindingError(str(error)) from None
    answer.evidence.set(stored)
    _transition(locked, "answer", actor=actor, changes={"due_date": due_date})
    log_finding(
        locked, "finding.answer_version", actor=actor, data={"version": version, "files": len(stored)}
    )
    return answer


def _latest_answer(finding: Finding) -> CorrectiveAction:
    return finding.answers.select_for_update().order_by("-version").first()


@transaction.atomic
def accept_answer(finding: Finding, *, actor) -> Finding:
    """Accepting the corrective action of a major lifts its block on the decision."""
    locked = _lock_and_check(finding, "accept", actor=actor)
    answer = _latest_answer(locked)
    answer.review, answer.reviewed_by, answer.reviewed_at = CorrectiveAction.ACCEPTED, actor, timezone.now()
    answer.save(update_fields=["review", "reviewed_by", "reviewed_at"])
    return _transition(locked, "accept", actor=actor)


@transaction.atomic
def return_answer(finding: Finding, *, actor, reason: str) -> Finding:
    reason = reason.strip()
    if not reason:
        raise FindingError(_("Say why the answer is returned; the business will read it."))
    locked = _lock_and_check(finding, "return", actor=actor)
    answer = _latest_answer(locked)
    answer.review, answer.review_reason = CorrectiveAction.RETURNED, reason
    answer.reviewed_by, answer.reviewed_at = actor, timezone.now()
    answer.save(update_fields=["review", "review_reason", "reviewed_by", "reviewed_at"])
    return _transition(locked, "return", actor=actor, reason=reason)


@transaction.atomic
def verify_effectiveness(finding: Finding, *, actor) -> Finding:
    """Closes the finding; the last unresolved nonconformity of a granted
    application clears its conditions (and the certificate's)."""
    locked = _lock_and_check(finding, "verify", actor=actor)
    application = Application.objects.select_for_update().get(pk=locked.application_id)
    closed = _transition(
        locked, "verify", actor=actor, changes={"verified_at": timezone.now(), "verified_by": actor}
    )
    if (
        application.conditions_open
        and not Finding.objects.filter(application=application).unresolved_nonconformities().exists()
    ):
        clear_conditions(application, actor=actor)
    return closed


def clear_conditions(application: Application, *, actor) -> None:
    """Called with the application's row locked."""
    application.conditions_open = False
    application.save(update_fields=["conditions_open"])
    tokens = list(
        Certificate.objects.filter(application=application).values_list("verification_token", flat=True)
    )
    Certificate.objects.filter(application=application).update(conditions_open=False)
    forget_public_pages(tokens)
    log_action(application, "application.conditions_closed", actor=actor, data={})


# --- the decision ----------------------------------------------------------------


def decision_refusal(application: Application, *, with_conditions: bool) -> str | None:
    """Why the application cannot be approved this way, or None: an open
    major blocks approval; open minors allow only a grant with conditions."""
    unresolved = list(
        Finding.objects.filter(application=application)
        .unresolved_nonconformities()
        .select_related("criterion")
    )
    blocking = [f for f in unresolved if f.grade == FindingGrade.MAJOR and f.status != F.ACCEPTED]
    if blocking:
        return _("An open major nonconformity blocks approval: %(findings)s.") % {
            "findings": _names(blocking)
        }
    if unresolved and not with_conditions:
        return _("Open nonconformities allow only a grant with conditions: %(findings)s.") % {
            "findings": _names(unresolved)
        }
    if with_conditions and not unresolved:
        return _("No nonconformity is open, so there are no conditions to grant with.")
    return None


def _names(findings: list[Finding]) -> str:
    return "; ".join(f"{f.get_grade_display()} {f.criterion.code}: {f.statement[:80]}" for f in findings)


def evidence_of_finding(finding: Finding) -> list[Evidence]:
    return list(finding.evidence.all())
