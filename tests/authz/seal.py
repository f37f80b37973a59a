"""The live seal: the SVG is public (any site may show it); the page where
a business registers its sites is its own users' (the business is in the URL)."""

from django.urls import reverse

from members.models import SealDomain
from tests import factories as f

from . import LOGIN, Row, statuses, users_of_a


def _certificate(w):
    return f.CertificateFactory(
        application=f.ApprovedApplicationFactory(association=w.a, business=w.business_a)
    )


def _domain(w):
    return SealDomain.objects.create(business=w.business_a, domain="alpha.example")


ROWS = [
    Row(
        "certification:seal",
        lambda w, c: reverse("certification:seal", args=[c.verification_token]),
        statuses(200),
        setup=_certificate,
    ),
    Row(
        "portal:seal_domains",
        lambda w: reverse("portal:seal_domains", args=[w.business_a.pk]),
        statuses(404, anonymous=LOGIN, **users_of_a(200)),
    ),
    Row(
        "portal:seal_domain_remove",
        lambda w, d: reverse("portal:seal_domain_remove", args=[w.business_a.pk, d.pk]),
        statuses(404, anonymous=LOGIN, **users_of_a(302)),
        method="post",
        setup=_domain,
    ),
]
