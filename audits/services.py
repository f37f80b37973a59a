"""The auditor workflow: assigning with independence checks, declaring
conflicts, scoring, consensus, change requests and the decision wrappers.

Every write records on the application's history (who, when, before and
after), so staff read one trail per application."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import EDITING_ROLES, Association, CertificationLevel, Criterion
from associations.services import log_action
from certification import services as certification
from certification.models import Application, ApplicationStatus, Evidence
from members.models import AuditorMembership, AuditorProfile, ConflictOfInterest, Declaration
from members.roles import is_business_user

from . import emails, findings, queries
from .models import (
    Assignment,
    Consensus,
    FindingGrade,
    Score,
    Scorecard,
)

S = ApplicationStatus
ASSIGNABLE = (S.SUBMITTED, S.IN_REVIEW, S.CHANGES_REQUESTED)


class AuditError(Exception):
    """A broken rule, with a message the user can read."""


# --- assignment --------------------------------------------------------------


def assignment_refusal(application: Application, auditor: AuditorProfile) -> str | None:
    """Why this auditor cannot be assigned to this application, or None."""
    if not auditor.is_active:
        return _("%(auditor)s is not an active auditor.") % {"auditor": auditor}
    if not auditor.memberships.active().filter(association_id=application.association_id).exists():
        return _("%(auditor)s does not audit for %(association)s.") % {
            "auditor": auditor,
            "association": application.association,
        }
    # Any tie to the business counts, whichever association granted it.
    if is_business_user(auditor.user_id, application.business_id, association_id=None):
        return _("%(auditor)s is a user of %(business)s.") % {
            "auditor": auditor,
            "business": application.business,
        }
    conflicts = ConflictOfInterest.objects.filter(auditor=auditor, business_id=application.business_id)
    own = conflicts.filter(association_id=application.association_id).first()
    if own is not None:
        return _("%(auditor)s declared a conflict of interest with %(business)s: %(reason)s") % {
            "auditor": auditor,
            "business": application.business,
            "reason": own.reason,
        }
    if conflicts.exists():
        # The conflict is real here too, but its reason is the other association's.
        return _("%(auditor)s declared a conflict of interest with %(business)s in another association.") % {
            "auditor": auditor,
            "business": application.business,
        }
    if Assignment.objects.filter(application=application, auditor=auditor, ended_at=None).exists():
        return _("%(auditor)s is already assigned to this application.") % {"auditor": auditor}
    return None


@transaction.atomic
def assign_auditor(application: Application, *, auditor: AuditorProfile, due_date: date, actor) -> Assignment:
    application = (
        Application.objects.select_for_update()
        .select_related("association", "business")
        .get(pk=application.pk)
    )
    if not certification.is_deciding_staff(actor, application):
        raise AuditError(_("Only association staff with a deciding role can assign auditors."))
    if application.status not in ASSIGNABLE:
        raise AuditError(_("Auditors can be assigned only to a submitted application under review."))
    refusal = assignment_refusal(application, auditor)
    if refusal:
        raise AuditError(refusal)
    ended = Assignment.objects.select_for_update().filter(application=application, auditor=auditor).first()
    if ended is not None:
        # An auditor re-added to the association takes up their earlier
        # assignment again (one per auditor and application), with its
        # declaration and scorecard as they were.
        ended.ended_at, ended.due_date, ended.assigned_by = None, due_date, actor
        ended.save(update_fields=["ended_at", "due_date", "assigned_by"])
        assignment = ended
    else:
        assignment = Assignment.objects.create(
            application=application, auditor=auditor, due_date=due_date, assigned_by=actor
        )
    entry = log_action(
        application,
        "audit.assigned",
        actor=actor,
        data={"auditor": str(auditor), "due_date": due_date.isoformat()},
    )
    # A re-opened assignment is a new occasion: the auditor is told again.
    emails.queue_assignment_email(assignment, occasion=entry.pk if ended is not None else None)
    return assignment


@transaction.atomic
def change_due_date(assignment: Assignment, *, due_date: date, actor) -> Assignment:
    """Move an assignment's due date; the auditor stays (reassigning is a new assignment)."""
    locked = Assignment.objects.select_for_update().select_related("application").get(pk=assignment.pk)
    if not certification.is_deciding_staff(actor, locked.application):
        raise AuditError(_("Only association staff with a deciding role can change a due date."))
    if locked.due_date == due_date:
        return locked
    before = locked.due_date
    locked.due_date = due_date
    locked.save(update_fields=["due_date"])
    log_action(
        locked.application,
        "audit.due_date_changed",
        actor=actor,
        data={"auditor": str(locked.auditor), "before": before.isoformat(), "after": due_date.isoformat()},
    )
    return locked


