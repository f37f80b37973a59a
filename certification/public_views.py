"""Public certificate pages (verification, directory; no login) and the
business's certificate download and renewal. Public pages show only what the
certificate prints."""

import hashlib
import io
import json
import re

import pypdf
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from associations.models import Association
from members.roles import is_business_user

from . import public_cache, public_render
from . import public_queries as queries
from .badges import issuer_profile, sign_for_association
from .certificates import is_being_renewed, renewal_refusal, start_renewal
from .evidence import EvidenceSizeHandler, request_too_large, unreadable_upload
from .files import serve_file
from .forms import (
    MAX_PDF_BYTES,
    DirectorySearchForm,
    VerifyNumberForm,
    VerifyUploadForm,
    pdf_too_large_message,
)
from .models import Certificate, CertificateQuerySet, StatusList, StatusPurpose, names_for_reader
from .services import CertificationError
from .signing import check_signature
from .status_lists import LIST_MAX_AGE, allocate_status_index, regenerate_status_lists
from .throttles import Limit, allow, too_many_requests


# The size cap must be in place before the body is read, and CSRF checking
# reads it: so CSRF is checked inside, after the upload handler is installed.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def verify(request):
    """Look a certificate up by number, or check an uploaded PDF."""
    lookup = request.method == "POST" or "number" in request.GET
    if lookup and not allow(request, "verify-lookup", per_minute=settings.VERIFY_LOOKUPS_PER_MINUTE):
        return too_many_requests(request)
    if request.method == "POST":
        if request_too_large(request, limit=MAX_PDF_BYTES):
            return _verify_page(
                request, upload_form=VerifyUploadForm(), status=413, error=pdf_too_large_message()
            )
        request.upload_handlers.insert(0, EvidenceSizeHandler(request, limit=MAX_PDF_BYTES))
        if problem := unreadable_upload(request):
            return _verify_page(request, upload_form=VerifyUploadForm(), status=400, error=problem)
    return _verify(request)


@csrf_protect
def _verify(request):
    number_form = VerifyNumberForm(request.GET or None)
    if request.method == "GET" and number_form.is_valid():
        token = queries.token_for_number(number_form.cleaned_data["number"])
        if token:
            return redirect("certification:verify_detail", token=token)
        messages.error(request, _("No certificate has this number."))
    if request.method != "POST":
        return _verify_page(request, number_form=number_form)
    upload_form = VerifyUploadForm(request.POST, request.FILES)  # parses the body: the cap applies
    if getattr(request, "upload_too_large", False):
        return _verify_page(
            request, upload_form=VerifyUploadForm(), status=400, error=pdf_too_large_message()
        )
    if not upload_form.is_valid():
        return _verify_page(request, upload_form=upload_form, status=400)
    result = check_uploaded_pdf(upload_form.cleaned_data["pdf"].read())
    return _verify_page(request, upload_form=upload_form, result=result)


def _verify_page(request, *, number_form=None, upload_form=None, result=None, status=200, error=""):
    return render(
        request,
        "certification/verify.html",
        {
            "number_form": number_form or VerifyNumberForm(),
            "upload_form": upload_form or VerifyUploadForm(),
            "result": result,
            "upload_error": error,
        },
        status=status,
    )


# Why an uploaded file is not genuine; the page words each one.
NOT_PDF, NOT_OURS, TAMPERED = "not_pdf", "not_ours", "tampered"
# A PDF's header may follow up to 1 KB of leading bytes.
PDF_HEADER_WINDOW = 1024


def check_uploaded_pdf(data: bytes) -> dict:
    """Genuine only when the bytes are exactly one of our stored PDFs AND its
    signature, by that association's key, is intact over the whole file.
    Otherwise why not: not a PDF at all, a PDF we did not issue, or one of
    ours changed since (its hash is ours but not its signature, or it still
    names one of our certificates or is signed in one of our associations'
    names)."""
    if b"%PDF-" not in data[:PDF_HEADER_WINDOW]:
        return {"genuine": False, "reason": NOT_PDF}
    digest = hashlib.sha256(data).hexdigest()
    certificate = Certificate.objects.select_related("association").filter(pdf_sha256=digest).first()
    if certificate is not None:
        if check_signature(data, association=certificate.association).valid:
            return {"genuine": True, "certificate": certificate}
        return {"genuine": False, "reason": TAMPERED, "number": certificate.number}
    claimed = _claimed_origin(data)
    if claimed is None:
        return {"genuine": False, "reason": NOT_OURS}
    return {"genuine": False, "reason": TAMPERED, **claimed}


CERTIFICATE_NUMBER = re.compile(r"\b[A-Z]{2,8}-\d{4}-\d{6}\b")


