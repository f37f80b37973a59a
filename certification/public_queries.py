"""Reads for the public certificate pages: one query each, frozen fields only."""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association

from .models import Certificate, CertificateStatus
from .status_list import xsd_datetime
from .status_lists import status_entries


def token_for_number(number: str) -> str | None:
    """Case-insensitive, through the index on UPPER(number) (certificate_number_upper)."""
    return (
        Certificate.objects.annotate(number_upper=Upper("number"))
        .filter(number_upper=number.strip().upper())
        .values_list("verification_token", flat=True)
        .first()
    )


def public_status(certificate: Certificate, *, show_watch: bool = False) -> str:
    """The status a visitor sees: an active certificate past its date is
    expired even before the nightly job marks it; "under_watch" only where
    the association publishes it (`show_watch`); suspended always."""
    if certificate.status == CertificateStatus.ACTIVE and certificate.valid_until < timezone.localdate():
        return CertificateStatus.EXPIRED
    if show_watch and certificate.status == CertificateStatus.ACTIVE and certificate.watch_since:
        return "under_watch"
    return certificate.status


def issuer_facts(association_id: int) -> dict:
    """The association's slug and whether it publishes "under watch", for
    the public pages: cached a minute (a changed setting shows within it)."""
    return cache.get_or_set(
        f"certification:issuer-facts:{association_id}",
        lambda: Association.objects.filter(pk=association_id).values("slug", "publish_under_watch").first(),
        60,
    )


def directory(filters: dict):
    """Businesses holding a valid certificate, searchable."""
    certificates = Certificate.objects.public().filter(
        status=CertificateStatus.ACTIVE, valid_until__gte=timezone.localdate()
    )
    if filters.get("q"):
        certificates = certificates.filter(
            Q(holder_name__icontains=filters["q"]) | Q(holder_city__icontains=filters["q"])
        )
    if filters.get("city"):
        certificates = certificates.filter(holder_city__iexact=filters["city"])
    if filters.get("association"):
        certificates = certificates.filter(association_id=filters["association"].pk)
    if filters.get("level"):
        certificates = certificates.filter(level_name__iexact=filters["level"])
    return certificates.order_by("holder_name", "number")


DIRECTORY_PAGE_SIZE = 25
# Deep pages cost an OFFSET walk along the index; nobody reads page 4,001.
DIRECTORY_MAX_PAGE = 4000


@dataclass
class DirectoryPage:
    """One page of the directory without counting them all: one row more than
    the page is read to know whether there is a next one."""

    object_list: list
    number: int
    has_next: bool

    def __iter__(self):
        return iter(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def directory_page(certificates, page: str | None) -> DirectoryPage:
    try:
        number = min(max(int(page or 1), 1), DIRECTORY_MAX_PAGE)
    except ValueError:
        number = 1
    start = (number - 1) * DIRECTORY_PAGE_SIZE
    rows = list(certificates[start : start + DIRECTORY_PAGE_SIZE + 1])
    return DirectoryPage(
        rows[:DIRECTORY_PAGE_SIZE],
        number=number,
        has_next=len(rows) > DIRECTORY_PAGE_SIZE and number < DIRECTORY_MAX_PAGE,
    )


def open_badge(certificate: Certificate, *, association_slug: str, status: str) -> dict:
    """The certificate as an Open Badges 3.0 OpenBadgeCredential, unsigned
    (badges.sign_for_association adds the proof). Its credentialStatus: the
    association's revocation and suspension lists (W3C Bitstring Status
    List), at the certificate's index; `status` is what the page shows."""
    from .badges import issuer_id  # noqa: PLC0415  (badges -> credentials, loaded for the JSON only)

    base = settings.SITE_URL
    page = base + reverse("certification:verify_detail", args=[certificate.verification_token])
    json_url = base + reverse("certification:verify_json", args=[certificate.verification_token])
    achievement_name = (
        f"{certificate.standard_name} v{certificate.standard_version} – {certificate.level_name}"
    )
    description = _("Certified at the level %(level)s of %(standard)s, version %(version)s.") % {
        "level": certificate.level_name,
        "standard": certificate.standard_name,
        "version": certificate.standard_version,
    }
    if status == "under_watch":
        description += " " + _("Under watch: a service KPI is below the standard's threshold.")
    if certificate.conditions_open:
        description += " " + _("Granted with conditions: corrective actions are still open.")
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": json_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement_name,
        "issuer": {
            "id": issuer_id(association_slug),
            "type": ["Profile"],
            "name": certificate.association_name,
        },
        "validFrom": xsd_datetime(certificate.issued_at),
        "validUntil": f"{certificate.valid_until.isoformat()}T23:59:59Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "name",
                    "hashed": False,
                    "identityHash": certificate.holder_name,
                },
            ],
            "achievement": {
                "id": f"{base}/#achievement-{certificate.number.rsplit('-', 2)[0].lower()}-"
                f"{certificate.standard_version}",
                "type": ["Achievement"],
                "achievementType": "Certification",
                "name": achievement_name,
                "description": description,
                "criteria": {"id": page},
            },
            "result": [{"type": ["Result"], "value": str(certificate.overall_score)}],
        },
        "credentialStatus": status_entries(certificate, association_slug),
        "evidence": [{"id": page, "type": ["Evidence"], "name": certificate.number}],
    }