# --- auditor memberships -----------------------------------------------------


def _check_membership_staff(association_id: int, actor) -> None:
    if not (
        actor.is_superuser
        or Association.objects.administered_by(actor, roles=EDITING_ROLES).filter(pk=association_id).exists()
    ):
        raise AuditError(_("Only association staff with a deciding role can add or remove auditors."))


@transaction.atomic
def end_auditor_membership(membership: AuditorMembership, *, actor) -> AuditorMembership:
    """The auditor stops auditing for the association: from now on they reach
    none of its applications, and their assignments there end (shown as
    ended to staff and in the auditor's queue, and on each application's
    history). A scorecard they submitted still counts; an unfinished one
    drops out, so the scoring may now be complete."""
    membership = (
        AuditorMembership.objects.select_for_update()
        .select_related("auditor", "association")
        .get(pk=membership.pk)
    )
    _check_membership_staff(membership.association_id, actor)
    if membership.ended_at is not None:
        raise AuditError(_("%(auditor)s no longer audits for %(association)s.") % _names(membership))
    now = timezone.now()
    membership.ended_at, membership.ended_by = now, actor
    membership.save(update_fields=["ended_at", "ended_by"])
    ended = list(
        Assignment.objects.select_for_update()
        .filter(auditor=membership.auditor, application__association=membership.association, ended_at=None)
        .select_related("application")
        .order_by("pk")
    )
    Assignment.objects.filter(pk__in=[a.pk for a in ended]).update(ended_at=now)
    log_action(membership, "auditor.membership_ended", actor=actor, data={"assignments": len(ended)})
    for assignment in ended:
        log_action(
            assignment.application,
            "audit.assignment_ended",
            actor=actor,
            data={"auditor": str(membership.auditor)},
        )
        _mark_scored_when_done(assignment.application, actor=actor)
    return membership


@transaction.atomic
def add_auditor_membership(auditor: AuditorProfile, *, association, actor) -> AuditorMembership:
    """The auditor audits for the association (again). Assignments ended
    when they were removed stay ended: staff assign them again."""
    _check_membership_staff(association.pk, actor)
    membership, created = AuditorMembership.objects.select_for_update().get_or_create(
        auditor=auditor, association=association
    )
    if not created:
        if membership.ended_at is None:
            raise AuditError(_("%(auditor)s already audits for %(association)s.") % _names(membership))
        membership.started_at, membership.ended_at, membership.ended_by = timezone.now(), None, None
        membership.save(update_fields=["started_at", "ended_at", "ended_by"])
    log_action(membership, "auditor.membership_added", actor=actor, data={"again": not created})
    return membership


def _names(membership: AuditorMembership) -> dict:
    return {"auditor": membership.auditor, "association": membership.association}


def _own_assignment(assignment: Assignment, actor) -> Assignment:
    locked = (
        Assignment.objects.select_for_update().select_related("auditor", "application").get(pk=assignment.pk)
    )
    if locked.auditor.user_id != actor.pk or not Assignment.objects.current().filter(pk=locked.pk).exists():
        raise AuditError(_("Only the assigned auditor can do this."))
    return locked


def _declare(assignment: Assignment, declaration: str, *, actor, reason: str = "") -> Assignment:
    """Record the auditor's one declaration, with its history entry."""
    assignment = _own_assignment(assignment, actor)
    if assignment.declaration != Declaration.PENDING:
        raise AuditError(_("You have already made your declaration."))
    assignment.declaration = declaration
    assignment.conflict_reason = reason
    assignment.declared_at = timezone.now()
    assignment.save(update_fields=["declaration", "conflict_reason", "declared_at"])
    action = "audit.no_conflict" if declaration == Declaration.NO_CONFLICT else "audit.conflict_declared"
    data = {"auditor": str(assignment.auditor), "before": Declaration.PENDING, "after": declaration}
    log_action(
        assignment.application, action, actor=actor, data={**data, **({"reason": reason} if reason else {})}
    )
    return assignment


@transaction.atomic
def declare_no_conflict(assignment: Assignment, *, actor) -> Assignment:
    """The auditor may now see the application; the first one starts the review."""
    assignment = _declare(assignment, Declaration.NO_CONFLICT, actor=actor)
    if assignment.application.status == S.SUBMITTED:
        certification.start_review(assignment.application, actor=actor)
    return assignment


