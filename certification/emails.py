"""The emails about certificates, recorded through the one outbox
(`members.emails.queue_email`) in the transaction that makes them due."""

from django.conf import settings
from django.urls import reverse

from members.emails import queue_email
from members.models import BusinessUser

from .models import Certificate


def business_recipients(business_id: int, association_id: int) -> list:
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


def _verify_link(certificate: Certificate) -> str:
    return settings.SITE_URL + reverse("certification:verify_detail", args=[certificate.verification_token])


def queue_certificate_issued_emails(certificate: Certificate) -> int:
    link = settings.SITE_URL + reverse("certification:download", args=[certificate.pk])
    queued = 0
    for user in business_recipients(certificate.business_id, certificate.association_id):
        queued += bool(
            queue_email(
                f"certificate-issued:{certificate.pk}",
                to=user.email,
                language=user.language,
                template="certificate_issued",
                context={
                    "certificate": certificate,
                    "link": link,
                    "user": user,
                    "verify_link": _verify_link(certificate),
                },
            )
        )
    return queued


def queue_certificate_status_emails(certificate: Certificate, *, occasion: int, reason: str) -> None:
    """`occasion`: the history entry of this change, so each change is one occasion."""
    for user in business_recipients(certificate.business_id, certificate.association_id):
        queue_email(
            f"certificate-status:{certificate.pk}:{occasion}",
            to=user.email,
            language=user.language,
            template="certificate_status",
            context={
                "certificate": certificate,
                "reason": reason,
                "user": user,
                "verify_link": _verify_link(certificate),
            },
        )


def queue_renewal_reminder_emails(certificate: Certificate, *, offset_days: int) -> None:
    link = settings.SITE_URL + reverse("certification:renew", args=[certificate.pk])
    for user in business_recipients(certificate.business_id, certificate.association_id):
        queue_email(
            f"renewal-reminder:{certificate.pk}:{offset_days}",
            to=user.email,
            language=user.language,
            template="renewal_reminder",
            context={"certificate": certificate, "link": link, "user": user, "days": offset_days},
        )
