"""The emails of each complaint step, recorded through the one outbox
(members.emails.queue_email) in the step's transaction: the customer's in
the language they complained in, the business's users' in theirs. Each
occasion's key names the complaint and the step, so a step recorded twice
(a double click, a task run again) emails once."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from associations.models import EDITING_ROLES, StaffMembership
from members.emails import queue_email

from ..emails import queue_business_emails
from ..models import Complaint

VERIFY_SALT = "complaint-verify"
CUSTOMER_SALT = "complaint-customer"
# The emailed confirmation link works this long.
VERIFY_MAX_AGE = 7 * 24 * 3600


def verify_link(complaint: Complaint) -> str:
    signed = signing.dumps(complaint.token, salt=VERIFY_SALT)
    return settings.SITE_URL + reverse("complaints:confirm", args=[signed])


def customer_path(complaint: Complaint) -> str:
    return reverse("complaints:customer", args=[signing.dumps(complaint.token, salt=CUSTOMER_SALT)])


def customer_link(complaint: Complaint) -> str:
    return settings.SITE_URL + customer_path(complaint)


def token_from(signed: str, *, salt: str, max_age: int | None = None) -> str | None:
    """The complaint token a link carries; None when the link was not ours,
    was changed, or (with max_age) is too old."""
    try:
        return signing.loads(signed, salt=salt, max_age=max_age)
    except signing.BadSignature:
        return None


def queue_verification_email(complaint: Complaint) -> None:
    queue_email(
        f"complaint:{complaint.pk}:verify-link",
        to=complaint.customer_email,
        language=complaint.customer_language,
        template="complaint_verify",
        context={"complaint": complaint, "link": verify_link(complaint), "business": complaint.business},
    )


# The customer's own step needs no email back to confirm it, except where
# they must know what happens next.
CUSTOMER_SILENT = {"verify"}
BUSINESS_SILENT = {"verify"}


def queue_step_emails(complaint: Complaint, action: str, *, occasion: int) -> None:
    context = {"complaint": complaint, "action": action, "business": complaint.business}
    key = f"complaint:{complaint.pk}:{action}"
    if action not in CUSTOMER_SILENT and complaint.customer_email:
        queue_email(
            key,
            to=complaint.customer_email,
            language=complaint.customer_language,
            template="complaint_customer",
            context={**context, "link": customer_link(complaint)},
        )
    if action not in BUSINESS_SILENT:
        queue_business_emails(
            complaint,
            key,
            template="complaint_business",
            context={
                **context,
                "link": settings.SITE_URL
                + reverse("portal:complaint", args=[complaint.business_id, complaint.pk]),
            },
        )
    if action == "escalate":
        _queue_staff_emails(complaint, key, template="complaint_staff")


def queue_flag_emails(complaint: Complaint, *, occasion: int) -> None:
    _queue_staff_emails(complaint, f"complaint:{complaint.pk}:flagged", template="complaint_staff")


def _queue_staff_emails(complaint: Complaint, key: str, *, template: str) -> None:
    link = settings.SITE_URL + reverse("admin:certification_complaint_change", args=[complaint.pk])
    staff = (
        StaffMembership.objects.filter(association_id=complaint.association_id, role__in=EDITING_ROLES)
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    for membership in staff:
        queue_email(
            key,
            to=membership.user.email,
            language=membership.user.language,
            template=template,
            context={"complaint": complaint, "business": complaint.business, "link": link},
        )
