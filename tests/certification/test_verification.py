import datetime
import hashlib
import io

import pypdf
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client, RequestFactory
from django.test.client import ClientHandler
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification import issuance, public_cache
from certification.models import Certificate
from certification.status_list import check_status, xsd_datetime
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
    public_cache.flush_verification_counts()  # what earlier tests left
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
    assert shown in response.content.decode()
    assert ("Fraudulent metrics" in response.content.decode()) == (status in ("suspended", "revoked"))
    public_cache.flush_verification_counts()
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
    assert data["validFrom"] == xsd_datetime(certificate.issued_at)
    assert data["validUntil"] == f"{certificate.valid_until.isoformat()}T23:59:59Z"
    assert data["issuer"]["name"] == certificate.association_name
    lists = {entry["statusPurpose"]: entry for entry in data["credentialStatus"]}
    slug = certificate.association.slug
    assert lists["revocation"] == {
        "id": f"{settings.SITE_URL}/status-lists/{slug}/revocation/#{certificate.status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(certificate.status_index),
        "statusListCredential": f"{settings.SITE_URL}/status-lists/{slug}/revocation/",
    }
    assert lists["suspension"]["statusListIndex"] == str(certificate.status_index)
    for purpose, expected in (("revocation", revoked), ("suspension", suspended)):
        listed = client.get(lists[purpose]["statusListCredential"].removeprefix(settings.SITE_URL)).json()
        assert check_status(lists[purpose], listed) is expected


def test_verify_by_number_redirects_to_certificate(client, db):
    certificate = f.CertificateFactory(number="PSA-2026-000123")

    response = client.get(reverse("certification:verify"), {"number": "psa-2026-000123"})

    assert response.status_code == 302
    assert response["Location"] == _detail(certificate)


def test_verify_unknown_token_is_404(client, db):
    assert client.get("/verify/not-a-token/").status_code == 404


@pytest.fixture
def issued(two_associations):
    app = f.ApprovedApplicationFactory(association=two_associations.a, business=two_associations.business_a)
    certificate = issuance.issue_certificate(app)
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

    assert response.context["result"]["reason"] == "tampered"
    assert "Not genuine" in response.content.decode()


def test_verify_upload_text_edited_is_not_genuine(client, issued):
    certificate, data = issued
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.pages[0].merge_page(pypdf.PdfReader(io.BytesIO(data)).pages[0])  # any content edit
    writer.add_metadata({"/Title": certificate.number + " – Someone Else"})
    edited = io.BytesIO()
    writer.write(edited)

    response = _upload(client, edited.getvalue())

    assert response.context["result"] == {
        "genuine": False,
        "reason": "tampered",
        "number": certificate.number,
    }


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

    assert response.context["result"] == {
        "genuine": False,
        "reason": "tampered",
        "number": certificate.number,
    }


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


def test_directory_pages_without_counting_every_certificate(client, db):
    certificates = sorted(
        (f.CertificateFactory(holder_name=f"Business {i:02}") for i in range(26)), key=lambda c: c.holder_name
    )
    url = reverse("certification:directory")

    with CaptureQueriesContext(connection) as queries:
        first = client.get(url).context["page"]
    second = client.get(url, {"page": 2}).context["page"]

    assert list(first) == certificates[:25]
    assert (first.has_previous, first.has_next) == (False, True)
    assert list(second) == certificates[25:]
    assert (second.has_previous, second.has_next) == (True, False)
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)


