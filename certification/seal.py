"""The live seal a certified business shows on its website: an SVG served
from here with the certificate's current status, in the association's
language, and a warning when the page embedding it is on a site the
business did not register (members.SealDomain).

Served like the public certificate page (public_cache, public_render): what
the seal shows is kept in Redis per token under the same version that every
status change bumps, so one round trip answers a view, and the SVG is
rendered once per ETag in each process."""

import contextlib
import hashlib
import pickle
from types import SimpleNamespace
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.html import format_html
from django.utils.translation import gettext as _

from associations.services import log_action
from members.models import Business, SealDomain

from . import public_cache, public_render
from .models import Certificate, CertificateStatus
from .public_queries import public_status

# Browsers and proxies may reuse a seal this long before asking again (with
# its ETag): a status change shows on members' sites within a minute.
SEAL_MAX_AGE = 60

VERIFIED, FOREIGN, UNKNOWN = "verified", "foreign", "unknown"


def _seal_key(token: str) -> str:
    return f"{public_cache.PREFIX}seal:{token}"


def _load_facts(token: str) -> dict:
    certificate = get_object_or_404(
        Certificate.objects.select_related("association").only(
            "pk",
            "business_id",
            "status",
            "valid_until",
            "association_name",
            "level_name",
            "verification_token",
            "association__default_language",
        ),
        verification_token=token,
    )
    return {
        "status": certificate.status,
        "valid_until": certificate.valid_until,
        "association_name": certificate.association_name,
        "level_name": certificate.level_name,
        "language": certificate.association.default_language,
        "domains": sorted(
            SealDomain.objects.filter(business_id=certificate.business_id).values_list("domain", flat=True)
        ),
    }


def seal_facts(token: str) -> dict:
    """What the seal of the certificate with `token` shows; 404 if none."""
    client = public_cache._redis()
    if client is None:
        return _load_facts(token)
    try:
        cached, version = client.mget(_seal_key(token), public_cache._version_key(token))
    except redis.RedisError:
        return _load_facts(token)
    version = int(version or 0)
    if cached is not None:
        # Our own Redis, trusted as public_cache trusts it.
        cached_version, facts = pickle.loads(cached)  # noqa: S301
        if cached_version == version:
            return facts
    facts = _load_facts(token)
    with contextlib.suppress(redis.RedisError):
        client.set(_seal_key(token), pickle.dumps((version, facts)), ex=public_cache.CACHE_SECONDS)
    return facts


def forget_seals_of_business(business_id: int) -> None:
    """The business's seals show its domains afresh once the caller's
    transaction commits (a domain added or removed)."""
    public_cache.forget_public_pages(
        Certificate.objects.filter(business_id=business_id).values_list("verification_token", flat=True)
    )


def normalize_domain(value: str) -> str:
    """example.com from "https://www.Example.com/about" or "example.com."."""
    value = value.strip().lower()
    host = urlsplit(value if "//" in value else f"//{value}").hostname or ""
    host = host.rstrip(".")
    return host.removeprefix("www.")


def site_check(referer: str | None, domains: list[str]) -> str:
    """VERIFIED when the page embedding the seal is on a registered domain
    (or a subdomain of one, or our own site), FOREIGN when it is elsewhere,
    UNKNOWN when the browser did not say (no Referer, or an unreadable one)."""
    if not referer:
        return UNKNOWN
    try:
        host = (urlsplit(referer).hostname or "").rstrip(".").lower()
    except ValueError:
        return UNKNOWN
    if not host:
        return UNKNOWN
    own = urlsplit(settings.SITE_URL).hostname
    if host == own or any(host == d or host.endswith(f".{d}") for d in domains):
        return VERIFIED
    return FOREIGN


def _etag(facts: dict, status: str, check: str) -> str:
    shown = [facts["association_name"], facts["level_name"], facts["language"], status, check]
    shown.append(settings.SITE_URL)
    return f'"{hashlib.sha256(repr(shown).encode()).hexdigest()[:32]}"'


def render_seal(token: str, facts: dict, status: str, check: str) -> bytes:
    with translation.override(facts["language"]):
        context = {
            "association_name": facts["association_name"],
            "level_name": facts["level_name"],
            "status": status,
            "status_label": CertificateStatus(status).label,
            "valid": status == CertificateStatus.ACTIVE,
            "foreign": check == FOREIGN,
            "title": _("Certified member"),
            "foreign_label": _("Not verified for this site"),
            "rtl": translation.get_language_bidi(),
        }
        return render_to_string("certification/seal.svg", context).encode()


def seal_svg(request, token: str):
    facts = seal_facts(token)
    status = public_status_of(facts)
    check = site_check(request.headers.get("Referer"), facts["domains"])
    etag = _etag(facts, status, check)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        body = public_render.memoized("svg", etag, lambda: render_seal(token, facts, status, check))
        response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={SEAL_MAX_AGE}"
    # Sites embed it: a seal is an image anyone may show; it runs no script.
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    patch_vary_headers(response, ["Referer"])
    return response


def public_status_of(facts: dict) -> str:
    return public_status(SimpleNamespace(status=facts["status"], valid_until=facts["valid_until"]))


def seal_snippet(certificate: Certificate) -> str:
    """The HTML a business pastes into its site: a link to the verification
    page around the seal's image."""
    base = settings.SITE_URL
    page = base + reverse("certification:verify_detail", args=[certificate.verification_token])
    image = base + reverse("certification:seal", args=[certificate.verification_token])
    alt = _("Certified by %(association)s: check this certificate") % {
        "association": certificate.association_name
    }
    return format_html(
        '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" width="220" height="80"></a>',
        page,
        image,
        alt,
    )


# --- the business's registered sites ---------------------------------------------


class SealDomainError(Exception):
    """A domain refused, with a message the user can read."""


MAX_DOMAINS = 20


@transaction.atomic
def add_seal_domain(business: Business, *, domain: str, actor) -> SealDomain:
    host = normalize_domain(domain)
    if not host or "." not in host or len(host) > 253:
        raise SealDomainError(_("Enter a domain such as example.com."))
    # The business's row serializes two additions racing past the limit.
    Business.objects.select_for_update().get(pk=business.pk)
    domains = SealDomain.objects.filter(business=business)
    if domains.filter(domain=host).exists():
        raise SealDomainError(_("This domain is registered already."))
    if domains.count() >= MAX_DOMAINS:
        raise SealDomainError(_("A business can register at most %(n)d domains.") % {"n": MAX_DOMAINS})
    registered = SealDomain.objects.create(business=business, domain=host)
    log_action(business, "seal.domain_added", actor=actor, data={"domain": host})
    forget_seals_of_business(business.pk)
    return registered


@transaction.atomic
def remove_seal_domain(registered: SealDomain, *, actor) -> None:
    SealDomain.objects.filter(pk=registered.pk).delete()
    log_action(registered.business, "seal.domain_removed", actor=actor, data={"domain": registered.domain})
    forget_seals_of_business(registered.business_id)
