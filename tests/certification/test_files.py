"""serve_file: every stored file leaves as a typed, unsniffable, uncached response."""

import pytest
from django.urls import reverse

from certification.files import serve_file
from tests import factories as f

# Once on local disk, once on S3 (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("file_storage")


def test_serve_file_attachment_by_default_with_nosniff_and_no_store(db):
    evidence = f.EvidenceFactory()

    response = serve_file(evidence.file, filename="report ü.pdf", content_type="application/pdf")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert (response["X-Content-Type-Options"], response["Cache-Control"]) == ("nosniff", "private, no-store")
    assert b"".join(response.streaming_content) == f.PDF_BYTES


def test_serve_file_inline(db):
    evidence = f.EvidenceFactory()

    response = serve_file(evidence.file, filename="report.pdf", content_type="application/pdf", inline=True)

    assert response["Content-Disposition"] == 'inline; filename="report.pdf"'


def test_evidence_download_uses_the_original_name(two_associations, client_for):
    evidence = f.EvidenceFactory(
        application=f.ApplicationFactory(
            business=two_associations.business_a,
            standard=f.PublishedStandardFactory(association=two_associations.a),
        ),
        original_name="policy.pdf",
    )
    url = reverse("certification:evidence_download", args=[evidence.pk])

    response = client_for("business_user_a").get(url)

    assert response["Content-Disposition"] == 'attachment; filename="policy.pdf"'
    assert (response["X-Content-Type-Options"], response["Cache-Control"]) == ("nosniff", "private, no-store")
