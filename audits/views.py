"""The auditor pages (/audit/). Thin: resolve the object through the
auditor's own assignments, validate, call one service, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from associations.models import Criterion, Dimension
from certification.complaints.records import complaint_record
from certification.files import PREVIEWABLE, preview_evidence
from certification.models import Application, ApplicationStatus, Evidence
from certification.services import CARRIED_REVIEW_STATES
from members.models import AuditorProfile, Declaration
from members.roles import role_required

from . import finding_queries, findings, queries, services
from . import report as audit_report
from .forms import (
    AnswerReviewForm,
    CarriedEvidenceForm,
    ChangeRequestForm,
    ConflictForm,
    ConsensusForm,
    MergeForm,
    ScorecardForm,
)
from .models import Assignment, Finding

# Shown in the page; anything else is downloaded. (Only these of the
# uploadable types, certification.evidence, can be shown.)


def _is_auditor(request) -> bool:
    request.auditor = AuditorProfile.objects.filter(user=request.user, is_active=True).first()
    return request.auditor is not None


# Auditor pages answer 404 to anyone without an active auditor profile.
auditor_required = role_required(_is_auditor)


def _cleared_assignment(request, application_pk: int) -> Assignment:
    """The auditor's assignment to a visible application, after a no-conflict declaration."""
    return get_object_or_404(
        Assignment.objects.current()
        .filter(auditor=request.auditor, declaration=Declaration.NO_CONFLICT)
        .filter(application__in=Application.objects.visible_to(request.user))
        .select_related("application__business", "application__standard", "application__association"),
        application_id=application_pk,
    )


@auditor_required
def queue(request):
    return render(
        request,
        "audits/queue.html",
        {
            "assignments": list(queries.queue_for(request.user)),
            "finished": list(queries.finished_for(request.user)),
            "ended": list(queries.ended_for(request.user)),
        },
    )


@auditor_required
def assignment(request, pk):
    """The declaration, before anything of the application is shown."""
    assignment = get_object_or_404(
        Assignment.objects.of_auditor(request.user).select_related("application__business"), pk=pk
    )
    if assignment.declaration == Declaration.NO_CONFLICT:
        return redirect("audits:application", assignment.application_id)
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and assignment.declaration == Declaration.PENDING and form.is_valid():
        try:
            if form.cleaned_data["conflict"] == "yes":
                services.declare_conflict(assignment, actor=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, _("Your conflict is recorded; staff will reassign the audit."))
                return redirect("audits:queue")
            services.declare_no_conflict(assignment, actor=request.user)
        except services.AuditError as error:
            messages.error(request, str(error))
        else:
            return redirect("audits:application", assignment.application_id)
    return render(request, "audits/assignment.html", {"assignment": assignment, "form": form})


@auditor_required
def application(request, pk):
    assignment = _cleared_assignment(request, pk)
    app = assignment.application
    criteria = queries.criteria_of(app)
    evidence = queries.evidence_of(app)
    by_criterion = {c.pk: [e for e in evidence if e.criterion_id == c.pk] for c in criteria}
    change_requests, new_evidence = queries.changes_since_request(app)
    assignments, score_rows = queries.score_table(app, criteria)
    everyone_submitted = queries.all_submitted(assignments)
    result = queries.result_for(app) if everyone_submitted else None
    reports, kpi_rows = queries.kpi_table(app)
    return render(
        request,
        "audits/application.html",
        {
            "assignment": assignment,
            "application": app,
            "groups": queries.grouped_by_dimension(
                [(c, by_criterion[c.pk]) for c in criteria], key=lambda row: row[0].dimension
            ),
            "previewable": PREVIEWABLE,
            "change_requests": change_requests,
            "new_evidence": new_evidence,
            "assignments": assignments,
            "everyone_submitted": everyone_submitted,
            # Blind scoring: the others' scores and reasoning only once all submitted.
            "score_rows": score_rows if everyone_submitted else [],
            "result": result,
            "flagged": _flag_rows(result, criteria, app.association.consensus_threshold) if result else [],
            "reports": reports,
            "kpi_rows": kpi_rows,
            "scorecard": getattr(assignment, "scorecard", None),
            "can_request_changes": app.status == ApplicationStatus.IN_REVIEW,
            "can_check_carried": app.status in CARRIED_REVIEW_STATES,
        },
    )


def _flag_rows(result, criteria, threshold):
    """(criterion, spread, consensus score or None, form) for every flagged criterion."""
    by_code = {c.code: c for c in criteria}
    return [
        (by_code[s.code], s, result.consensus.get(s.code), ConsensusForm(prefix=f"c{by_code[s.code].pk}"))
        for s in result.spreads
        if s.value > threshold
    ]


