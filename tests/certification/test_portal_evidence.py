"""Evidence uploads (the hostile corpus leaves nothing behind), the
permission-checked download, and removal."""

import datetime
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from associations.models import ActionLog
from certification import services
from certification.evidence import CSV, DOCX, JPEG, PDF, PNG, XLSX, clean_name
from certification.models import ApplicationStatus, Evidence
from certification.services import CertificationError
from tests import factories as f
from tests.s3 import stored_names

# Once on local disk, once on S3 (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("file_storage")

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56 + b"\x01\x02\x03"
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48


def office(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{kind}/document.xml", "<x/>")
    return buffer.getvalue()


def pdf(name="a.pdf"):
    return SimpleUploadedFile(name, f.PDF_BYTES)


def stored_files() -> list[str]:
    return stored_names()


def upload(client, application, criterion, name, content, content_type="application/pdf", **extra):
    url = reverse("applications:upload", args=[application.pk, criterion.pk])
    file = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(url, {"file": file, "description": "Complaint log", **extra})


def raw_multipart(client, url, filename: str, content: bytes, content_type: str):
    """The test client strips folders from file names itself; a hostile
    client does not."""
    boundary = "BoUnDaRy"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


# --- accepted -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("report.pdf", f.PDF_BYTES, PDF),
        ("photo.PNG", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, PNG),
        ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 32, JPEG),
        ("policy.docx", office("word"), DOCX),
        ("figures.xlsx", office("xl"), XLSX),
        ("complaints.csv", "\ufeffmonth;count\n2026-01;3\n".encode(), CSV),
    ],
)
def test_upload_accepts_allowed_types_detected_from_content(
    client_for, two_associations, draft, name, content, expected
):
    application, criterion = draft

    response = upload(
        client_for("business_user_a"),
        application,
        criterion,
        name,
        content,
        content_type="application/octet-stream",
    )

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.original_name, evidence.content_type, evidence.size, evidence.sha256) == (
        name,
        expected,
        len(content),
        hashlib.sha256(content).hexdigest(),
    )
    assert evidence.file.name.startswith(f"evidence/{application.pk}/")
    assert name not in evidence.file.name
    assert stored_files() == [evidence.file.name]


def test_upload_pdf_with_wrong_mime_header_is_stored_as_pdf(client_for, two_associations, draft):
    application, criterion = draft

    response = upload(
        client_for("business_user_a"),
        application,
        criterion,
        "report.pdf",
        f.PDF_BYTES,
        content_type="application/x-msdownload",
    )

    assert response.status_code == 302
    assert Evidence.objects.get().content_type == "application/pdf"


def test_upload_records_period_and_history(client_for, two_associations, draft):
    application, criterion = draft

    upload(
        client_for("business_user_a"),
        application,
        criterion,
        "report.pdf",
        f.PDF_BYTES,
        effective_from="2026-01-01",
        effective_to="2026-03-31",
    )

    evidence = Evidence.objects.get()
    assert (str(evidence.effective_from), str(evidence.effective_to), evidence.uploaded_by) == (
        "2026-01-01",
        "2026-03-31",
        two_associations.business_user_a,
    )
    log = ActionLog.objects.for_object(application).get(action="evidence.added")
    assert log.data == {"criterion": "R1", "name": "report.pdf", "sha256": evidence.sha256}


# --- refused: nothing stored ---------------------------------------------------------


CORPUS = [
    ("elf renamed pdf", "invoice.pdf", ELF, "application/pdf", "not accepted"),
    ("windows exe renamed pdf", "invoice.pdf", PE, "application/pdf", "not accepted"),
    ("non-pdf sent as pdf", "report.pdf", b"Just some words, no header", "application/pdf", "does not match"),
    ("empty", "empty.pdf", b"", "application/pdf", "empty"),
    ("double extension", "report.pdf.exe", f.PDF_BYTES, "application/pdf", "does not match"),
    ("zip that is not office", "archive.docx", office("other"), "application/zip", "not accepted"),
    ("binary with nul", "data.csv", b"a,b\n\x00\x01", "text/csv", "not accepted"),
    ("html as csv", "page.csv", b"<html><script>alert(1)</script></html>", "text/csv", "not accepted"),
]


@pytest.mark.parametrize(("label", "name", "content", "mime", "message"), CORPUS, ids=[c[0] for c in CORPUS])
def test_upload_refuses_the_corpus_and_stores_nothing(
    client_for, two_associations, draft, label, name, content, mime, message
):
    application, criterion = draft

    response = upload(client_for("business_user_a"), application, criterion, name, content, content_type=mime)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Evidence.objects.count() == 0
    assert stored_files() == []
    assert not ActionLog.objects.filter(action="evidence.added").exists()


