"""The emails about certificates, recorded through the one outbox
(`members.emails.queue_email`) in the transaction that makes them due."""

from django.conf import settings
from django.urls import reverse

from members.emails import queue_email
from members.models import BusinessUser

from .models import Application, Certificate


def _business_recipients(business_id: int, association_id: int) -> list:
    """The active users of a business whose role the association granted (a
    user of the business in another association hears nothing of this one),
    in a stable order."""
    return [
        bu.user
        for bu in BusinessUser.objects.covering(business_id, association_id)
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ]


def queue_business_emails(about: Application | Certificate, key: str, *, template: str, context: dict) -> int:
    """The email for the occasion `key` to each of the business's users that
    `about`'s association granted a role, in their language; `context` gets
    the `user`. Returns how many were recorded (not recorded before)."""
    queued = 0
    for user in _business_recipients(about.business_id, about.association_id):
        queued += bool(
            queue_email(
                key,
                to=user.email,
                language=user.language,
                template=template,
                context={**context, "user": user},
            )
        )
    return queued


def _verify_link(certificate: Certificate) -> str:
    return settings.SITE_URL + reverse("certification:verify_detail", args=[certificate.verification_token])


def queue_certificate_issued_emails(certificate: Certificate) -> int:
    return queue_business_emails(
        certificate,
        f"certificate-issued:{certificate.pk}",
        template="certificate_issued",
        context={
            "certificate": certificate,
            "link": settings.SITE_URL + reverse("certification:download", args=[certificate.pk]),
            "verify_link": _verify_link(certificate),
        },
    )


def queue_certificate_status_emails(certificate: Certificate, *, occasion: int, reason: str) -> None:
    """`occasion`: the history entry of this change, so each change is one occasion."""
    queue_business_emails(
        certificate,
        f"certificate-status:{certificate.pk}:{occasion}",
        template="certificate_status",
        context={"certificate": certificate, "reason": reason, "verify_link": _verify_link(certificate)},
    )


def queue_renewal_reminder_emails(certificate: Certificate, *, offset_days: int) -> None:
    queue_business_emails(
        certificate,
        f"renewal-reminder:{certificate.pk}:{offset_days}",
        template="renewal_reminder",
        context={
            "certificate": certificate,
            "link": settings.SITE_URL + reverse("certification:renew", args=[certificate.pk]),
            "days": offset_days,
        },
    )
