"""The member portal's pages for applications and evidence (/portal/,
namespace `portal`, and /portal/applications/, namespace `applications`)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from associations.models import Criterion
from members.roles import business_user_required

from . import queries, services
from .evidence import EvidenceSizeHandler, request_too_large, too_large_message, unreadable_upload
from .forms import AnswerForm, EvidenceForm, StartApplicationForm, WithdrawForm
from .models import Application, ChangeRequest, Evidence


@business_user_required
def dashboard(request):
    """The portal's front page: the business's memberships, links to its
    service metrics, what needs doing next, its applications and certificates."""
    return render(request, "certification/portal/dashboard.html", queries.dashboard(request.user))


def _application(request, pk: int) -> Application:
    return get_object_or_404(
        queries.portal_applications(request.user).select_related("business", "standard", "association"),
        pk=pk,
    )


@business_user_required
def start(request):
    form = StartApplicationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.create_application(
                form.cleaned_data["business"], standard=form.cleaned_data["standard"], actor=request.user
            )
        except services.CertificationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Application started. Add evidence for each criterion."))
            return redirect("applications:detail", pk=application.pk)
    return render(request, "certification/portal/start.html", {"form": form})


@business_user_required
def detail(request, pk: int):
    application = _application(request, pk)
    context = queries.application_page(application)
    context.update(
        application=application,
        actions=services.allowed_actions(application, request.user),
        answer_form=AnswerForm(),
    )
    return render(request, "certification/portal/detail.html", context)


def _run(request, application: Application, call, success: str):
    try:
        call()
    except services.CertificationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect("applications:detail", pk=application.pk)


@require_POST
@business_user_required
def submit(request, pk: int):
    application = _application(request, pk)
    return _run(
        request,
        application,
        lambda: services.submit_application(application, actor=request.user),
        _("Application submitted."),
    )


@require_POST
@business_user_required
def resubmit(request, pk: int):
    application = _application(request, pk)
    return _run(
        request,
        application,
        lambda: services.resubmit_application(application, actor=request.user),
        _("Application resubmitted for review."),
    )


@business_user_required
def withdraw(request, pk: int):
    application = _application(request, pk)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return _run(
            request,
            application,
            lambda: services.withdraw_application(
                application, actor=request.user, reason=form.cleaned_data["reason"]
            ),
            _("Application withdrawn."),
        )
    return render(request, "certification/portal/withdraw.html", {"application": application, "form": form})


@require_POST
@business_user_required
def answer(request, pk: int, change_request_pk: int):
    application = _application(request, pk)
    change_request = get_object_or_404(
        ChangeRequest.objects.filter(application=application), pk=change_request_pk
    )
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what you changed."))
        return redirect("applications:detail", pk=application.pk)
    return _run(
        request,
        application,
        lambda: services.answer_change_request(
            change_request, actor=request.user, response=form.cleaned_data["response"]
        ),
        _("Answer saved."),
    )


# The size limit must be in place before the body is read, and CSRF checking
# reads it: so CSRF is checked inside, after the upload handler is installed.
@csrf_exempt
@business_user_required
def upload(request, pk: int, criterion_pk: int):
    application = _application(request, pk)
    criterion = get_object_or_404(
        Criterion.objects.filter(standard_id=application.standard_id), pk=criterion_pk
    )
    if request.method == "POST":
        if request_too_large(request):
            return _upload_page(
                request, application, criterion, EvidenceForm(), status=413, error=too_large_message()
            )
        request.upload_handlers.insert(0, EvidenceSizeHandler(request))
        if problem := unreadable_upload(request):
            return _upload_page(request, application, criterion, EvidenceForm(), status=400, error=problem)
    return _upload(request, application, criterion)


@csrf_protect
def _upload(request, application: Application, criterion: Criterion):
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _upload_page(request, application, criterion, form)
    if getattr(request, "upload_too_large", False):
        form.add_error(None, too_large_message())
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.attach_evidence(
                application,
                criterion=criterion,
                file=data["file"],
                actor=request.user,
                description=data["description"],
                effective_from=data["effective_from"],
                effective_to=data["effective_to"],
            )
        except services.CertificationError as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, _("Evidence added to %(code)s.") % {"code": criterion.code})
            return redirect("applications:detail", pk=application.pk)
    return _upload_page(request, application, criterion, form, status=400)


def _upload_page(request, application, criterion, form, status=200, error=""):
    return render(
        request,
        "certification/portal/upload.html",
        {"application": application, "criterion": criterion, "form": form, "error": error},
        status=status,
    )


@require_POST
@business_user_required
def remove_evidence(request, pk: int, evidence_pk: int):
    application = _application(request, pk)
    evidence = get_object_or_404(
        Evidence.objects.filter(application=application).select_related("criterion"), pk=evidence_pk
    )
    return _run(
        request,
        application,
        lambda: services.remove_evidence(evidence, actor=request.user),
        _("Evidence removed."),
    )
