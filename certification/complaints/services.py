"""The complaint state machine, in the style of the application's:

    received -> verified -> with the business -> answered -> resolved (the customer accepts)
                                       | escalated -> mediated -> closed (upheld / not upheld / settled)
    withdrawn by the customer from any open state.

Every transition goes through `_transition`: it locks the row, checks the
state it starts from and who is acting, stamps the step's time, records it
in the history and records its emails (the customer's in their language,
the business's users' in theirs) in the outbox, once per step."""

import datetime

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from associations.models import EDITING_ROLES, CodeOfConduct, PublicationStatus, StaffMembership
from associations.services import log_action
from members import roles
from members.models import Business

from ..errors import CertificationError
from ..evidence import EvidenceRejected, inspect_upload
from ..models import Complaint, ComplaintFile, ComplaintStatus, MediationOutcome
from . import notices
from .models import FINAL_STATUSES as FINAL

S = ComplaintStatus

# A customer files at most one complaint per business in this period (counted
# from when the earlier one's address was confirmed).
ONE_PER_SENDER = datetime.timedelta(days=7)
DEFAULT_ACKNOWLEDGE_DAYS, DEFAULT_ANSWER_DAYS = 5, 20

CUSTOMER, BUSINESS, STAFF = "customer", "business", "staff"


def is_business_user(user, complaint: Complaint) -> bool:
    return bool(user) and roles.is_business_user(
        user, complaint.business_id, association_id=complaint.association_id
    )


def is_mediating_staff(user, complaint: Complaint) -> bool:
    return bool(user) and (
        user.is_superuser
        or StaffMembership.objects.filter(
            association_id=complaint.association_id, user=user, role__in=EDITING_ROLES
        ).exists()
    )


# The customer has no account: the signed link they were sent is their
# proof, checked by the view that resolves it (actor is None then).
ACTOR_CHECKS = {
    CUSTOMER: lambda user, complaint: user is None,
    BUSINESS: is_business_user,
    STAFF: is_mediating_staff,
}
ACTOR_REFUSALS = {
    CUSTOMER: gettext_lazy("Only the customer who complained can do this, through their link."),
    BUSINESS: gettext_lazy("Only the business's own users can do this."),
    STAFF: gettext_lazy("Only association staff with a deciding role can do this."),
}
OPEN = (S.RECEIVED, S.VERIFIED, S.WITH_BUSINESS, S.ANSWERED, S.ESCALATED, S.MEDIATED)

# action -> (states it may start from, state it ends in, who may do it, the time it stamps)
TRANSITIONS = {
    "verify": ((S.RECEIVED,), S.VERIFIED, CUSTOMER, "verified_at"),
    "forward": ((S.VERIFIED,), S.WITH_BUSINESS, CUSTOMER, "forwarded_at"),
    "acknowledge": ((S.WITH_BUSINESS,), S.WITH_BUSINESS, BUSINESS, "acknowledged_at"),
    "answer": ((S.WITH_BUSINESS,), S.ANSWERED, BUSINESS, "answered_at"),
    "accept": ((S.ANSWERED,), S.RESOLVED, CUSTOMER, "ended_at"),
    "escalate": ((S.WITH_BUSINESS, S.ANSWERED), S.ESCALATED, CUSTOMER, "escalated_at"),
    "mediate": ((S.ESCALATED,), S.MEDIATED, STAFF, "mediated_at"),
    "close": ((S.MEDIATED,), S.CLOSED, STAFF, "ended_at"),
    "withdraw": (OPEN, S.WITHDRAWN, CUSTOMER, "ended_at"),
}
ACTION_LABELS = {
    "verify": gettext_lazy("confirmed"),
    "forward": gettext_lazy("sent to the business"),
    "acknowledge": gettext_lazy("acknowledged"),
    "answer": gettext_lazy("answered"),
    "accept": gettext_lazy("accepted"),
    "escalate": gettext_lazy("escalated"),
    "mediate": gettext_lazy("taken into mediation"),
    "close": gettext_lazy("closed"),
    "withdraw": gettext_lazy("withdrawn"),
}


def allowed_actions(complaint: Complaint, user) -> list[str]:
    """The transitions `user` (None: the customer, by their link) may make now."""
    return [
        action
        for action, (sources, _target, who, _stamp) in TRANSITIONS.items()
        if complaint.status in sources
        and ACTOR_CHECKS[who](user, complaint)
        and not _rule_refusal(complaint, action)
    ]


