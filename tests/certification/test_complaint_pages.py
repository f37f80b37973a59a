"""The complaint pages as people use them: a customer complains from the
verification page, confirms by the emailed link, acts by their link; the
business answers in the portal; the limits, the honeypot, the query budget."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certification.complaints import services
from certification.models import Complaint
from members.models import OutboundEmail
from tests import factories as f

FORM = {
    "customer_name": "Sana Iqbal",
    "customer_email": "sana@example.net",
    "issue": "delay",
    "happened_on": "2026-02-20",
    "description": "The courier never came.",
    "wanted": "refund",
    "wanted_detail": "",
    "website": "",
}


@pytest.fixture
def certificate(two_associations):
    app = f.ApprovedApplicationFactory(association=two_associations.a, business=two_associations.business_a)
    return f.CertificateFactory(application=app)


def _link(pattern: str) -> str:
    body = OutboundEmail.objects.order_by("-pk").first().body
    return re.search(rf"https?://[^/\s]+({pattern}[^\s]+)", body).group(1)


def test_customer_complains_confirms_and_escalates(client, certificate, two_associations):
    page = client.get(reverse("certification:verify_detail", args=[certificate.verification_token]))
    assert reverse("complaints:new", args=[certificate.verification_token]) in page.content.decode()

    sent = client.post(reverse("complaints:new", args=[certificate.verification_token]), FORM)
    assert sent.status_code == 200 and b"complaint-sent" in sent.content
    assert Complaint.objects.get().status == "received"
    confirm = _link("/complaints/confirm/")
    assert client.get(confirm).status_code == 200
    mine = client.post(confirm, follow=True)
    assert Complaint.objects.get().status == "with_business"
    customer_page = mine.redirect_chain[-1][0]

    owner = two_associations.business_user_a
    client.force_login(owner)
    complaint = Complaint.objects.get()
    detail = reverse("portal:complaint", args=[two_associations.business_a.pk, complaint.pk])
    assert b"sana@example.net" in client.get(detail).content
    client.post(detail, {"action": "answer", "answer": "We will refund you."})
    client.logout()

    page = client.get(customer_page).content.decode()
    assert "We will refund you." in page
    client.post(customer_page, {"action": "escalate", "reply": "Still waiting."})

    assert Complaint.objects.get().status == "escalated"


def test_honeypot_pretends_and_records_nothing(client, certificate):
    response = client.post(
        reverse("complaints:new", args=[certificate.verification_token]), {**FORM, "website": "http://spam"}
    )

    assert response.status_code == 200
    assert not Complaint.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_complaint_form_is_rate_limited(client, certificate, settings):
    settings.COMPLAINTS_PER_MINUTE = 2
    url = reverse("complaints:new", args=[certificate.verification_token])

    statuses = [
        client.post(url, {**FORM, "customer_email": f"c{n}@example.net"}).status_code for n in range(3)
    ]

    assert statuses == [200, 200, 429]
    assert Complaint.objects.count() == 2


def test_a_second_complaint_in_the_week_is_refused_on_the_form(client, certificate):
    url = reverse("complaints:new", args=[certificate.verification_token])
    client.post(url, FORM)
    client.post(_link("/complaints/confirm/"))

    response = client.post(url, FORM)

    assert response.status_code == 400
    assert Complaint.objects.count() == 1


def test_a_changed_link_is_not_found(client, certificate):
    client.post(reverse("complaints:new", args=[certificate.verification_token]), FORM)

    response = client.get(_link("/complaints/confirm/")[:-3] + "xyz/")

    assert response.status_code == 404


def test_another_business_cannot_open_the_complaint(client, certificate, two_associations):
    complaint = services.verify_complaint(_filed(certificate))
    client.force_login(two_associations.business_user_b)

    response = client.get(reverse("portal:complaint", args=[two_associations.business_a.pk, complaint.pk]))

    assert response.status_code == 404


def _filed(certificate, email="sana@example.net"):
    fields = {k: v for k, v in FORM.items() if k != "website"}
    fields.update(happened_on=datetime.date(2026, 2, 20), customer_email=email)
    return services.file_complaint(certificate, fields=fields, language="en")


def test_portal_complaints_query_count_does_not_grow(client, certificate, two_associations):
    client.force_login(two_associations.business_user_a)
    url = reverse("portal:complaints", args=[two_associations.business_a.pk])
    services.verify_complaint(_filed(certificate, "one@example.net"))
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for n in range(5):
        services.verify_complaint(_filed(certificate, f"many{n}@example.net"))

    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert response.status_code == 200
    assert len(many) == len(one)


def test_business_sees_its_complaint_record(client, certificate, two_associations):
    services.verify_complaint(_filed(certificate))
    client.force_login(two_associations.business_user_a)

    page = client.get(reverse("portal:complaints", args=[two_associations.business_a.pk])).content.decode()

    assert re.search(r'data-testid="record-received">1<', page)


def test_the_public_sees_counts_never_names_or_texts(client, certificate):
    services.verify_complaint(_filed(certificate))

    page = client.get(reverse("complaints:new", args=[certificate.verification_token])).content.decode()

    assert "1 received, 0 upheld" in page
    assert "Sana Iqbal" not in page and "sana@example.net" not in page and "never came" not in page
