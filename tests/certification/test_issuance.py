import datetime
import hashlib
import io
import threading
from decimal import Decimal

import pypdf
import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.utils import timezone

from certification import issuance, services
from certification.models import Application as ApplicationModel
from certification.models import ApplicationStatus, Certificate, CertificateSequence
from certification.signing import check_signature
from certification.tasks import issue_certificates, sweep
from members.models import OutboundEmail
from tests import factories as f

# Once on local disk, once on S3 (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("file_storage")


@pytest.fixture
def approved(two_associations):
    return f.ApprovedApplicationFactory(
        association=two_associations.a,
        business=two_associations.business_a,
        level=f.LevelFactory(association=two_associations.a, name="Gold", min_score=80),
    )


def test_issue_certificate_task_twice_makes_one_certificate(
    approved, two_associations, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = issue_certificates.delay(application_ids=[approved.pk]).get()
        second = issue_certificates.delay(application_ids=[approved.pk]).get()

    assert first == second
    assert Certificate.objects.count() == 1
    certificate = Certificate.objects.get()
    assert certificate.number == f"PSA-{certificate.valid_from.year}-000001"
    assert [m.to for m in mail.outbox] == [[two_associations.business_user_a.email]]


def test_issue_certificate_freezes_printed_fields(approved, two_associations):
    approved.overall_score, approved.dimension_scores = Decimal("86.46"), {"reliability": "90.00"}
    approved.save()

    certificate = issuance.issue_certificate(approved)

    assert (certificate.holder_name, certificate.holder_city) == ("Alpha Traders", "Lahore")
    assert certificate.association_name == "Pakistan Service Association"
    assert certificate.level_name == "Gold"
    assert certificate.standard_name == approved.standard.name
    assert certificate.overall_score == Decimal("86.46")
    assert certificate.dimension_scores == {"reliability": "90.00"}
    assert certificate.valid_until.year - certificate.valid_from.year == 2


def test_issue_certificate_stores_signed_pdf_with_its_hash(approved):
    certificate = issuance.issue_certificate(approved)

    data = default_storage.open(certificate.pdf.name).read()
    assert hashlib.sha256(data).hexdigest() == certificate.pdf_sha256
    assert check_signature(data, association=approved.association).valid is True
    assert certificate.number in pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_issue_certificate_numbers_follow_per_association(two_associations):
    apps = [f.ApprovedApplicationFactory(association=two_associations.a) for _ in range(2)]
    other = f.ApprovedApplicationFactory(association=two_associations.b)

    numbers = [issuance.create_certificate(app).number for app in [*apps, other]]

    year = Certificate.objects.first().valid_from.year
    assert numbers == [f"PSA-{year}-000001", f"PSA-{year}-000002", f"BSC-{year}-000001"]


def test_issue_certificate_refuses_unapproved_application(two_associations):
    app = f.ApprovedApplicationFactory(association=two_associations.a, status=ApplicationStatus.SCORED)

    with pytest.raises(services.CertificationError):
        issuance.issue_certificate(app)


def test_approve_application_enqueues_issuance_after_commit(
    two_associations, django_capture_on_commit_callbacks
):
    level = f.LevelFactory(association=two_associations.a)
    # (level preset: _transition saves the status before the level, and the
    # database insists an approved application has one)
    app = f.ApprovedApplicationFactory(
        association=two_associations.a,
        business=two_associations.business_a,
        status=ApplicationStatus.SCORED,
        level=level,
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.approve_application(app, actor=two_associations.staff_admin_a, level=level)
        assert Certificate.objects.count() == 0

    # The issuance, then the email it recorded.
    assert [c.func.__self__.name for c in callbacks] == [
        "certification.tasks.issue_certificates",
        "members.tasks.send_emails",
    ]
    assert Certificate.objects.get().application == app


def test_sweep_reissues_missing_certificate_and_missing_pdf(two_associations):
    app = f.ApprovedApplicationFactory(association=two_associations.a, decided_at=None)
    without_pdf = f.CertificateFactory(
        application=f.ApprovedApplicationFactory(
            association=two_associations.a, decided_at="2020-01-01T00:00:00Z"
        ),
        issued_at="2020-01-01T00:00:00Z",
    )

    sweep.delay().get()

    assert Certificate.objects.filter(application=app).exists()
    without_pdf.refresh_from_db()
    assert len(without_pdf.pdf_sha256) == 64


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL row locks"
)
@pytest.mark.django_db(transaction=True)
def test_issue_certificate_concurrently_makes_one_certificate():
    approved = f.ApprovedApplicationFactory()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(issuance.issue_certificate(approved).pk)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(results)) == 1
    assert Certificate.objects.count() == 1
    assert CertificateSequence.objects.get().last_value == 1


def test_issue_certificate_again_never_rerenders_a_stored_pdf(approved):
    first = issuance.issue_certificate(approved)
    data = default_storage.open(first.pdf.name).read()

    again = issuance.issue_certificate(approved)
    stored = issuance.store_certificate_pdf(first)

    assert (again.pdf.name, again.pdf_sha256) == (first.pdf.name, first.pdf_sha256)
    assert (stored.pdf.name, stored.pdf_sha256) == (first.pdf.name, first.pdf_sha256)
    assert default_storage.open(first.pdf.name).read() == data


def test_issue_certificate_leaves_rendering_claimed_by_another_task(approved, two_associations):
    certificate = issuance.create_certificate(approved)
    Certificate.objects.filter(pk=certificate.pk).update(pdf_claim="other", pdf_claimed_at=timezone.now())

    result = issuance.issue_certificate(approved, claim="this-task")

    assert (result.pdf_sha256, result.pdf.name) == ("", "")
    assert OutboundEmail.objects.count() == 0


def test_issue_certificate_redelivered_task_takes_its_own_claim_back(approved):
    certificate = issuance.create_certificate(approved)
    Certificate.objects.filter(pk=certificate.pk).update(pdf_claim="task-1", pdf_claimed_at=timezone.now())

    result = issuance.issue_certificate(approved, claim="task-1")

    assert len(result.pdf_sha256) == 64


def test_issue_certificate_takes_over_a_stale_claim(approved):
    certificate = issuance.create_certificate(approved)
    stale = timezone.now() - issuance.RENDER_LEASE - datetime.timedelta(seconds=1)
    Certificate.objects.filter(pk=certificate.pk).update(pdf_claim="dead-worker", pdf_claimed_at=stale)

    result = issuance.issue_certificate(approved, claim="task-2")

    assert len(result.pdf_sha256) == 64


def test_store_certificate_pdf_never_deletes_a_file_already_there(approved):
    certificate = issuance.create_certificate(approved)
    wanted = f"certificates/{approved.association.slug}/{certificate.number}.pdf"
    name = default_storage.save(wanted, ContentFile(b"left by a crashed render"))

    stored = issuance.store_certificate_pdf(certificate)

    assert stored.pdf.name != name
    assert default_storage.open(name).read() == b"left by a crashed render"
    assert hashlib.sha256(default_storage.open(stored.pdf.name).read()).hexdigest() == stored.pdf_sha256


def test_sweep_leaves_certificates_with_a_stored_pdf_alone(approved):
    issued = issuance.issue_certificate(approved)
    Certificate.objects.filter(pk=issued.pk).update(issued_at="2020-01-01T00:00:00Z")
    ApplicationModel.objects.filter(pk=approved.pk).update(decided_at="2020-01-01T00:00:00Z")

    counts = sweep.delay().get()

    assert counts["issuance"] == 0
    assert Certificate.objects.get().pdf_sha256 == issued.pdf_sha256