def _claimed_origin(data: bytes) -> dict | None:
    """{"number": ...} when the PDF's title names one of our certificates,
    {} when its signature is in one of our associations' names, else None.
    Only what the file claims: it is never taken as proof of anything."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        title = str((reader.metadata or {}).get("/Title") or "")
        fields = reader.get_fields() or {}
    except Exception:  # an unreadable PDF claims nothing
        return None
    numbers = CERTIFICATE_NUMBER.findall(title)
    number = Certificate.objects.filter(number__in=numbers).values_list("number", flat=True).first()
    if number:
        return {"number": number}
    signers = {
        str(value.get("/Name"))
        for field in fields.values()
        if isinstance(value := field.get("/V"), dict) and value.get("/Name")
    }
    if signers and Association.objects.filter(name__in=signers).exists():
        return {}
    return None


def _shown_status(certificate) -> tuple[str, dict]:
    facts = queries.issuer_facts(certificate.association_id) or {}
    return queries.public_status(certificate, show_watch=facts.get("publish_under_watch", False)), facts


def verify_detail(request, token: str):
    certificate = _count_lookup(request, token)
    if certificate is None:
        return too_many_requests(request)
    status, facts = _shown_status(certificate)
    etag = _etag(certificate, status, "html")
    if not_modified := get_conditional_response(request, etag=etag):
        return _revalidated(not_modified, etag)
    context = {
        "certificate": certificate,
        "status": status,
        "names": names_for_reader(certificate),
        "issuer_slug": facts.get("slug", ""),
    }
    if not public_render.shareable(request):
        return _revalidated(render(request, "certification/verify_detail.html", context), etag)
    body = public_render.memoized(
        "html",
        etag,
        lambda: render_to_string(
            "certification/verify_detail.html", context | public_render.shared_context(), request
        ).encode(),
    )
    return _revalidated(HttpResponse(public_render.personalized(body, request)), etag)


def verify_json(request, token: str):
    """The Open Badges credential, signed with the association's Ed25519 key
    (a Data Integrity proof a wallet verifies offline)."""
    certificate = _count_lookup(request, token)
    if certificate is None:
        return too_many_requests(request)
    if certificate.status_index is None:  # issued before status lists: given one now, once
        allocate_status_index(certificate)
        public_cache.forget_public_pages([token])
    status, _facts = _shown_status(certificate)
    etag = _etag(certificate, status, "json")
    if not_modified := get_conditional_response(request, etag=etag):
        return _revalidated(not_modified, etag)

    def signed() -> bytes:
        association = Association.objects.get(pk=certificate.association_id)
        badge = queries.open_badge(certificate, association_slug=association.slug, status=status)
        return json.dumps(sign_for_association(badge, association), ensure_ascii=False, indent=2).encode()

    body = public_render.memoized("json", etag, signed)
    return _revalidated(HttpResponse(body, content_type="application/ld+json; charset=utf-8"), etag)


def status_list(request, slug: str, purpose: str):
    """An association's W3C Bitstring Status List credential (public, cached
    by verifiers for LIST_MAX_AGE; the ETag is its content)."""
    association = get_object_or_404(Association, slug=slug)
    if purpose not in StatusPurpose.values:
        raise Http404
    row = StatusList.objects.filter(
        association=association, purpose=purpose, generated_at__isnull=False
    ).first()
    if row is None:  # never generated yet: now, once
        regenerate_status_lists(association)
        row = StatusList.objects.get(association=association, purpose=purpose)
    if not_modified := get_conditional_response(request, etag=row.etag):
        response = not_modified
    else:
        response = HttpResponse(
            json.dumps(row.credential, ensure_ascii=False), content_type="application/vc+ld+json"
        )
    response["ETag"] = row.etag
    response["Cache-Control"] = f"public, max-age={LIST_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def issuer(request, slug: str):
    """The association's public key (a controller document): what a
    verifier dereferences from a credential's proof."""
    association = get_object_or_404(Association, slug=slug)
    response = HttpResponse(
        json.dumps(issuer_profile(association), ensure_ascii=False), content_type="application/ld+json"
    )
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _count_lookup(request, token: str) -> public_cache.Printed | None:
    """The certificate, its view counted; None when the address is over
    VERIFY_PAGES_PER_MINUTE (the limit, the status and the count in one Redis
    round trip)."""
    limit = Limit(request, "verify-page", per_minute=settings.VERIFY_PAGES_PER_MINUTE)
    return public_cache.view_certificate_within(token, limit=limit)


def _etag(certificate: public_cache.Printed, status: str, kind: str) -> str:
    """Everything the page shows: the printed fields, the status a visitor
    sees (an active certificate past its date shows expired) and the language."""
    shown = [getattr(certificate, name) for name in CertificateQuerySet.PRINTED_FIELDS]
    shown += [status, kind, get_language(), settings.SITE_URL]
    return f'"{hashlib.sha256(repr(shown).encode()).hexdigest()[:32]}"'


def _revalidated(response, etag: str):
    """Caches may keep the page but must ask again each time: a status
    changes at any moment. (No Last-Modified: to the second, a revoke in the
    same second as the last view would be answered "not modified".)"""
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache"  # a fresh response: nothing to merge with
    return response


def directory(request):
    form = DirectorySearchForm(request.GET or None)
    certificates = queries.directory(form.cleaned_data if form.is_valid() else {})
    page = queries.directory_page(certificates, request.GET.get("page"))
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
            refusal = str(error)
        else:
            messages.success(
                request,
                _("The renewal application is ready: check the evidence carried forward and submit it."),
            )
            return redirect("portal:dashboard")
    else:
        refusal = renewal_refusal(certificate, renewing=is_being_renewed(certificate))
    return render(
        request,
        "certification/renew.html",
        {"certificate": certificate, "today": timezone.localdate(), "refusal": refusal},
    )
