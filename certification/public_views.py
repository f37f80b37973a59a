"""Public certificate pages (verification, directory; no login) and the
business's certificate download and renewal. Public pages show only what the
certificate prints."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members.roles import is_business_user

from . import public_queries as queries
from .certificates import start_renewal
from .files import serve_file
from .forms import DirectorySearchForm, VerifyNumberForm, VerifyUploadForm
from .models import Certificate
from .services import CertificationError
from .signing import check_signature


@require_http_methods(["GET", "POST"])
def verify(request):
    """Look a certificate up by number, or check an uploaded PDF."""
    number_form = VerifyNumberForm(request.GET or None)
    upload_form = VerifyUploadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "GET" and number_form.is_valid():
        token = queries.token_for_number(number_form.cleaned_data["number"])
        if token:
            return redirect("certification:verify_detail", token=token)
        messages.error(request, _("No certificate has this number."))
    if request.method == "POST" and upload_form.is_valid():
        result = check_uploaded_pdf(upload_form.cleaned_data["pdf"].read())
    return render(
        request,
        "certification/verify.html",
        {"number_form": number_form, "upload_form": upload_form, "result": result},
    )


def check_uploaded_pdf(data: bytes) -> dict:
    """Genuine only when the bytes are exactly one of our stored PDFs AND its
    signature, by that association's key, is intact over the whole file."""
    digest = hashlib.sha256(data).hexdigest()
    certificate = Certificate.objects.select_related("association").filter(pdf_sha256=digest).first()
    if certificate is None or not check_signature(data, association=certificate.association).valid:
        return {"genuine": False}
    return {"genuine": True, "certificate": certificate}


def verify_detail(request, token: str):
    certificate = _count_lookup(token)
    return render(
        request,
        "certification/verify_detail.html",
        {"certificate": certificate, "status": queries.public_status(certificate)},
    )


def verify_json(request, token: str):
    certificate = _count_lookup(token)
    response = JsonResponse(
        queries.open_badge(certificate, request=request),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Content-Type"] = "application/ld+json; charset=utf-8"
    return response


def _count_lookup(token: str) -> Certificate:
    certificate = get_object_or_404(Certificate.objects.public(), verification_token=token)
    Certificate.objects.filter(pk=certificate.pk).update(verification_count=F("verification_count") + 1)
    return certificate


def directory(request):
    form = DirectorySearchForm(request.GET or None)
    certificates = queries.directory(form.cleaned_data if form.is_valid() else {})
    page = Paginator(certificates, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "certification/directory.html",
        {"form": form, "page": page, "query": _query_without_page(request)},
    )


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_required
def download(request, pk: int):
    certificate = get_object_or_404(Certificate.objects.visible_to(request.user), pk=pk)
    if not certificate.pdf_sha256 or not certificate.pdf:
        raise Http404(_("The certificate is still being prepared."))
    return serve_file(certificate.pdf, filename=f"{certificate.number}.pdf", content_type="application/pdf")


@login_required
@require_http_methods(["GET", "POST"])
def renew(request, pk: int):
    certificate = get_object_or_404(Certificate.objects.visible_to(request.user), pk=pk)
    if not is_business_user(request.user, certificate.business_id, association_id=certificate.association_id):
        return HttpResponseForbidden(_("Only the business's own users can renew its certificate."))
    if request.method == "POST":
        try:
            start_renewal(certificate, actor=request.user)
        except CertificationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("The renewal application is ready: check the evidence carried forward and submit it."),
            )
            return redirect("portal:dashboard")
    return render(
        request, "certification/renew.html", {"certificate": certificate, "today": timezone.localdate()}
    )
