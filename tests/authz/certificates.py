from django.urls import reverse

from certification.issuance import issue_certificate
from tests import factories as f

from . import LOGIN, Row, statuses, users_of_a


def _issued(w):
    """A certificate of business A, issued with its signed PDF."""
    return issue_certificate(f.ApprovedApplicationFactory(association=w.a, business=w.business_a))


ROWS = [
    Row("certification:verify", lambda w: reverse("certification:verify"), statuses(200)),
    Row(
        "certification:verify_detail",
        lambda w, c: reverse("certification:verify_detail", args=[c.verification_token]),
        statuses(200),
        setup=_issued,
    ),
    Row(
        "certification:verify_json",
        lambda w, c: reverse("certification:verify_json", args=[c.verification_token]),
        statuses(200),
        setup=_issued,
    ),
    Row("certification:directory", lambda w: reverse("certification:directory"), statuses(200)),
    Row(
        "certification:download",
        lambda w, c: reverse("certification:download", args=[c.pk]),
        # The business and its association's staff (viewers too); nobody else.
        statuses(
            404, anonymous=LOGIN, **users_of_a(200), staff_admin_a=200, staff_viewer_a=200, superuser=200
        ),
        setup=_issued,
    ),
    Row(
        "certification:renew",
        lambda w, c: reverse("certification:renew", args=[c.pk]),
        # Staff may look at the certificate but only the business renews.
        statuses(
            404, anonymous=LOGIN, **users_of_a(200), staff_admin_a=403, staff_viewer_a=403, superuser=403
        ),
        setup=_issued,
    ),
    Row(
        "admin:certification_certificate_changelist",
        lambda w: reverse("admin:certification_certificate_changelist"),
        statuses(302, staff_admin_a=200, staff_viewer_a=200, staff_b=200, superuser=200),
    ),
]