def test_upload_refuses_an_oversized_file_while_streaming(client_for, two_associations, draft, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    application, criterion = draft

    response = upload(
        client_for("business_user_a"), application, criterion, "big.pdf", f.PDF_BYTES + b"0" * 2048
    )

    assert response.status_code == 400
    assert "larger than the limit" in response.content.decode()
    assert Evidence.objects.count() == 0
    assert stored_files() == []


def test_upload_refuses_a_declared_huge_body_before_reading_it(client_for, two_associations, draft, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    application, criterion = draft

    response = upload(
        client_for("business_user_a"), application, criterion, "big.pdf", f.PDF_BYTES + b"0" * 200_000
    )

    assert response.status_code == 413
    assert Evidence.objects.count() == 0
    assert stored_files() == []


def test_upload_path_traversal_name_from_a_raw_client_stores_nothing(client_for, two_associations, draft):
    application, criterion = draft
    url = reverse("applications:upload", args=[application.pk, criterion.pk])

    response = raw_multipart(
        client_for("business_user_a"),
        url,
        "../../etc/passwd.pdf",
        b"root:x:0:0:root:/root:/bin/bash\n",
        "application/pdf",
    )

    assert response.status_code == 400
    assert Evidence.objects.count() == 0
    assert stored_files() == []
    assert not (Path(settings.MEDIA_ROOT).parent / "etc").exists()


LONG_NAME_MESSAGE = (
    "The file could not be received because its name is too long. "
    "Rename it to a shorter name (at most 200 characters) and upload it again."
)


@pytest.mark.parametrize("enforce_csrf", [False, True])
def test_upload_with_a_name_over_a_kilobyte_explains_in_the_page(two_associations, draft, enforce_csrf):
    application, criterion = draft
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(two_associations.business_user_a)
    url = reverse("applications:upload", args=[application.pk, criterion.pk])

    response = raw_multipart(client, url, "r" * 1100 + ".pdf", f.PDF_BYTES, "application/pdf")

    assert response.status_code == 400
    assert LONG_NAME_MESSAGE in response.content.decode()
    assert 'name="file"' in response.content.decode()
    assert Evidence.objects.count() == 0
    assert stored_files() == []


def test_upload_path_traversal_of_a_real_pdf_keeps_only_the_base_name(client_for, two_associations, draft):
    application, criterion = draft
    url = reverse("applications:upload", args=[application.pk, criterion.pk])

    response = raw_multipart(
        client_for("business_user_a"), url, "../../etc/passwd.pdf", f.PDF_BYTES, "application/pdf"
    )

    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.original_name == "passwd.pdf"
    assert stored_files() == [evidence.file.name]


def test_attach_evidence_refuses_a_name_with_folders(two_associations, draft):
    application, criterion = draft
    file = SimpleUploadedFile("passwd.pdf", f.PDF_BYTES)

    with pytest.raises(CertificationError, match="must not contain folders"):
        services.attach_evidence(
            application,
            criterion=criterion,
            file=file,
            actor=two_associations.business_user_a,
            name="../../etc/passwd.pdf",
        )

    assert Evidence.objects.count() == 0
    assert stored_files() == []


def test_attach_evidence_refuses_an_oversized_file(two_associations, draft, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    application, criterion = draft
    file = SimpleUploadedFile("big.pdf", f.PDF_BYTES + b"0" * 200)

    with pytest.raises(CertificationError, match="larger than the limit of 100\u00a0bytes"):
        services.attach_evidence(
            application, criterion=criterion, file=file, actor=two_associations.business_user_a
        )

    assert stored_files() == []


def test_attach_evidence_refuses_a_reversed_period(two_associations, draft):
    application, criterion = draft
    with pytest.raises(CertificationError, match="before it starts"):
        services.attach_evidence(
            application,
            criterion=criterion,
            file=pdf(),
            actor=two_associations.business_user_a,
            effective_from=datetime.date(2026, 2, 1),
            effective_to=datetime.date(2026, 1, 1),
        )

    assert stored_files() == []


def test_upload_form_refuses_a_reversed_period(client_for, two_associations, draft):
    application, criterion = draft

    response = upload(
        client_for("business_user_a"),
        application,
        criterion,
        "a.pdf",
        f.PDF_BYTES,
        effective_from="2026-02-01",
        effective_to="2026-01-01",
    )

    assert response.status_code == 400
    assert Evidence.objects.count() == 0
    assert stored_files() == []


def test_attach_evidence_refused_after_submission(two_associations, draft):
    application, criterion = draft
    application.status = ApplicationStatus.SUBMITTED
    application.save()

    with pytest.raises(CertificationError, match="only while the application is a draft"):
        services.attach_evidence(
            application, criterion=criterion, file=pdf(), actor=two_associations.business_user_a
        )

    assert stored_files() == []


def test_attach_evidence_allowed_for_a_criterion_under_change_request_only(two_associations, draft):
    application, criterion = draft
    other = f.CriterionFactory(standard=application.standard, code="R2")
    application.status = ApplicationStatus.CHANGES_REQUESTED
    application.save()
    f.ChangeRequestFactory(application=application, criterion=criterion)

    services.attach_evidence(
        application, criterion=criterion, file=pdf(), actor=two_associations.business_user_a
    )
    with pytest.raises(CertificationError, match="open change request"):
        services.attach_evidence(
            application,
            criterion=other,
            file=SimpleUploadedFile("b.pdf", f.PDF_BYTES),
            actor=two_associations.business_user_a,
        )

    assert list(Evidence.objects.values_list("criterion__code", flat=True)) == ["R1"]


def test_attach_evidence_refused_for_another_business(two_associations, draft):
    application, criterion = draft

    with pytest.raises(CertificationError, match="business's own users"):
        services.attach_evidence(
            application, criterion=criterion, file=pdf(), actor=two_associations.business_user_b
        )

    assert stored_files() == []


def test_clean_name_strips_control_and_bidi_characters_and_limits_length():
    assert clean_name("re\u202eport\x07.pdf") == "report.pdf"
    assert clean_name("  ..hidden.csv ") == "hidden.csv"
    long = clean_name("a" * 300 + ".pdf")
    assert (len(long), long[-4:]) == (200, ".pdf")


# --- download -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("business_user_a", 200),
        ("staff_admin_a", 200),
        ("staff_viewer_a", 200),
        ("superuser", 200),
        ("business_user_b", 404),
        ("staff_b", 404),
        ("auditor", 404),
        ("anonymous", 302),
    ],
)
def test_evidence_download_is_scoped(client_for, two_associations, role, status):
    evidence = f.EvidenceFactory(
        application__business=two_associations.business_a,
        application__standard__association=two_associations.a,
    )

    response = client_for(role).get(reverse("certification:evidence_download", args=[evidence.pk]))

    assert response.status_code == status


def test_evidence_download_is_an_attachment_that_must_not_be_sniffed(client_for, two_associations):
    evidence = f.EvidenceFactory(
        application__business=two_associations.business_a,
        application__standard__association=two_associations.a,
        original_name='Rapport d\'été "final".pdf',
    )

    url = reverse("certification:evidence_download", args=[evidence.pk])
    response = client_for("business_user_a").get(url)

    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''Rapport%20d%27%C3%A9t%C3%A9%20%22final%22.pdf"
    )
    assert b"".join(response.streaming_content) == f.PDF_BYTES