@auditor_required
def score(request, pk):
    assignment = _cleared_assignment(request, pk)
    criteria = queries.criteria_of(assignment.application)
    scorecard, scores = queries.scorecard_for(assignment)
    submitting = "submit" in request.POST
    form = ScorecardForm(
        request.POST or None,
        criteria=criteria,
        scores=scores,
        submitting=submitting,
        evidence=queries.evidence_of(assignment.application),
    )
    locked = bool(scorecard and scorecard.is_submitted)
    if request.method == "POST" and not locked and form.is_valid():
        try:
            services.save_scores(
                assignment,
                actor=request.user,
                entries=form.entries(),
                submit=submitting,
                new_findings=form.new_findings(),
                no_major_reasons=form.no_major_reasons(),
                survey_comments={d: request.POST.get(f"survey-{d}", "") for d in Dimension.values},
            )
        except services.AuditError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Scorecard submitted.") if submitting else _("Draft saved."))
            return redirect("audits:application" if submitting else "audits:score", pk)
    survey_n, survey_rows = queries.survey_rows(
        assignment.application, criteria, {pk: score.score for pk, score in scores.items()}
    )
    comments = scorecard.survey_comments if scorecard else {}
    return render(
        request,
        "audits/score.html",
        {
            "assignment": assignment,
            "application": assignment.application,
            "form": form,
            "locked": locked,
            "groups": queries.grouped_by_dimension(form.rows(), key=lambda row: row[0].dimension),
            "own_findings": list(assignment.findings.select_related("criterion").order_by("pk")),
            "survey_n": survey_n,
            "survey_rows": [
                (row, request.POST.get(f"survey-{row.dimension}", comments.get(row.dimension, "")))
                for row in survey_rows
            ],
            # Beside the scores: how the business handles complaints (counts only).
            "complaint_record": complaint_record(
                assignment.application.business_id, assignment.application.association_id
            ),
        },
    )


@auditor_required
def findings_page(request, pk):
    """The application's findings this auditor may see (blind until every
    auditor submitted), each with every version of the business's answer."""
    assignment = _cleared_assignment(request, pk)
    rows = finding_queries.findings_of(assignment.application, request.user)
    mergeable = [f for f in rows if f.status in ("open", "noted")]
    roles = findings.roles_of(request.user, assignment.application)
    return render(
        request,
        "audits/findings.html",
        {
            "assignment": assignment,
            "application": assignment.application,
            "rows": [
                (
                    finding,
                    findings.allowed_actions(finding, roles),
                    AnswerReviewForm(prefix=f"f{finding.pk}"),
                    MergeForm(prefix=f"m{finding.pk}", targets=[t for t in mergeable if t.pk != finding.pk]),
                )
                for finding in rows
            ],
        },
    )


def _own_finding(request, pk: int, finding_pk: int):
    assignment = _cleared_assignment(request, pk)
    finding = get_object_or_404(
        Finding.objects.visible_to(request.user).filter(application=assignment.application), pk=finding_pk
    )
    return assignment, finding


@require_POST
@auditor_required
def finding_review(request, pk, finding_pk):
    """Accept or return the business's latest answer, or verify the effectiveness."""
    _assignment, finding = _own_finding(request, pk, finding_pk)
    form = AnswerReviewForm(request.POST, prefix=f"f{finding.pk}")
    if not form.is_valid():
        messages.error(request, _("Choose what to do with the answer."))
        return redirect("audits:findings", pk)
    decision = form.cleaned_data["decision"]
    try:
        if decision == "accept":
            findings.accept_answer(finding, actor=request.user)
        elif decision == "return":
            findings.return_answer(finding, actor=request.user, reason=form.cleaned_data["reason"])
        else:
            findings.verify_effectiveness(finding, actor=request.user)
    except findings.FindingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The finding is now %(status)s.") % {"status": _status_of(finding)})
    return redirect("audits:findings", pk)


def _status_of(finding) -> str:
    finding.refresh_from_db(fields=["status"])
    return finding.get_status_display().lower()


