"""Complaints: the customer's pages are public (the signed link is the
key); the files and the portal pages are the business's users' (and the
files its association's staff's too); everyone else gets 404."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certification.complaints import notices, services
from tests import factories as f

from . import LOGIN, Row, statuses, users_of_a

FIELDS = {
    "customer_name": "Sana Iqbal",
    "customer_email": "sana@example.net",
    "issue": "delay",
    "happened_on": datetime.date(2026, 2, 20),
    "description": "The courier never came.",
    "wanted": "refund",
}


def _certificate(w):
    return f.CertificateFactory(
        application=f.ApprovedApplicationFactory(association=w.a, business=w.business_a)
    )


def _complaint(w):
    upload = SimpleUploadedFile("receipt.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    complaint = services.file_complaint(_certificate(w), fields=FIELDS, language="en", files=[upload])
    return services.verify_complaint(complaint)


def _signed(salt):
    def url(w, complaint):
        signed = notices.signing.dumps(complaint.token, salt=salt)
        name = "complaints:confirm" if salt == notices.VERIFY_SALT else "complaints:customer"
        return reverse(name, args=[signed])

    return url


ROWS = [
    Row(
        "complaints:new",
        lambda w, c: reverse("complaints:new", args=[c.verification_token]),
        statuses(200),
        setup=_certificate,
    ),
    Row("complaints:confirm", _signed(notices.VERIFY_SALT), statuses(200), setup=_complaint),
    Row("complaints:customer", _signed(notices.CUSTOMER_SALT), statuses(200), setup=_complaint),
    Row(
        "complaints:file",
        lambda w, c: reverse("complaints:file", args=[c.files.get().pk]),
        statuses(
            404, anonymous=LOGIN, **users_of_a(200), staff_admin_a=200, staff_viewer_a=200, superuser=200
        ),
        setup=_complaint,
    ),
    Row(
        "portal:complaints",
        lambda w: reverse("portal:complaints", args=[w.business_a.pk]),
        statuses(404, anonymous=LOGIN, **users_of_a(200)),
    ),
    Row(
        "portal:complaint",
        lambda w, c: reverse("portal:complaint", args=[w.business_a.pk, c.pk]),
        statuses(404, anonymous=LOGIN, **users_of_a(200)),
        setup=_complaint,
    ),
]
