"""Files on S3 (a real S3-compatible server, moto, started by the run):
objects are private, people get them only through the permission-checked
views (streamed, never a redirect to the bucket), large uploads stream, a
name is never overwritten, and the orphan sweep lists and deletes by key.
The evidence, certificate and import flows themselves run on S3 through the
`file_storage` fixture of their own modules."""

import datetime
import hashlib
import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from certification import issuance
from certification.files import delete_orphan_files
from certification.models import Certificate, Evidence
from config import s3storage
from members.models import MetricImportJob
from tests import factories as f
from tests.audits.scenario import build

pytestmark = pytest.mark.s3


def anonymous_get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (the local test server)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_uploaded_evidence_is_a_private_object_served_only_by_the_view(s3_storage, client_for, draft):
    application, criterion = draft
    content = f.PDF_BYTES + b"%" * 1000
    url = reverse("applications:upload", args=[application.pk, criterion.pk])
    file = SimpleUploadedFile("log.pdf", content, content_type="application/pdf")

    assert client_for("business_user_a").post(url, {"file": file, "description": "Log"}).status_code == 302

    key = Evidence.objects.get().file.name
    acl = s3_storage.client.get_object_acl(Bucket=s3_storage.bucket, Key=key)
    assert [grant["Grantee"].get("URI") for grant in acl["Grants"] if "URI" in grant["Grantee"]] == []
    assert anonymous_get(f"{s3_storage.server.url}/{s3_storage.bucket}/{key}") == 403
    download = reverse("certification:evidence_download", args=[Evidence.objects.get().pk])
    response = client_for("business_user_a").get(download)
    assert response.status_code == 200
    assert (b"".join(response.streaming_content), response["Content-Length"]) == (content, str(len(content)))
    assert s3_storage.server.url not in str(response.headers)


@pytest.mark.parametrize("role", ["business_user_b", "staff_b", "anonymous"])
def test_another_tenant_gets_no_evidence_and_no_url(s3_storage, client_for, two_associations, role):
    evidence = f.EvidenceFactory(
        application__business=two_associations.business_a,
        application__standard__association=two_associations.a,
    )

    response = client_for(role).get(reverse("certification:evidence_download", args=[evidence.pk]))

    assert response.status_code == (302 if role == "anonymous" else 404)  # anonymous: to the login page
    assert s3_storage.server.url not in str(response.headers) + response.content.decode()


def test_auditor_preview_on_s3_keeps_its_sandbox_and_other_auditors_get_404(
    s3_storage, client_for, two_associations
):
    s = build(two_associations)
    url = reverse("audits:evidence", args=[s.evidence.pk])

    response = client_for("auditor").get(url)

    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert b"".join(response.streaming_content) == s.evidence.file.storage.open(s.evidence.file.name).read()
    other = f.AuditorFactory(associations=[two_associations.a]).user
    client = client_for("anonymous")
    client.force_login(other)  # an auditor of the association, not on this application
    assert client.get(url).status_code == 404


def test_certificate_pdf_on_s3_is_private_and_downloads_for_its_business_only(
    s3_storage, client_for, two_associations
):
    approved = f.ApprovedApplicationFactory(
        association=two_associations.a,
        business=two_associations.business_a,
        level=f.LevelFactory(association=two_associations.a, name="Gold", min_score=80),
    )
    certificate = issuance.issue_certificate(approved)
    url = reverse("certification:download", args=[certificate.pk])

    assert anonymous_get(f"{s3_storage.server.url}/{s3_storage.bucket}/{certificate.pdf.name}") == 403
    assert client_for("business_user_b").get(url).status_code == 404
    response = client_for("business_user_a").get(url)
    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == certificate.pdf_sha256


def test_a_signed_url_is_short_lived_and_an_unsigned_one_is_refused(s3_storage):
    """No view hands out object URLs; should one ever be made, it is signed
    for a minute. (moto does not enforce the expiry itself, so the URL's own
    terms are checked; the refusal of an unsigned URL is the server's.)"""
    name = default_storage.save("evidence/1/report", ContentFile(b"data"))

    signed = urlsplit(default_storage.url(name))
    query = parse_qs(signed.query)

    assert query["X-Amz-Expires"] == ["60"] and query["X-Amz-Signature"]
    assert anonymous_get(f"{s3_storage.server.url}{signed.path}") == 403


def test_large_evidence_goes_up_in_parts_and_comes_back_streamed(s3_storage, client_for, draft, settings):
    """9 MB: past Django's 2 MB in-memory limit (spooled to disk) and boto3's
    8 MB multipart threshold (sent in parts, read from that file)."""
    application, criterion = draft
    content = f.PDF_BYTES + bytes(range(256)) * (9 * 4096)
    url = reverse("applications:upload", args=[application.pk, criterion.pk])
    file = SimpleUploadedFile("big.pdf", content, content_type="application/pdf")

    assert client_for("business_user_a").post(url, {"file": file, "description": "Big"}).status_code == 302

    evidence = Evidence.objects.get()
    head = s3_storage.client.head_object(Bucket=s3_storage.bucket, Key=evidence.file.name)
    assert "-" in head["ETag"]  # a multipart upload's ETag
    response = client_for("business_user_a").get(
        reverse("certification:evidence_download", args=[evidence.pk])
    )
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == evidence.sha256