def test_directory_lists_only_valid_certificates_and_searches(client, two_associations):
    lahore = f.CertificateFactory(
        application=f.ApprovedApplicationFactory(
            association=two_associations.a, business=f.BusinessFactory(name="Lahore Logistics", city="Lahore")
        )
    )
    dhaka = f.CertificateFactory(
        application=f.ApprovedApplicationFactory(
            association=two_associations.b, business=f.BusinessFactory(name="Dhaka Dairy", city="Dhaka")
        )
    )
    f.CertificateFactory(status="revoked")
    f.CertificateFactory(valid_from=datetime.date(2020, 1, 1), valid_until=datetime.date(2021, 1, 1))
    url = reverse("certification:directory")

    everyone = list(client.get(url).context["page"])
    by_name = list(client.get(url, {"q": "dairy"}).context["page"])
    by_city = list(client.get(url, {"city": "lahore"}).context["page"])
    by_association = list(client.get(url, {"association": two_associations.b.pk}).context["page"])
    by_level = list(client.get(url, {"level": lahore.level_name}).context["page"])

    assert everyone == [dhaka, lahore]
    assert by_name == [dhaka]
    assert by_city == [lahore]
    assert by_association == [dhaka]
    assert by_level == [lahore]


def _verdict(response) -> str:
    html = response.content.decode()
    start = html.index('data-testid="pdf-verdict"')
    return " ".join(html[html.index(">", start) + 1 : html.index("</p>", start)].split())


def test_verify_upload_of_a_file_that_is_not_a_pdf_says_so(client, db):
    response = _upload(client, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)

    assert response.context["result"] == {"genuine": False, "reason": "not_pdf"}
    assert _verdict(response) == (
        "This file is not a PDF. Upload the certificate PDF exactly as you received it."
    )


def test_verify_upload_of_someone_elses_pdf_says_it_is_not_ours(client, issued):
    other = io.BytesIO()
    writer = pypdf.PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_metadata({"/Title": "Invoice 2026-04"})
    writer.write(other)

    response = _upload(client, other.getvalue())

    assert response.context["result"] == {"genuine": False, "reason": "not_ours"}
    assert _verdict(response) == "This PDF is not a certificate issued here."


def test_verify_upload_of_a_changed_certificate_names_it(client, issued):
    certificate, data = issued
    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    writer.add_metadata({"/Subject": "changed"})
    edited = io.BytesIO()
    writer.write(edited)

    response = _upload(client, edited.getvalue())

    assert _verdict(response) == (
        f"Not genuine: this is certificate {certificate.number}, changed after it was issued. "
        "Look the number up above to see the certificate as issued."
    )


def test_verify_upload_over_the_limit_streams_and_answers_with_the_form(client, db):
    response = _upload(client, b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024))

    assert response.status_code == 400
    assert response.context["result"] is None
    assert "This file is larger than 10.0\xa0MB: no certificate of ours is that large." in (
        response.content.decode()
    )
    assert 'name="pdf"' in response.content.decode()


class _CountingBody(io.BytesIO):
    def __init__(self, data: bytes):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_verify_upload_declared_too_large_is_refused_before_reading_the_body(db):
    boundary = "BoUnDaRy"
    body = _CountingBody(
        f'--{boundary}\r\nContent-Disposition: form-data; name="pdf"; filename="c.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n".encode()
        + b"%PDF-1.7\n"
        + b"0" * (20 * 1024 * 1024)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    environ = RequestFactory()._base_environ(
        PATH_INFO=reverse("certification:verify"),
        REQUEST_METHOD="POST",
        CONTENT_TYPE=f"multipart/form-data; boundary={boundary}",
        CONTENT_LENGTH=str(len(body.getvalue())),
        **{"wsgi.input": body},
    )

    response = ClientHandler(enforce_csrf_checks=False)(environ)

    assert response.status_code == 413
    assert body.bytes_read == 0
    assert "no certificate of ours is that large" in response.content.decode()


def test_verify_upload_with_a_name_over_a_kilobyte_explains_in_the_page(client, db):
    boundary = "BoUnDaRy"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="pdf"; filename="{"c" * 1100}.pdf"\r\n'
        f"Content-Type: application/pdf\r\n\r\n%PDF-1.7\r\n--{boundary}--\r\n"
    ).encode()

    response = client.post(
        reverse("certification:verify"), data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )

    assert response.status_code == 400
    assert "its name is too long" in response.content.decode()


def test_verify_upload_still_checks_csrf(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("certification:verify"), {"pdf": SimpleUploadedFile("c.pdf", b"%PDF-1.7\n")}
    )

    assert response.status_code == 403