# --- removal --------------------------------------------------------------------------


def test_remove_evidence_in_draft_deletes_row_and_file(
    client_for, two_associations, draft, django_capture_on_commit_callbacks
):
    application, criterion = draft
    upload(client_for("business_user_a"), application, criterion, "a.pdf", f.PDF_BYTES)
    evidence = Evidence.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("business_user_a").post(
            reverse("applications:remove_evidence", args=[application.pk, evidence.pk])
        )

    assert response.status_code == 302
    assert Evidence.objects.count() == 0
    assert stored_files() == []
    assert ActionLog.objects.for_object(application).last().action == "evidence.removed"


def test_remove_evidence_refused_after_submission(client_for, two_associations, draft):
    application, criterion = draft
    evidence = f.EvidenceFactory(application=application, criterion=criterion)
    application.status = ApplicationStatus.SUBMITTED
    application.save()

    response = client_for("business_user_a").post(
        reverse("applications:remove_evidence", args=[application.pk, evidence.pk]), follow=True
    )

    assert "can be removed only while" in response.content.decode()
    assert list(Evidence.objects.all()) == [evidence]


def test_remove_evidence_refused_for_another_business(two_associations, draft):
    application, criterion = draft
    evidence = f.EvidenceFactory(application=application, criterion=criterion)

    with pytest.raises(CertificationError, match="business's own users"):
        services.remove_evidence(evidence, actor=two_associations.business_user_b)

    assert list(Evidence.objects.all()) == [evidence]


def test_upload_without_csrf_token_is_refused_and_stores_nothing(two_associations, draft):
    application, criterion = draft
    client = Client(enforce_csrf_checks=True)
    client.force_login(two_associations.business_user_a)
    url = reverse("applications:upload", args=[application.pk, criterion.pk])

    response = client.post(url, {"file": pdf(), "description": "Complaint log"})

    assert response.status_code == 403
    assert (Evidence.objects.count(), stored_files()) == (0, [])


def test_upload_with_csrf_token_is_accepted(two_associations, draft):
    application, criterion = draft
    client = Client(enforce_csrf_checks=True)
    client.force_login(two_associations.business_user_a)
    url = reverse("applications:upload", args=[application.pk, criterion.pk])
    token = client.get(url).context["csrf_token"]

    response = client.post(url, {"file": pdf(), "description": "Complaint log", "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert Evidence.objects.count() == 1