@require_POST
@auditor_required
def finding_merge(request, pk, finding_pk):
    """The lead auditor merges a duplicate into another finding."""
    assignment, finding = _own_finding(request, pk, finding_pk)
    targets = Finding.objects.visible_to(request.user).filter(application=assignment.application)
    form = MergeForm(request.POST, prefix=f"m{finding.pk}", targets=targets.exclude(pk=finding.pk))
    if not form.is_valid():
        messages.error(request, _("Choose the finding to keep and give the rationale."))
        return redirect("audits:findings", pk)
    try:
        findings.merge_finding(
            finding,
            into=targets.get(pk=form.cleaned_data["into"]),
            actor=request.user,
            rationale=form.cleaned_data["rationale"],
        )
    except findings.FindingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The duplicate is merged."))
    return redirect("audits:findings", pk)


@auditor_required
def request_changes(request, pk):
    assignment = _cleared_assignment(request, pk)
    criteria = queries.criteria_of(assignment.application)
    form = ChangeRequestForm(request.POST or None, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_changes(assignment.application, actor=request.user, items=form.items())
        except services.AuditError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The business has been asked for changes."))
            return redirect("audits:application", pk)
    return render(
        request,
        "audits/request_changes.html",
        {
            "assignment": assignment,
            "application": assignment.application,
            "form": form,
        },
    )


@require_POST
@auditor_required
def consensus(request, pk, criterion_pk):
    assignment = _cleared_assignment(request, pk)
    criterion = get_object_or_404(Criterion, pk=criterion_pk, standard_id=assignment.application.standard_id)
    form = ConsensusForm(request.POST, prefix=f"c{criterion.pk}")
    if not form.is_valid():
        messages.error(request, _("Give the agreed score and the rationale."))
        return redirect("audits:application", pk)
    try:
        services.record_consensus(
            assignment.application,
            criterion=criterion,
            actor=request.user,
            score=form.cleaned_data["score"],
            rationale=form.cleaned_data["rationale"],
        )
    except services.AuditError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Consensus recorded for %(code)s.") % {"code": criterion.code})
    return redirect("audits:application", pk)


@require_POST
@auditor_required
def carried_evidence(request, pk, evidence_pk):
    """Confirm or reject one item of evidence carried from the previous cycle."""
    assignment = _cleared_assignment(request, pk)
    item = get_object_or_404(
        Evidence.objects.select_related("criterion").filter(
            application=assignment.application, carried_from__isnull=False
        ),
        pk=evidence_pk,
    )
    form = CarriedEvidenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to confirm or to reject the carried evidence."))
        return redirect("audits:application", pk)
    code = {"code": item.criterion.code}
    try:
        if form.cleaned_data["decision"] == "confirm":
            services.confirm_carried_evidence(assignment, evidence=item, actor=request.user)
            messages.success(request, _("Carried evidence confirmed for %(code)s.") % code)
        else:
            services.reject_carried_evidence(
                assignment, evidence=item, actor=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("Carried evidence rejected for %(code)s.") % code)
    except services.AuditError as error:
        messages.error(request, str(error))
    return redirect("audits:application", pk)


@login_required
def result(request, pk):
    """Who may see it: queries.result_visible_to."""
    app = get_object_or_404(
        Application.objects.visible_to(request.user).select_related(
            "association", "business", "standard", "level", "level_reached"
        ),
        pk=pk,
    )
    if not queries.result_visible_to(request.user, app):
        raise PermissionDenied
    result = queries.result_for(app)
    level, gates = queries.level_and_gates(app, result)
    criteria = {c.code: c for c in result.criteria}
    dimensions = dict(Dimension.choices)
    return render(
        request,
        "audits/result.html",
        {
            "application": app,
            "result": result,
            "dimension_rows": [
                (dimensions.get(key, key), score) for key, score in result.outcome.dimensions.items()
            ],
            "criteria_by_code": criteria,
            "level": level,
            # Each missed gate with its KPI, so the page names it and its unit.
            "missed_gates": [(gate, criteria[gate.code].kpi) for gate in gates],
        },
    )


REPORTED = (ApplicationStatus.SCORED, ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)


@login_required
def report(request, pk):
    """The audit report PDF, once the audit is scored: for the business,
    the association's staff and the application's auditors."""
    app = get_object_or_404(
        Application.objects.visible_to(request.user)
        .filter(status__in=REPORTED)
        .select_related("association", "business", "standard", "level"),
        pk=pk,
    )
    pdf, digest = audit_report.render_report(app, user=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="audit-report-{app.pk}.pdf"'
    response["X-Content-SHA256"] = digest
    response["Cache-Control"] = "private, no-store"
    return response


@xframe_options_sameorigin
@auditor_required
def evidence(request, pk):
    # As the auditor, in force and cleared: not through some other role.
    item = get_object_or_404(
        Evidence.objects.filter(application__in=Application.objects.reviewed_by(request.user)),
        pk=pk,
    )
    return preview_evidence(item)