def test_an_object_store_refusing_the_upload_says_so_and_keeps_nothing(s3_storage, client_for, draft):
    application, criterion = draft
    s3_storage.client.delete_bucket(Bucket=s3_storage.bucket)  # e.g. a wrong bucket name or policy
    url = reverse("applications:upload", args=[application.pk, criterion.pk])
    file = SimpleUploadedFile("log.pdf", f.PDF_BYTES, content_type="application/pdf")

    response = client_for("business_user_a").post(url, {"file": file, "description": "Log"})

    assert response.status_code == 400
    assert "could not be stored just now" in response.content.decode()
    assert Evidence.objects.count() == 0
    s3_storage.client.create_bucket(Bucket=s3_storage.bucket)  # for the fixture's cleanup


def test_two_machines_saving_one_name_never_overwrite_each_other(s3_storage):
    names, barrier = [], threading.Barrier(4)

    def save(n: int) -> None:
        barrier.wait()
        names.append((default_storage.save("certificates/psa/PSA-1.pdf", ContentFile(b"render %d" % n)), n))

    threads = [threading.Thread(target=save, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len({name for name, _ in names}) == 4
    assert all(default_storage.open(name).read() == b"render %d" % n for name, n in names)


def test_orphan_sweep_on_s3_lists_and_deletes_by_key(s3_storage, two_associations, monkeypatch):
    monkeypatch.setattr(s3storage, "DELETE_BATCH", 2)  # several delete requests
    evidence = f.EvidenceFactory(application__business=two_associations.business_a)
    certificate = f.CertificateFactory(
        application=f.ApprovedApplicationFactory(association=two_associations.a)
    )
    pdf = default_storage.save("certificates/psa/PSA-1.pdf", ContentFile(b"pdf"))
    Certificate.objects.filter(pk=certificate.pk).update(pdf=pdf, pdf_sha256="a" * 64)
    kept_import = default_storage.save("metric-imports/2026/01/kept.csv", ContentFile(b"csv"))
    MetricImportJob.objects.create(
        business=two_associations.business_a, association=two_associations.a, file=kept_import
    )
    orphans = [
        default_storage.save(name, ContentFile(b"x"))
        for name in [
            "evidence/9/a",
            "evidence/9/b",
            "evidence/9/c",
            "certificates/psa/PSA-2.pdf",
            "metric-imports/x.csv",
        ]
    ]
    elsewhere = default_storage.save("logos/not-swept.png", ContentFile(b"x"))
    written = timezone.now()

    assert delete_orphan_files(older_than=written - datetime.timedelta(hours=1)) == {
        "evidence": 0,
        "certificates": 0,
        "metric-imports": 0,
    }
    deleted = delete_orphan_files(older_than=written + datetime.timedelta(minutes=1))

    assert deleted == {"evidence": 3, "certificates": 1, "metric-imports": 1}
    assert not any(default_storage.exists(name) for name in orphans)
    assert all(default_storage.exists(name) for name in [evidence.file.name, pdf, kept_import, elsewhere])


@pytest.mark.parametrize("orphans", [1, 50])
def test_orphan_sweep_costs_the_same_requests_and_queries_at_1_and_50_files(
    s3_storage, db, orphans, django_assert_num_queries
):
    for n in range(orphans):
        default_storage.save(f"evidence/9/{n}", ContentFile(b"x"))
    requests = []
    client = default_storage.connection.meta.client
    client.meta.events.register("before-send.s3", lambda request, **kwargs: requests.append(request.method))

    with django_assert_num_queries(1):  # a batch of names checked against the rows
        deleted = delete_orphan_files(older_than=timezone.now() + datetime.timedelta(minutes=1))

    assert deleted["evidence"] == orphans
    # A listing per folder and one delete for the evidence: not a request per file.
    assert sorted(requests) == ["GET", "GET", "GET", "POST"]


def test_a_process_configured_by_the_environment_alone_stores_privately_on_s3(s3_storage, settings):
    """What a web or worker machine does with the README's variables: no
    settings file of its own, boto3 installed, the bucket reached."""
    code = (
        "import json; import django; django.setup(); from django.conf import settings; "
        "from django.core.files.base import ContentFile; "
        "from django.core.files.storage import default_storage; "
        "name = default_storage.save('evidence/1/x', ContentFile(b'from another machine')); "
        "print(json.dumps([settings.STORAGES['default'], name, default_storage.open(name).read().decode()]))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "FILE_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": s3_storage.bucket,
        "AWS_S3_ENDPOINT_URL": s3_storage.server.url,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    storage, name, content = json.loads(out)
    assert storage["BACKEND"] == "config.s3storage.S3Storage"
    options = storage["OPTIONS"]
    assert (options["default_acl"], options["querystring_auth"], options["querystring_expire"]) == (
        None,
        True,
        60,
    )
    assert (options["file_overwrite"], options["signature_version"]) == (False, "s3v4")
    assert content == "from another machine"
    assert anonymous_get(f"{s3_storage.server.url}/{s3_storage.bucket}/{name}") == 403