def _rule_refusal(complaint: Complaint, action: str) -> str:
    """Why a rule beyond the table refuses `action` now ("" when none does)."""
    if action == "acknowledge" and complaint.acknowledged_at:
        return _("The complaint is acknowledged already.")
    if action == "escalate" and complaint.status == S.WITH_BUSINESS and timezone.now() <= complaint.answer_by:
        return _("You can escalate once the business answers, or when its deadline to answer has passed.")
    return ""


def _transition(
    complaint: Complaint, action: str, *, actor, changes: dict | None = None, data=None
) -> Complaint:
    sources, target, who, stamp = TRANSITIONS[action]
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.status not in sources:
        raise CertificationError(
            _("This complaint is %(status)s, so it cannot be %(action)s.")
            % {"status": locked.get_status_display().lower(), "action": ACTION_LABELS[action]}
        )
    if not ACTOR_CHECKS[who](actor, locked):
        raise CertificationError(str(ACTOR_REFUSALS[who]))
    if refusal := _rule_refusal(locked, action):
        raise CertificationError(refusal)
    before = locked.status
    locked.status = target
    setattr(locked, stamp, timezone.now())
    for name, value in (changes or {}).items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", stamp, *(changes or {})])
    entry = log_action(
        locked, f"complaint.{action}", actor=actor, data={"from": before, "to": target, **(data or {})}
    )
    notices.queue_step_emails(locked, action, occasion=entry.pk)
    return locked


# --- the customer ---------------------------------------------------------------


MAX_FILES = 3


@transaction.atomic
def file_complaint(about, *, fields: dict, language: str, files=()) -> Complaint:
    """A complaint about a business in an association (`about`: the
    certificate the customer complained from, or the membership), waiting
    for its sender to confirm their email (the link is emailed now). Files
    are checked as evidence is (evidence.inspect_upload)."""
    if len(files) > MAX_FILES:
        raise CertificationError(_("Send at most %(n)d files.") % {"n": MAX_FILES})
    inspected = []
    for upload in files:
        try:
            inspected.append((upload, inspect_upload(upload, name=upload.name)))
        except EvidenceRejected as error:
            raise CertificationError(f"{upload.name}: {error}") from None
    email = fields["customer_email"].strip()
    if _recent_from(email, business_id=about.business_id).exists():
        raise CertificationError(
            _("You complained about this business in the last week: follow that complaint through its link.")
        )
    complaint = Complaint.objects.create(
        association_id=about.association_id,
        business_id=about.business_id,
        certificate_number=getattr(about, "number", ""),
        customer_language=language,
        **{**fields, "customer_email": email},
    )
    for upload, checked in inspected:
        stored = ComplaintFile(
            complaint=complaint,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
        )
        stored.file.save("complaint", upload, save=True)
    log_action(
        complaint, "complaint.received", actor=None, data={"certificate": complaint.certificate_number}
    )
    notices.queue_verification_email(complaint)
    return complaint


def _recent_from(email: str, *, business_id: int):
    return Complaint.objects.annotate(sender=Lower("customer_email")).filter(
        business_id=business_id,
        sender=email.lower(),
        verified_at__gte=timezone.now() - ONE_PER_SENDER,
    )