@transaction.atomic
def declare_conflict(assignment: Assignment, *, actor, reason: str) -> Assignment:
    """Returns the assignment to staff and refuses future assignments to the business."""
    reason = reason.strip()
    if not reason:
        raise AuditError(_("Say what the conflict of interest is."))
    assignment = _declare(assignment, Declaration.CONFLICT, actor=actor, reason=reason)
    ConflictOfInterest.objects.get_or_create(
        auditor=assignment.auditor,
        business_id=assignment.application.business_id,
        association_id=assignment.application.association_id,
        defaults={"reason": reason},
    )
    # The others may all have submitted already: with this auditor out, the
    # scoring may be complete. The declaring auditor completed it.
    _mark_scored_when_done(assignment.application, actor=actor, data={"after": "conflict"}, vouched=True)
    return assignment


# --- scoring -----------------------------------------------------------------


def score_problems(criterion: Criterion, score: int | None, comment: str, *, complete: bool) -> str | None:
    """What is wrong with one criterion's entry, or None."""
    if score is None:
        return _("Give a score.") if complete else None
    if not 0 <= score <= criterion.max_score:
        return _("The score must be between 0 and %(max)s.") % {"max": criterion.max_score}
    if score * 2 < criterion.max_score and not comment.strip():
        return _("Explain a score below half the maximum in a comment.")
    return None


def _cleared_assignment(assignment: Assignment, actor) -> Assignment:
    assignment = _own_assignment(assignment, actor)
    if assignment.declaration != Declaration.NO_CONFLICT:
        raise AuditError(_("Declare that you have no conflict of interest first."))
    return assignment


def _check_survey_comments(application, criteria, existing, entries, comments: dict[str, str]) -> None:
    """A sharp disagreement with the customers' survey needs the auditor's comment."""
    scores = {pk: existing[pk].score for pk in existing} | {pk: score for pk, (score, _c) in entries.items()}
    _n, rows = queries.survey_rows(application, list(criteria.values()), scores)
    uncommented = [str(row.label) for row in rows if row.sharp and not comments.get(row.dimension)]
    if uncommented:
        raise AuditError(
            _(
                "Your score and the customers' survey disagree sharply on %(dimensions)s: "
                "say why in a comment before submitting."
            )
            % {"dimensions": ", ".join(uncommented)}
        )


