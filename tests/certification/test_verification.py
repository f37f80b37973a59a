import datetime
import hashlib
import io

import pypdf
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification import certificates as service
from certification.models import Certificate
from tests import factories as f


def _detail(certificate):
    return reverse("certification:verify_detail", args=[certificate.verification_token])


def _json(certificate):
    return reverse("certification:verify_json", args=[certificate.verification_token])


@pytest.mark.parametrize(
    ("status", "valid_until_days", "shown"),
    [
        ("active", 300, "Valid"),
        ("suspended", 300, "Suspended"),
        ("revoked", 300, "Revoked"),
        ("expired", -1, "Expired"),
        ("active", -1, "Expired"),
    ],
)
def test_verify_detail_shows_status_in_three_queries(client, db, status, valid_until_days, shown):
    certificate = f.CertificateFactory(
        status=status,
        status_reason="Fraudulent metrics" if status != "active" else "",
        valid_from=timezone.localdate() - datetime.timedelta(days=400),
        valid_until=timezone.localdate() + datetime.timedelta(days=valid_until_days),
    )

    with CaptureQueriesContext(connection) as queries:
        response = client.get(_detail(certificate))

    assert response.status_code == 200
    assert len(queries) <= 3
    assert response.context["status"] == shown.lower().replace("valid", "active")
    assert shown in response.content.decode()
    assert ("Fraudulent metrics" in response.content.decode()) == (status in ("suspended", "revoked"))
    certificate.refresh_from_db()
    assert certificate.verification_count == 1


def test_verify_detail_shows_only_printed_fields(client, db):
    business = f.BusinessFactory(name="Alpha Traders", legal_name="Alpha Secret Holdings (Pvt) Ltd")
    certificate = f.CertificateFactory(application=f.ApprovedApplicationFactory(business=business))

    body = client.get(_detail(certificate)).content.decode()

    for printed in [
        certificate.holder_name,
        certificate.number,
        certificate.association_name,
        certificate.level_name,
    ]:
        assert printed in body
    assert "Alpha Secret Holdings" not in body


@pytest.mark.parametrize(
    ("status", "revoked", "suspended"),
    [("active", False, False), ("suspended", False, True), ("revoked", True, False)],
)
def test_verify_json_is_open_badge_credential(client, db, status, revoked, suspended):
    certificate = f.CertificateFactory(status=status)

    with CaptureQueriesContext(connection) as queries:
        data = client.get(_json(certificate)).json()

    assert len(queries) <= 3
    assert data["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert data["credentialSubject"]["achievement"]["achievementType"] == "Certification"
    assert data["validFrom"] == certificate.issued_at.isoformat()
    assert data["validUntil"] == f"{certificate.valid_until.isoformat()}T23:59:59Z"
    assert data["issuer"]["name"] == certificate.association_name
    status_entry = data["credentialStatus"]
    assert (status_entry["revoked"], status_entry["suspended"]) == (revoked, suspended)
    assert data["credentialStatus"]["status"] == status


def test_verify_by_number_redirects_to_certificate(client, db):
    certificate = f.CertificateFactory(number="PSA-2026-000123")

    response = client.get(reverse("certification:verify"), {"number": "psa-2026-000123"})

    assert response.status_code == 302
    assert response["Location"] == _detail(certificate)


def test_verify_unknown_token_is_404(client, db):
    assert client.get("/verify/not-a-token/").status_code == 404


@pytest.fixture
def issued(world):
    app = f.ApprovedApplicationFactory(association=world.a, business=world.business_a)
    certificate = service.issue_certificate(app)
    return certificate, default_storage.open(certificate.pdf.name).read()


def _upload(client, data: bytes):
    return client.post(
        reverse("certification:verify"),
        {"pdf": SimpleUploadedFile("c.pdf", data, content_type="application/pdf")},
    )


def test_verify_upload_genuine_pdf_names_certificate(client, issued):
    certificate, data = issued

    response = _upload(client, data)

    assert response.context["result"] == {"genuine": True, "certificate": certificate}
    assert certificate.number in response.content.decode()


def test_verify_upload_one_byte_changed_is_not_genuine(client, issued):
    _certificate, data = issued
    tampered = bytearray(data)
    tampered[len(tampered) // 3] ^= 0x01

    response = _upload(client, bytes(tampered))

    assert response.context["result"] == {"genuine": False}
    assert "Not genuine" in response.content.decode()


def test_verify_upload_text_edited_is_not_genuine(client, issued):
    certificate, data = issued
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.pages[0].merge_page(pypdf.PdfReader(io.BytesIO(data)).pages[0])  # any content edit
    writer.add_metadata({"/Title": certificate.number + " – Someone Else"})
    edited = io.BytesIO()
    writer.write(edited)

    response = _upload(client, edited.getvalue())

    assert response.context["result"] == {"genuine": False}


def test_verify_upload_recorded_hash_without_valid_signature_is_not_genuine(client, issued):
    certificate, _data = issued
    unsigned = io.BytesIO()
    writer = pypdf.PdfWriter()
    writer.add_blank_page(100, 100)
    writer.write(unsigned)
    Certificate.objects.filter(pk=certificate.pk).update(
        pdf_sha256=hashlib.sha256(unsigned.getvalue()).hexdigest()
    )

    response = _upload(client, unsigned.getvalue())

    assert response.context["result"] == {"genuine": False}


def _directory_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("certification:directory"))
    assert response.status_code == 200
    return len(queries)


def test_directory_query_count_is_constant(client, db):
    f.CertificateFactory()
    one = _directory_queries(client)
    for _ in range(30):
        f.CertificateFactory()

    many = _directory_queries(client)

    assert one == many


def test_directory_lists_only_valid_certificates_and_searches(client, world):
    lahore = f.CertificateFactory(
        application=f.ApprovedApplicationFactory(
            association=world.a, business=f.BusinessFactory(name="Lahore Logistics", city="Lahore")
        )
    )
    dhaka = f.CertificateFactory(
        application=f.ApprovedApplicationFactory(
            association=world.b, business=f.BusinessFactory(name="Dhaka Dairy", city="Dhaka")
        )
    )
    f.CertificateFactory(status="revoked")
    f.CertificateFactory(valid_from=datetime.date(2020, 1, 1), valid_until=datetime.date(2021, 1, 1))
    url = reverse("certification:directory")

    everyone = list(client.get(url).context["page"])
    by_name = list(client.get(url, {"q": "dairy"}).context["page"])
    by_city = list(client.get(url, {"city": "lahore"}).context["page"])
    by_association = list(client.get(url, {"association": world.b.pk}).context["page"])
    by_level = list(client.get(url, {"level": lahore.level_name}).context["page"])

    assert everyone == [dhaka, lahore]
    assert by_name == [dhaka]
    assert by_city == [lahore]
    assert by_association == [dhaka]
    assert by_level == [lahore]