def deadlines(
    association_id: int, *, start: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """When the business must acknowledge and answer, by the association's
    published code of conduct (the defaults when it has none)."""
    code = (
        CodeOfConduct.objects.filter(association_id=association_id, status=PublicationStatus.PUBLISHED)
        .only("acknowledge_days", "answer_days")
        .first()
    )
    acknowledge = code.acknowledge_days if code else DEFAULT_ACKNOWLEDGE_DAYS
    answer = code.answer_days if code else DEFAULT_ANSWER_DAYS
    return start + datetime.timedelta(days=acknowledge), start + datetime.timedelta(days=answer)


@transaction.atomic
def verify_complaint(complaint: Complaint) -> Complaint:
    """The customer followed the emailed link: the complaint is confirmed
    and goes to the business, with the code of conduct's deadlines."""
    if complaint.status != S.RECEIVED:
        return complaint  # a second click changes nothing
    # Two of the sender's complaints confirmed at once must not both pass the weekly rule.
    Business.objects.select_for_update().only("pk").get(pk=complaint.business_id)
    recent = _recent_from(complaint.customer_email, business_id=complaint.business_id).exclude(
        pk=complaint.pk
    )
    if recent.exists():
        raise CertificationError(
            _("You complained about this business in the last week: follow that complaint through its link.")
        )
    complaint = _transition(complaint, "verify", actor=None)
    acknowledge_by, answer_by = deadlines(complaint.association_id, start=timezone.now())
    return _transition(
        complaint, "forward", actor=None, changes={"acknowledge_by": acknowledge_by, "answer_by": answer_by}
    )


@transaction.atomic
def accept_answer(complaint: Complaint, *, reply: str = "") -> Complaint:
    return _transition(complaint, "accept", actor=None, changes={"customer_reply": reply.strip()})


@transaction.atomic
def escalate_complaint(complaint: Complaint, *, reply: str) -> Complaint:
    if not reply.strip():
        raise CertificationError(_("Say why the answer does not settle it."))
    return _transition(complaint, "escalate", actor=None, changes={"customer_reply": reply.strip()})


@transaction.atomic
def withdraw_complaint(complaint: Complaint) -> Complaint:
    return _transition(complaint, "withdraw", actor=None)


# --- the business -----------------------------------------------------------------


@transaction.atomic
def acknowledge_complaint(complaint: Complaint, *, actor) -> Complaint:
    return _transition(complaint, "acknowledge", actor=actor)


@transaction.atomic
def answer_complaint(complaint: Complaint, *, actor, answer: str) -> Complaint:
    """The business proposes its resolution (acknowledging it too, if it had not)."""
    if not answer.strip():
        raise CertificationError(_("Write the resolution you propose."))
    changes = {"business_answer": answer.strip()}
    if complaint.acknowledged_at is None:
        changes["acknowledged_at"] = timezone.now()
    return _transition(complaint, "answer", actor=actor, changes=changes)


# --- association staff ----------------------------------------------------------------


@transaction.atomic
def mediate_complaint(complaint: Complaint, *, actor) -> Complaint:
    return _transition(complaint, "mediate", actor=actor)


@transaction.atomic
def close_complaint(
    complaint: Complaint, *, actor, outcome: str, note: str = "", honour_by: datetime.date | None = None
) -> Complaint:
    """Record the mediation's outcome; an upheld complaint says what the
    business must do and by when."""
    if outcome not in MediationOutcome.values:
        raise CertificationError(_("Choose an outcome."))
    if outcome == MediationOutcome.UPHELD and (not note.strip() or honour_by is None):
        raise CertificationError(_("An upheld complaint needs what the business must do and by when."))
    return _transition(
        complaint,
        "close",
        actor=actor,
        changes={"outcome": outcome, "outcome_note": note.strip(), "honour_by": honour_by},
        data={"outcome": outcome},
    )


@transaction.atomic
def record_honoured(complaint: Complaint, *, actor) -> Complaint:
    """Staff record that the business did what the upheld outcome asked."""
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not is_mediating_staff(actor, locked):
        raise CertificationError(str(ACTOR_REFUSALS[STAFF]))
    if locked.outcome != MediationOutcome.UPHELD or locked.honoured_at:
        raise CertificationError(_("Only an upheld outcome not yet honoured can be marked honoured."))
    locked.honoured_at = timezone.now()
    locked.save(update_fields=["honoured_at"])
    log_action(locked, "complaint.honoured", actor=actor)
    return locked


def flag_unhonoured(*, today: datetime.date | None = None) -> int:
    """Flag for staff each upheld outcome whose date passed unhonoured, once
    (the conditional update claims each row); returns how many were flagged."""
    today = today or timezone.localdate()
    due = Complaint.objects.filter(
        outcome=MediationOutcome.UPHELD, honoured_at=None, flagged_at=None, honour_by__lt=today
    )
    flagged = 0
    for pk in due.values_list("pk", flat=True)[:1000]:
        with transaction.atomic():
            if Complaint.objects.filter(pk=pk, flagged_at=None).update(flagged_at=timezone.now()) != 1:
                continue
            complaint = Complaint.objects.get(pk=pk)
            entry = log_action(complaint, "complaint.flagged", actor=None)
            notices.queue_flag_emails(complaint, occasion=entry.pk)
            flagged += 1
    return flagged


# --- erasure ---------------------------------------------------------------------------

ERASED = "—"


@transaction.atomic
def erase_complaint(complaint: Complaint) -> Complaint:
    """The customer's personal data and texts removed after the complaint
    ended; what it was about, its dates and its outcome stay (the counts)."""
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.status not in FINAL:
        raise CertificationError(_("A complaint can be erased once it is closed, resolved or withdrawn."))
    if locked.erased_at:
        return locked
    for stored in locked.files.all():
        stored.file.delete(save=False)
    locked.files.all().delete()
    locked.customer_name = ERASED
    locked.customer_email = ""
    locked.description = ERASED
    locked.wanted_detail = ""
    locked.business_answer = ERASED if locked.business_answer else ""
    locked.customer_reply = ""
    locked.outcome_note = ERASED if locked.outcome_note else ""
    locked.erased_at = timezone.now()
    locked.save()
    log_action(locked, "complaint.erased", actor=None)
    return locked
