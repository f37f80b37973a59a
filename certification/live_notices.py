"""The notices of a surveillance change (live.record_decision): the
business's users and the association's deciding staff, each once (the
outbox key is the history row's) and in their own language."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from associations.models import EDITING_ROLES, StaffMembership
from members.emails import queue_email

from .emails import queue_business_emails
from .models import Certificate, SurveillanceEvent


def queue_surveillance_notices(certificate: Certificate, event: SurveillanceEvent) -> None:
    key = f"surveillance:{event.pk}"
    context = {
        "certificate": certificate,
        "event": event,
        "reasons": parse_reasons(event.reasons),
        "verify_link": settings.SITE_URL
        + reverse("certification:verify_detail", args=[certificate.verification_token]),
        "portal_link": settings.SITE_URL + reverse("portal:dashboard"),
    }
    queue_business_emails(certificate, key, template="surveillance_notice", context=context)
    staff = (
        StaffMembership.objects.filter(
            association_id=certificate.association_id, role__in=EDITING_ROLES, user__is_active=True
        )
        .select_related("user")
        .order_by("pk")
    )
    for membership in staff:
        queue_email(
            key,
            to=membership.user.email,
            language=membership.user.language,
            template="surveillance_notice",
            context={**context, "user": membership.user, "for_staff": True},
        )


def parse_reasons(reasons: list[dict]) -> list[dict]:
    """An event's reasons with dates and numbers as objects, for templates."""
    return [
        {
            **r,
            "threshold": Decimal(r["threshold"]),
            "months": [
                {"month": datetime.date.fromisoformat(f"{m}-01"), "value": v, "status": st}
                for m, v, st in r["months"]
            ],
            "cure_ends": datetime.date.fromisoformat(r["cure_ends"]) if r.get("cure_ends") else None,
        }
        for r in reasons
    ]
