"""A failing disk (read-only, full) gives a clear message and leaves no
partial file (issue 8, item 18); stored files nobody points at are deleted
by a daily task. Real filesystems: a folder made read-only (`chattr +i` as
root, who ignores permission bits) and a 64 KB tmpfs that fills up."""

import os
import stat
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certification import issuance
from certification.models import Certificate, Evidence
from certification.services import CertificationError, attach_evidence
from certification.tasks import delete_orphan_files_task
from members.metrics.csv_import import start_metric_import
from members.metrics.values import MetricsError
from members.models import MetricImportJob
from tests import factories as f

BIG_PDF = f.PDF_BYTES + b"%" * 200_000  # larger than the full disk below


def stored_files(root) -> list[str]:
    root = Path(root)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@contextmanager
def read_only(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("root here cannot make a folder immutable (chattr +i failed)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


@contextmanager
def full_disk(folder: Path):
    """A 64 KB tmpfs at `folder`: the first larger write fills it."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)], capture_output=True
    ).returncode
    if mounted != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root with CAP_SYS_ADMIN)")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_evidence_upload_to_a_read_only_disk_says_so_and_keeps_nothing(draft, client_for, settings):
    application, criterion = draft
    client = client_for("business_user_a")
    url = reverse("applications:upload", args=[application.pk, criterion.pk])

    with read_only(Path(settings.MEDIA_ROOT)):
        response = client.post(
            url, {"file": SimpleUploadedFile("log.pdf", f.PDF_BYTES), "description": "Log"}
        )

    assert response.status_code == 400
    assert "could not be stored just now" in response.content.decode()
    assert Evidence.objects.count() == 0
    assert stored_files(settings.MEDIA_ROOT) == []


def test_evidence_upload_to_a_full_disk_leaves_no_partial_file(draft, two_associations, settings):
    application, criterion = draft

    with full_disk(Path(settings.MEDIA_ROOT)):
        with pytest.raises(CertificationError, match="could not be stored just now"):
            attach_evidence(
                application,
                criterion=criterion,
                file=SimpleUploadedFile("big.pdf", BIG_PDF),
                actor=two_associations.business_user_a,
            )
        left = stored_files(settings.MEDIA_ROOT)

    assert left == []
    assert Evidence.objects.count() == 0


def test_certificate_pdf_on_a_full_disk_releases_the_rendering_and_stores_nothing(two_associations, settings):
    approved = f.ApprovedApplicationFactory(
        association=two_associations.a, business=two_associations.business_a
    )
    certificate = issuance.create_certificate(approved)

    with full_disk(Path(settings.MEDIA_ROOT) / "certificates"):
        default_storage.save("certificates/filler", ContentFile(b"x" * 60_000))
        with pytest.raises(OSError):
            issuance.issue_certificate(approved, claim="task-on-a-full-disk")
        left = stored_files(Path(settings.MEDIA_ROOT) / "certificates")
        claim = Certificate.objects.values_list("pdf_claim", "pdf_sha256").get(pk=certificate.pk)

    issued = issuance.issue_certificate(approved, claim="retry-later")

    assert [name for name in left if not name.startswith("filler")] == []
    assert claim == ("", "")  # released at once: the retry does not wait for the lease
    assert len(issued.pdf_sha256) == 64


def test_csv_import_to_a_read_only_disk_says_so_and_keeps_nothing(two_associations, settings):
    upload = SimpleUploadedFile("m.csv", b"month,kpi_code,value\n2026-01,fcr,70\n")

    with (
        read_only(Path(settings.MEDIA_ROOT)),
        pytest.raises(MetricsError, match="could not be stored just now"),
    ):
        start_metric_import(
            two_associations.business_a,
            association=two_associations.a,
            upload=upload,
            actor=two_associations.business_user_a,
        )

    assert MetricImportJob.objects.count() == 0
    assert stored_files(settings.MEDIA_ROOT) == []


def test_stored_files_get_the_usual_permissions(settings):
    umask = os.umask(0)
    os.umask(umask)

    name = default_storage.save("evidence/1/perm", ContentFile(b"data"))

    mode = stat.S_IMODE((Path(settings.MEDIA_ROOT) / name).stat().st_mode)
    assert mode == 0o666 & ~umask
    assert stored_files(settings.MEDIA_ROOT) == ["evidence/1/perm"]


def _age(name: str, days: float) -> None:
    then = time.time() - days * 86400
    os.utime(default_storage.path(name), (then, then))


def test_delete_orphan_files_keeps_every_file_a_row_points_at(two_associations, settings):
    certificate = f.CertificateFactory(
        application=f.ApprovedApplicationFactory(association=two_associations.a)
    )
    evidence = f.EvidenceFactory(application=certificate.application)
    f.EvidenceFactory(
        application=f.ApplicationFactory(business=two_associations.business_a), file=evidence.file.name
    )
    Certificate.objects.filter(pk=certificate.pk).update(
        pdf="certificates/psa/PSA-1.pdf", pdf_sha256="a" * 64
    )
    job = MetricImportJob.objects.create(
        business=two_associations.business_a,
        association=two_associations.a,
        file="metric-imports/2026/01/kept.csv",
    )
    names = {
        "kept evidence": evidence.file.name,
        "kept pdf": "certificates/psa/PSA-1.pdf",
        "kept import": job.file.name,
        "orphan evidence": "evidence/99/orphan",
        "orphan pdf": "certificates/psa/PSA-2.pdf",
        "orphan import": "metric-imports/2026/01/orphan.csv",
        "partial": "evidence/99/.partial-0123",
        "young orphan": "evidence/99/young",
        "elsewhere": "keys/not-ours",
    }
    for label, name in names.items():
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(b"x"))
        if label != "young orphan":
            _age(name, 2)

    deleted = delete_orphan_files_task.delay().get()

    assert deleted == {"evidence": 2, "certificates": 1, "metric-imports": 1}
    remaining = {label for label, name in names.items() if default_storage.exists(name)}
    assert remaining == {"kept evidence", "kept pdf", "kept import", "young orphan", "elsewhere"}
