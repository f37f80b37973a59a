"""Live certification's public URLs: the status lists and the issuer's key
document are public (verifiers fetch them without logging in)."""

from django.urls import reverse

from . import Row, statuses

ROWS = [
    Row(
        "certification:status_list",
        lambda w: reverse("certification:status_list", args=[w.a.slug, "suspension"]),
        statuses(200),
    ),
    Row(
        "admin:certification_watchedcertificate_changelist",
        lambda w: reverse("admin:certification_watchedcertificate_changelist"),
        statuses(302, staff_admin_a=200, staff_viewer_a=200, staff_b=200, superuser=200),
    ),
    Row(
        "certification:issuer",
        lambda w: reverse("certification:issuer", args=[w.a.slug]),
        statuses(200),
    ),
]
