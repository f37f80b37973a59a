"""What staff and businesses do with a certificate once it is issued:
suspend, reinstate, revoke (the business is emailed each time), and renew.
(Issuing it is issuance.py; expiry and reminders, reminders.py.)"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from associations.models import Association, PublicationStatus, Standard
from associations.services import log_action

from .emails import queue_certificate_status_emails
from .errors import CertificationError
from .models import Application, ApplicationStatus, Certificate, CertificateStatus, Evidence
from .public_cache import forget_public_pages
from .services import ACTOR_CHECKS, ACTOR_REFUSALS, DECIDER, create_application
from .status_lists import mark_status_lists_stale

# --- suspend, reinstate, revoke ---------------------------------------------------

C = CertificateStatus

# action -> (states it may start from, state it ends in, who may do it): the
# same shape as the application's TRANSITIONS (services.py).
TRANSITIONS = {
    "suspend": ((C.ACTIVE,), C.SUSPENDED, DECIDER),
    "reinstate": ((C.SUSPENDED,), C.ACTIVE, DECIDER),
    "revoke": ((C.ACTIVE, C.SUSPENDED), C.REVOKED, DECIDER),
}


def _transition(
    certificate: Certificate, action: str, *, actor, reason: str, by_surveillance: bool = False
) -> Certificate:
    """Lock, check the state it starts from and who is acting, move, record
    who, when and why; the business is emailed the reason. `by_surveillance`:
    the surveillance job acts (live.record_decision, which records its own
    history with the KPI values and sends its own notices)."""
    sources, target, who = TRANSITIONS[action]
    reason = reason.strip()
    if not reason:
        raise CertificationError(_("Give a reason."))
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if not by_surveillance and not ACTOR_CHECKS[who](actor, locked):
        raise CertificationError(str(ACTOR_REFUSALS[who]))
    if locked.status not in sources:
        raise CertificationError(
            _("This certificate is %(status)s, so this cannot be done.")
            % {"status": locked.get_status_display().lower()}
        )
    before = locked.status
    if target == C.ACTIVE and locked.valid_until < timezone.localdate():
        target = C.EXPIRED  # reinstated past its date: it is not valid again
    locked.status = target
    locked.status_reason = "" if target == C.ACTIVE else reason
    # A staff suspension is staff's to end; a reinstatement starts afresh
    # (surveillance puts it under watch again, with a new cure period, if a
    # breach is still open).
    locked.suspended_by_surveillance = by_surveillance and target == C.SUSPENDED
    if target != C.SUSPENDED:
        locked.watch_since = None
    locked.save(update_fields=["status", "status_reason", "suspended_by_surveillance", "watch_since"])
    forget_public_pages([locked.verification_token])
    mark_status_lists_stale(locked.association_id)
    entry = log_action(
        locked,
        f"certificate.{action}",
        actor=actor,
        data={"from": before, "to": locked.status, "reason": reason, "by_surveillance": by_surveillance},
    )
    if not by_surveillance:
        queue_certificate_status_emails(locked, occasion=entry.pk, reason=reason)
    return locked


@transaction.atomic
def suspend_certificate(
    certificate: Certificate, *, actor, reason: str, by_surveillance: bool = False
) -> Certificate:
    return _transition(certificate, "suspend", actor=actor, reason=reason, by_surveillance=by_surveillance)


@transaction.atomic
def reinstate_certificate(
    certificate: Certificate, *, actor, reason: str, by_surveillance: bool = False
) -> Certificate:
    return _transition(certificate, "reinstate", actor=actor, reason=reason, by_surveillance=by_surveillance)


@transaction.atomic
def revoke_certificate(certificate: Certificate, *, actor, reason: str) -> Certificate:
    return _transition(certificate, "revoke", actor=actor, reason=reason)


# --- renewal --------------------------------------------------------------------


def _renewal_standard(standard: Standard) -> Standard:
    """The latest published version of the same standard, else itself."""
    latest = (
        Standard.objects.filter(standard.same_standard(), status=PublicationStatus.PUBLISHED)
        .order_by("-version")
        .first()
    )
    return latest or standard


# Renewals that still count: one of these blocks starting another.
LIVE_RENEWAL_STATUSES = [
    s for s in ApplicationStatus.values if s not in (ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED)
]


def renewal_window_days(association: Association) -> int:
    """Renewal opens with the association's earliest reminder."""
    return max((int(o) for o in association.reminder_offsets or []), default=90)


def renewal_opens_on(certificate: Certificate) -> datetime.date:
    return certificate.valid_until - datetime.timedelta(days=renewal_window_days(certificate.association))


def renewal_refusal(
    certificate: Certificate, *, renewing: bool, today: datetime.date | None = None
) -> str | None:
    """The one renewal rule, for the dashboard's link and for start_renewal:
    None when the certificate may be renewed now, else why not. A valid
    certificate renews within its association's window before it expires,
    an expired one at any time, and never while a renewal is under way
    (`renewing`: an application renewing it that was not withdrawn or rejected)."""
    if certificate.status not in (CertificateStatus.ACTIVE, CertificateStatus.EXPIRED):
        return _("Only a valid or expired certificate can be renewed.")
    if renewing:
        return _("A renewal of this certificate is already under way.")
    opens = renewal_opens_on(certificate)
    if certificate.status == CertificateStatus.ACTIVE and (today or timezone.localdate()) < opens:
        return _("Renewal opens on %(date)s, %(days)d days before the certificate expires.") % {
            "date": date_format(opens, "DATE_FORMAT"),
            "days": renewal_window_days(certificate.association),
        }
    return None


def is_being_renewed(certificate: Certificate) -> bool:
    return Application.objects.filter(renews=certificate, status__in=LIVE_RENEWAL_STATUSES).exists()


@transaction.atomic
def start_renewal(certificate: Certificate, *, actor) -> Application:
    """A new application for the next cycle, linked to the certificate it
    renews. Evidence whose effective period still covers today is carried
    forward (same stored file), marked for the auditor to confirm."""
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("application__standard", "association")
        .get(pk=certificate.pk)
    )
    refusal = renewal_refusal(certificate, renewing=is_being_renewed(certificate))
    if refusal:
        raise CertificationError(refusal)
    standard = _renewal_standard(certificate.application.standard)
    application = create_application(certificate.business, standard=standard, actor=actor, renews=certificate)
    today = timezone.localdate()
    criteria = {c.code: c for c in standard.criteria.all()}
    carried = []
    for evidence in (
        Evidence.objects.filter(application=certificate.application)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=today))
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
        .select_related("criterion")
    ):
        criterion = criteria.get(evidence.criterion.code)
        if criterion is None:
            continue
        carried.append(
            Evidence(
                application=application,
                criterion=criterion,
                file=evidence.file.name,
                original_name=evidence.original_name,
                content_type=evidence.content_type,
                size=evidence.size,
                sha256=evidence.sha256,
                description=evidence.description,
                effective_from=evidence.effective_from,
                effective_to=evidence.effective_to,
                carried_from=evidence,
                carried_confirmed=False,
                uploaded_by=evidence.uploaded_by,
            )
        )
    Evidence.objects.bulk_create(carried)
    log_action(
        application,
        "application.renewal_started",
        actor=actor,
        data={"renews": certificate.number, "carried_evidence": len(carried)},
    )
    return application
