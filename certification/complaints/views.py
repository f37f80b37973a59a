"""The customer's complaint pages (no account: the signed link they were
emailed is their key) and the business's complaint pages in the portal."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from members.models import Business
from members.roles import business_scope, business_user_required

from ..errors import CertificationError
from ..evidence import EvidenceSizeHandler, request_too_large, too_large_message, unreadable_upload
from ..files import serve_file
from ..models import Certificate, CertificateQuerySet, Complaint, ComplaintFile
from ..throttles import allow, too_many_requests
from . import notices, records, services
from .forms import AnswerForm, ComplaintForm, ReplyForm

# All files of one complaint together.
MAX_COMPLAINT_BYTES = 3 * 20 * 1024 * 1024


# The size cap must be in place before the body is read, and CSRF checking
# reads it: so CSRF is checked inside (as on the verification page).
@csrf_exempt
@require_http_methods(["GET", "POST"])
def complain(request, token: str):
    certificate = get_object_or_404(
        Certificate.objects.only(*CertificateQuerySet.PRINTED_FIELDS, "business_id", "association_id"),
        verification_token=token,
    )
    if request.method == "POST":
        if not allow(request, "complaint", per_minute=settings.COMPLAINTS_PER_MINUTE):
            return too_many_requests(request)
        if request_too_large(request, limit=MAX_COMPLAINT_BYTES):
            return _form(request, certificate, ComplaintForm(), status=413, error=too_large_message())
        request.upload_handlers.insert(0, EvidenceSizeHandler(request))
        if problem := unreadable_upload(request):
            return _form(request, certificate, ComplaintForm(), status=400, error=problem)
    return _complain(request, certificate)


@csrf_protect
def _complain(request, certificate):
    form = ComplaintForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _form(request, certificate, form)
    if getattr(request, "upload_too_large", False):
        return _form(request, certificate, form, status=400, error=too_large_message())
    if not form.is_valid():
        return _form(request, certificate, form, status=400)
    if form.is_bot():
        return render(request, "certification/complaints/sent.html", {"certificate": certificate})
    fields = {k: v for k, v in form.cleaned_data.items() if k not in ("files", "website")}
    try:
        services.file_complaint(
            certificate, fields=fields, language=get_language(), files=form.cleaned_data["files"]
        )
    except CertificationError as error:
        return _form(request, certificate, form, status=400, error=str(error))
    return render(request, "certification/complaints/sent.html", {"certificate": certificate})


def _form(request, certificate, form, *, status=200, error=""):
    # The public sees the business's counts and outcomes, never names or texts.
    record = records.complaint_record(certificate.business_id, certificate.association_id)["record"]
    return render(
        request,
        "certification/complaints/new.html",
        {"certificate": certificate, "form": form, "error": error, "record": record},
        status=status,
    )


def _by_link(signed: str, *, salt: str, max_age: int | None = None) -> Complaint:
    token = notices.token_from(signed, salt=salt, max_age=max_age)
    if token is None:
        raise Http404
    return get_object_or_404(Complaint.objects.select_related("business"), token=token)


@require_http_methods(["GET", "POST"])
def confirm(request, signed: str):
    """The emailed link: a page with one button (mail scanners open links;
    only a person's POST confirms)."""
    complaint = _by_link(signed, salt=notices.VERIFY_SALT, max_age=notices.VERIFY_MAX_AGE)
    if request.method == "POST":
        try:
            complaint = services.verify_complaint(complaint)
        except CertificationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Thank you: your complaint is confirmed and sent to the business."))
            return redirect(notices.customer_path(complaint))
    return render(request, "certification/complaints/confirm.html", {"complaint": complaint})


CUSTOMER_ACTIONS = {
    "accept": (lambda c, reply: services.accept_answer(c, reply=reply), _("You accepted the resolution.")),
    "escalate": (
        lambda c, reply: services.escalate_complaint(c, reply=reply),
        _("Your complaint is escalated to the association."),
    ),
    "withdraw": (lambda c, reply: services.withdraw_complaint(c), _("Your complaint is withdrawn.")),
    "erase": (lambda c, reply: services.erase_complaint(c), _("Your personal data is erased.")),
}


@require_http_methods(["GET", "POST"])
def customer(request, signed: str):
    complaint = _by_link(signed, salt=notices.CUSTOMER_SALT)
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and request.POST.get("action") in CUSTOMER_ACTIONS:
        call, done = CUSTOMER_ACTIONS[request.POST["action"]]
        try:
            call(complaint, form.cleaned_data["reply"])
        except CertificationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done)
        return redirect(request.path)
    return render(
        request,
        "certification/complaints/customer.html",
        {
            "complaint": complaint,
            "form": form,
            "actions": services.allowed_actions(complaint, None),
            "can_erase": complaint.status in services.FINAL and not complaint.erased_at,
        },
    )


@login_required
def complaint_file(request, pk: int):
    stored = get_object_or_404(
        ComplaintFile.objects.filter(complaint__in=Complaint.objects.visible_to(request.user)), pk=pk
    )
    return serve_file(stored.file, filename=stored.original_name, content_type=stored.content_type)


# --- the business, in the portal ------------------------------------------------------


def _business(request, business_id: int) -> Business:
    return get_object_or_404(Business.objects.of_business_user(request.user), pk=business_id)


@business_user_required
def portal_complaints(request, business_id: int):
    business = _business(request, business_id)
    complaints = list(
        Complaint.objects.of_business_user(request.user)
        .filter(business=business)
        .exclude(verified_at=None)
        .select_related("association")
        .order_by("-received_at", "-pk")[:200]
    )
    return render(
        request,
        "certification/complaints/portal_list.html",
        {
            "business": business,
            "complaints": complaints,
            "records": [
                (association, records.complaint_record(business.pk, association.pk))
                for association in business_scope(request.user, business.pk).order_by("name")
            ],
        },
    )


@business_user_required
@require_http_methods(["GET", "POST"])
def portal_complaint(request, business_id: int, pk: int):
    business = _business(request, business_id)
    complaint = get_object_or_404(
        Complaint.objects.of_business_user(request.user).filter(business=business).exclude(verified_at=None),
        pk=pk,
    )
    form = AnswerForm(request.POST if request.POST.get("action") == "answer" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "acknowledge":
                services.acknowledge_complaint(complaint, actor=request.user)
                messages.success(request, _("Acknowledged: the customer is told."))
            elif form.is_valid():
                services.answer_complaint(complaint, actor=request.user, answer=form.cleaned_data["answer"])
                messages.success(request, _("Your answer is sent to the customer."))
            else:
                raise CertificationError(_("Write the resolution you propose."))
        except CertificationError as error:
            messages.error(request, str(error))
        return redirect("portal:complaint", business_id=business.pk, pk=complaint.pk)
    return render(
        request,
        "certification/complaints/portal_detail.html",
        {
            "business": business,
            "complaint": complaint,
            "files": list(complaint.files.all()),
            "actions": services.allowed_actions(complaint, request.user),
            "form": form,
        },
    )