@transaction.atomic
def save_scores(
    assignment: Assignment,
    *,
    actor,
    entries: dict[int, tuple[int | None, str]],
    submit: bool = False,
    new_findings: Iterable[findings.NewFinding] = (),
    no_major_reasons: dict[int, str] | None = None,
    survey_comments: dict[str, str] | None = None,
) -> Scorecard:
    """Save the auditor's scores ({criterion id: (score, comment)}) as a
    draft, or submit them, which locks the scorecard. Bulk writes: the same
    number of queries for 5 criteria or 60. `new_findings` are drafted on
    the scorecard (raised when it is submitted); `no_major_reasons`
    ({criterion id: why}) answer the critical-criterion rule.
    `survey_comments`: {dimension: comment} on the customers' survey gaps;
    submitting needs one for every dimension where they and the auditor
    disagree sharply."""
    assignment = _cleared_assignment(assignment, actor)
    application = assignment.application
    if application.status != S.IN_REVIEW:
        raise AuditError(_("Scores can be changed only while the application is in review."))
    unconfirmed = certification.unconfirmed_carried_criteria(application) if submit else []
    if unconfirmed:
        raise AuditError(
            _("Confirm or reject the evidence carried forward from the previous cycle first: %(codes)s.")
            % {"codes": ", ".join(unconfirmed)}
        )
    scorecard, _created = Scorecard.objects.select_for_update().get_or_create(assignment=assignment)
    if scorecard.is_submitted:
        raise AuditError(_("This scorecard is submitted and locked."))
    criteria = {c.pk: c for c in Criterion.objects.filter(standard_id=application.standard_id)}
    if set(entries) - set(criteria):
        raise AuditError(_("Score only the criteria of this application's standard."))
    existing = {s.criterion_id: s for s in scorecard.scores.all()}
    new_findings = list(new_findings)
    reasons = {
        pk: (no_major_reasons or {}).get(pk, existing[pk].no_major_reason if pk in existing else "")
        for pk in criteria
    }
    if any(f.criterion_id not in criteria for f in new_findings) or set(reasons) - set(criteria):
        raise AuditError(_("Raise findings only on the criteria of this application's standard."))
    majors = {f.criterion_id for f in new_findings if f.grade == FindingGrade.MAJOR} | set(
        assignment.findings.filter(grade=FindingGrade.MAJOR).values_list("criterion_id", flat=True)
    )
    threshold = application.association.critical_threshold_percent
    problems = []
    for pk, criterion in criteria.items():
        score, comment = entries.get(
            pk, (existing[pk].score, existing[pk].comment) if pk in existing else (None, "")
        )
        problem = score_problems(criterion, score, comment, complete=submit) or (
            findings.critical_problem(
                criterion, score, has_major=pk in majors, no_major_reason=reasons[pk], threshold=threshold
            )
            if submit
            else None
        )
        if problem:
            problems.append(f"{criterion.code}: {problem}")
    if problems:
        raise AuditError(" ".join(problems))
    if survey_comments is not None:
        scorecard.survey_comments = {d: c.strip() for d, c in survey_comments.items() if c.strip()}
    if submit:
        _check_survey_comments(application, criteria, existing, entries, scorecard.survey_comments)
    try:
        for new in new_findings:
            findings.add_draft_finding(assignment, criterion=criteria[new.criterion_id], actor=actor, new=new)
    except findings.FindingError as error:
        raise AuditError(str(error)) from None
    before, after, to_create, to_update = {}, {}, [], []
    for pk, (score, comment) in entries.items():
        comment = comment.strip()
        old = existing.get(pk)
        if old is None:
            to_create.append(Score(scorecard=scorecard, criterion_id=pk, score=score, comment=comment))
        elif (old.score, old.comment) != (score, comment):
            before[criteria[pk].code] = [old.score, old.comment]
            old.score, old.comment = score, comment
            to_update.append(old)
        else:
            continue
        after[criteria[pk].code] = [score, comment]
    Score.objects.bulk_create(to_create)
    Score.objects.bulk_update(to_update, ["score", "comment"])
    if no_major_reasons:
        scores = list(scorecard.scores.filter(criterion_id__in=no_major_reasons))
        for row in scores:
            row.no_major_reason = no_major_reasons[row.criterion_id].strip()
        Score.objects.bulk_update(scores, ["no_major_reason"])
    log_action(
        application,
        "audit.scores_saved",
        actor=actor,
        data={"auditor": str(assignment.auditor), "before": before, "after": after},
    )
    if submit:
        scorecard.submitted_at = timezone.now()
    scorecard.save(update_fields=["submitted_at", "survey_comments", "updated_at"])
    if submit:
        log_action(
            application, "audit.scorecard_submitted", actor=actor, data={"auditor": str(assignment.auditor)}
        )
        findings.raise_drafts(assignment, actor=actor)
        _mark_scored_when_done(application, actor=actor)
    return scorecard


@transaction.atomic
def record_consensus(
    application: Application, *, criterion: Criterion, score: Decimal, rationale: str, actor
) -> Consensus:
    """The auditors' agreed score for a flagged criterion."""
    application = Application.objects.select_for_update().select_related("association").get(pk=application.pk)
    assignments = queries.cleared_assignments(application)
    if not Application.objects.reviewed_by(actor).filter(pk=application.pk).exists():
        raise AuditError(_("Only an auditor assigned to this application can record a consensus."))
    if application.status != S.IN_REVIEW:
        raise AuditError(_("A consensus can be recorded only while the application is in review."))
    if not queries.all_submitted(assignments):
        raise AuditError(_("Every assigned auditor must submit before a consensus is recorded."))
    if criterion.standard_id != application.standard_id:
        raise AuditError(_("Choose a criterion of this application's standard."))
    result = queries.result_for(application)
    flagged = {s.code for s in result.spreads if s.value > application.association.consensus_threshold}
    if criterion.code not in flagged:
        raise AuditError(
            _("The auditors agree on %(code)s; no consensus is needed.") % {"code": criterion.code}
        )
    if not 0 <= score <= criterion.max_score:
        raise AuditError(_("The score must be between 0 and %(max)s.") % {"max": criterion.max_score})
    if not rationale.strip():
        raise AuditError(_("Give the rationale for the agreed score."))
    existing = Consensus.objects.filter(application=application, criterion=criterion).first()
    before = [str(existing.score), existing.rationale] if existing else None
    consensus, _created = Consensus.objects.update_or_create(
        application=application,
        criterion=criterion,
        defaults={"score": score, "rationale": rationale.strip(), "recorded_by": actor},
    )
    log_action(
        application,
        "audit.consensus",
        actor=actor,
        data={
            "criterion": criterion.code,
            "before": before,
            "after": [str(consensus.score), consensus.rationale],
        },
    )
    _mark_scored_when_done(application, actor=actor)
    return consensus


