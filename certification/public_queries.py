"""Reads for the public certificate pages: one query each, frozen fields only."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Certificate, CertificateStatus


def token_for_number(number: str) -> str | None:
    """Case-insensitive, through the index on UPPER(number) (certificate_number_upper)."""
    return (
        Certificate.objects.annotate(number_upper=Upper("number"))
        .filter(number_upper=number.strip().upper())
        .values_list("verification_token", flat=True)
        .first()
    )


def public_status(certificate: Certificate) -> str:
    """The status a visitor sees: an active certificate past its date is
    expired even before the nightly job marks it."""
    if certificate.status == CertificateStatus.ACTIVE and certificate.valid_until < timezone.localdate():
        return CertificateStatus.EXPIRED
    return certificate.status


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


def open_badge(certificate: Certificate, *, request=None) -> dict:
    """The certificate as an Open Badges 3.0 OpenBadgeCredential (unsigned
    JSON-LD; the signed original is the PDF)."""
    base = settings.SITE_URL
    page = base + reverse("certification:verify_detail", args=[certificate.verification_token])
    json_url = base + reverse("certification:verify_json", args=[certificate.verification_token])
    status = public_status(certificate)
    achievement_name = (
        f"{certificate.standard_name} v{certificate.standard_version} – {certificate.level_name}"
    )
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": json_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement_name,
        "issuer": {
            "id": f"{base}/#issuer-{certificate.number.split('-')[0].lower()}",
            "type": ["Profile"],
            "name": certificate.association_name,
        },
        "validFrom": certificate.issued_at.isoformat(),
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
                "description": _("Certified at the level %(level)s of %(standard)s, version %(version)s.")
                % {
                    "level": certificate.level_name,
                    "standard": certificate.standard_name,
                    "version": certificate.standard_version,
                },
                "criteria": {"id": page},
            },
            "result": [{"type": ["Result"], "value": str(certificate.overall_score)}],
        },
        "credentialStatus": {
            "id": f"{json_url}#status",
            "type": "CertificateStatus",
            "statusPurpose": "revocation" if status == CertificateStatus.REVOKED else "suspension",
            "status": status,
            "revoked": status == CertificateStatus.REVOKED,
            "suspended": status == CertificateStatus.SUSPENDED,
            "reason": certificate.status_reason if status != CertificateStatus.ACTIVE else "",
            # Granted with conditions: nonconformities whose corrective actions are not yet closed.
            "conditionsOpen": bool(certificate.conditions_open),
        },
        "evidence": [{"id": page, "type": ["Evidence"], "name": certificate.number}],
    }
