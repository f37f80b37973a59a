"""The business's findings in the portal (/portal/findings/, namespace
`portal_findings`): read each finding with the criterion and what was not
met, and answer it with a corrective action (a new version each time) and
new evidence through the same hardened upload path as the application's."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from certification.evidence import (
    EvidenceSizeHandler,
    request_too_large,
    too_large_message,
    unreadable_upload,
)
from certification.models import Application
from members.roles import business_user_required

from . import finding_queries, findings
from .forms import FindingAnswerForm
from .models import Finding


@business_user_required
def finding_list(request, pk: int):
    application = get_object_or_404(
        Application.objects.of_business_user(request.user).select_related("business", "standard"), pk=pk
    )
    return render(
        request,
        "audits/portal_findings.html",
        {"application": application, "findings": finding_queries.findings_of(application, request.user)},
    )


def _finding(request, pk: int) -> Finding:
    return get_object_or_404(
        Finding.objects.visible_to(request.user).filter(
            application__in=Application.objects.of_business_user(request.user)
        ),
        pk=pk,
    )


# As the application's upload: the size limit is in place before the body
# is read, so CSRF (which reads it) is checked inside.
@csrf_exempt
@business_user_required
def finding_detail(request, pk: int):
    finding = _finding(request, pk)
    if request.method == "POST":
        if request_too_large(request):
            return _page(request, finding, FindingAnswerForm(), status=413, error=too_large_message())
        request.upload_handlers.insert(0, EvidenceSizeHandler(request))
        if problem := unreadable_upload(request):
            return _page(request, finding, FindingAnswerForm(), status=400, error=problem)
    return _answer(request, finding)


@csrf_protect
def _answer(request, finding: Finding):
    form = FindingAnswerForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _page(request, finding, form)
    if getattr(request, "upload_too_large", False):
        form.add_error(None, too_large_message())
    if form.is_valid():
        data = form.cleaned_data
        try:
            findings.answer_finding(
                finding,
                actor=request.user,
                root_cause=data["root_cause"],
                correction=data["correction"],
                corrective_action=data["corrective_action"],
                due_date=data["due_date"],
                files=[data["file"]] if data["file"] else [],
            )
        except findings.FindingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your answer is sent to the auditor."))
            return redirect("portal_findings:detail", pk=finding.pk)
    return _page(request, finding, form, status=400)


def _page(request, finding: Finding, form, *, status: int = 200, error: str = ""):
    shown = next(
        f for f in finding_queries.findings_of(finding.application, request.user) if f.pk == finding.pk
    )
    roles = findings.roles_of(request.user, finding.application)
    return render(
        request,
        "audits/portal_finding.html",
        {
            "finding": shown,
            "application": finding.application,
            "form": form,
            "can_answer": "answer" in findings.allowed_actions(shown, roles),
            "error": error,
        },
        status=status,
    )