def _mark_scored_when_done(
    application: Application, *, actor, data: dict | None = None, vouched: bool = False
) -> None:
    """Scored once every assigned auditor submitted and no disagreement is open.

    `vouched`: the caller checked the actor itself (the auditor whose conflict
    declaration completed the scoring is no reviewer any more, yet is who
    completed it, so the history names them)."""
    application.refresh_from_db(fields=["status"])
    if application.status != S.IN_REVIEW:
        return
    if not queries.all_submitted(queries.cleared_assignments(application)):
        return
    if application.assignments.filter(declaration=Declaration.PENDING, ended_at=None).exists():
        return
    result = queries.result_for(application)
    if result.open_flags:
        return
    stored = queries.audit_result(result)
    if not vouched:
        certification.mark_scored(application, actor=actor, result=stored, data=data)
        return
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status == S.IN_REVIEW:
        certification.mark_scored(locked, actor=actor, result=stored, data=data, locked=locked)


# --- change requests ---------------------------------------------------------


@transaction.atomic
def request_changes(
    application: Application, *, actor, items: Iterable[tuple[Criterion, str]]
) -> Application:
    try:
        application = certification.request_changes(application, actor=actor, items=items)
    except certification.CertificationError as error:
        raise AuditError(str(error)) from None
    emails.queue_changes_requested_email(application)
    return application


# --- evidence carried forward by a renewal -----------------------------------


def _carried_of(assignment: Assignment, evidence: Evidence, actor) -> Assignment:
    assignment = _cleared_assignment(assignment, actor)
    if evidence.application_id != assignment.application_id:
        raise AuditError(_("This evidence belongs to another application."))
    return assignment


@transaction.atomic
def confirm_carried_evidence(assignment: Assignment, *, evidence: Evidence, actor) -> Evidence:
    """The cleared auditor confirms evidence carried from the last cycle."""
    _carried_of(assignment, evidence, actor)
    try:
        return certification.confirm_carried_evidence(evidence, actor=actor)
    except certification.CertificationError as error:
        raise AuditError(str(error)) from None


@transaction.atomic
def reject_carried_evidence(assignment: Assignment, *, evidence: Evidence, actor, reason: str) -> Application:
    """The cleared auditor refuses it; in review the business is asked for fresh evidence."""
    _carried_of(assignment, evidence, actor)
    try:
        application = certification.reject_carried_evidence(evidence, actor=actor, reason=reason)
    except certification.CertificationError as error:
        raise AuditError(str(error)) from None
    if application.status == S.CHANGES_REQUESTED:
        emails.queue_changes_requested_email(application)
    return application


# --- decision ----------------------------------------------------------------


def _check_separation_of_duties(application: Application, actor) -> None:
    """Whoever scored the application (a score or a consensus) may not decide it."""
    scored = (
        Score.objects.filter(
            scorecard__assignment__application=application, scorecard__assignment__auditor__user=actor
        ).exists()
        or Consensus.objects.filter(application=application, recorded_by=actor).exists()
    )
    if scored:
        raise AuditError(_("You scored this application, so someone else must decide it."))


@transaction.atomic
def approve(
    application: Application,
    *,
    actor,
    level: CertificationLevel,
    reason: str = "",
    with_conditions: bool = False,
) -> Application:
    """The decision to certify, at the level the scores reached (stored when
    the application was scored) or lower with a reason. An open major
    nonconformity refuses it, naming the finding; open minors allow only a
    grant with conditions. Approving queues the certificate's issuance; the
    business and the auditors are emailed."""
    _check_separation_of_duties(application, actor)
    # Locked first so no finding changes between the check and the decision.
    application = Application.objects.select_for_update().get(pk=application.pk)
    refusal = findings.decision_refusal(application, with_conditions=with_conditions)
    if refusal:
        raise AuditError(refusal)
    try:
        application = certification.approve_application(
            application, actor=actor, level=level, reason=reason, with_conditions=with_conditions
        )
    except certification.CertificationError as error:
        raise AuditError(str(error)) from None
    emails.queue_decision_emails(application)
    return application


@transaction.atomic
def reject(application: Application, *, actor, reason: str) -> Application:
    _check_separation_of_duties(application, actor)
    try:
        application = certification.reject_application(application, actor=actor, reason=reason)
    except certification.CertificationError as error:
        raise AuditError(str(error)) from None
    emails.queue_decision_emails(application)
    return application
