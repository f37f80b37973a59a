import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from associations.models import ActionLog, Standard
from certification import certificates as service
from certification import issuance, reminders
from certification.models import Application, Certificate, Evidence, ReminderSent
from certification.services import CertificationError, remove_evidence
from certification.tasks import daily_lifecycle, record_renewal_reminders
from tests import factories as f
from tests.concurrency import at_once


@pytest.fixture
def certificate(two_associations):
    app = f.ApprovedApplicationFactory(association=two_associations.a, business=two_associations.business_a)
    return f.CertificateFactory(application=app)


@pytest.fixture
def due(two_associations):
    """A certificate inside its renewal window (the association's earliest reminder, 90 days)."""
    app = f.ApprovedApplicationFactory(association=two_associations.a, business=two_associations.business_a)
    return f.CertificateFactory(
        application=app,
        valid_from=timezone.localdate() - datetime.timedelta(days=700),
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )


def test_revoke_certificate_records_reason_and_emails_business(
    certificate, two_associations, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        service.revoke_certificate(certificate, actor=two_associations.staff_admin_a, reason="False evidence")

    certificate.refresh_from_db()
    assert (certificate.status, certificate.status_reason) == ("revoked", "False evidence")
    assert [m.to for m in mail.outbox] == [[two_associations.business_user_a.email]]
    assert "False evidence" in mail.outbox[0].body


def test_suspend_then_reinstate_certificate(certificate, two_associations):
    service.suspend_certificate(
        certificate, actor=two_associations.staff_admin_a, reason="Complaint under review"
    )
    service.reinstate_certificate(
        certificate, actor=two_associations.staff_admin_a, reason="Complaint dismissed"
    )

    certificate.refresh_from_db()
    assert (certificate.status, certificate.status_reason) == ("active", "")


@pytest.mark.parametrize("role", ["staff_viewer_a", "staff_b", "business_user_a"])
def test_revoke_certificate_refuses_other_roles(certificate, two_associations, role):
    with pytest.raises(CertificationError):
        service.revoke_certificate(certificate, actor=getattr(two_associations, role), reason="x")


def test_revoke_certificate_requires_reason(certificate, two_associations):
    with pytest.raises(CertificationError):
        service.revoke_certificate(certificate, actor=two_associations.staff_admin_a, reason="  ")


def test_admin_revoke_action_asks_reason_then_revokes(certificate, client_for):
    client = client_for("staff_admin_a")
    url = reverse("admin:certification_certificate_changelist")
    data = {"action": "revoke", "_selected_action": [certificate.pk]}

    form = client.post(url, data)
    done = client.post(url, {**data, "apply": "1", "reason": "Membership ended"})

    assert form.status_code == 200
    assert "reason" in form.context["form"].fields
    assert done.status_code == 302
    certificate.refresh_from_db()
    assert (certificate.status, certificate.status_reason) == ("revoked", "Membership ended")


def test_admin_certificates_scoped_to_association(certificate, client_for):
    response = client_for("staff_b").get(
        reverse("admin:certification_certificate_change", args=[certificate.pk])
    )

    assert response.status_code == 404


def test_daily_lifecycle_expires_past_certificates(certificate):
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_from=datetime.date(2020, 1, 1), valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )

    daily_lifecycle.delay()

    certificate.refresh_from_db()
    assert certificate.status == "expired"


def _expiring_in(certificate, days):
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_until=timezone.localdate() + datetime.timedelta(days=days)
    )


def test_reminder_task_twice_sends_each_reminder_once(
    certificate, two_associations, django_capture_on_commit_callbacks
):
    two_associations.business_user_a.language = "ur"
    two_associations.business_user_a.save()
    _expiring_in(certificate, 30)

    with django_capture_on_commit_callbacks(execute=True):
        daily_lifecycle.delay()
        daily_lifecycle.delay()

    assert list(ReminderSent.objects.values_list("offset_days", flat=True)) == [30]
    assert ReminderSent.objects.get().recorded_at is not None
    assert [m.to for m in mail.outbox] == [[two_associations.business_user_a.email]]
    assert reverse("certification:renew", args=[certificate.pk]) in mail.outbox[0].body


def test_reminders_due_picks_nearest_offset_only(certificate):
    _expiring_in(certificate, 100)
    assert reminders.reminders_due() == []
    _expiring_in(certificate, 85)
    assert reminders.reminders_due() == [(certificate.pk, 90)]
    _expiring_in(certificate, 5)
    assert reminders.reminders_due() == [(certificate.pk, 7)]


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_reminder_two_workers_at_once_send_one_email():
    business_user = f.BusinessUserFactory()
    certificate = f.CertificateFactory(
        application=f.ApprovedApplicationFactory(
            business=business_user.business, association=business_user.association
        ),
        valid_until=timezone.localdate() + datetime.timedelta(days=7),
    )
    reminder = ReminderSent.objects.create(certificate=certificate, offset_days=7)
    results = at_once(lambda: record_renewal_reminders(reminder_ids=[reminder.pk]), 3)

    assert sorted(results) == [0, 0, 1]
    assert len(mail.outbox) == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_daily_jobs_at_once_record_and_claim_each_reminder_once():
    association = f.AssociationFactory()
    certificates = [
        f.CertificateFactory(
            application=f.ApprovedApplicationFactory(association=association),
            valid_until=timezone.localdate() + datetime.timedelta(days=20),
        )
        for _ in range(40)
    ]
    claimed = at_once(reminders.claim_due_reminders, 2)

    rows = ReminderSent.objects.order_by("certificate_id")
    assert [(r.certificate_id, r.offset_days) for r in rows] == [(c.pk, 30) for c in certificates]
    first, second = claimed
    assert set(first) & set(second) == set()
    assert sorted(first + second) == [r.pk for r in ReminderSent.objects.order_by("pk")]


def test_start_renewal_carries_evidence_still_in_date(due, two_associations):
    today = timezone.localdate()
    standard = due.application.standard
    criterion = f.CriterionFactory(standard=standard, code="R1")
    in_date = Evidence.objects.create(
        application=due.application,
        criterion=criterion,
        file="evidence/1/abc",
        original_name="policy.pdf",
        content_type="application/pdf",
        size=10,
        sha256="a" * 64,
        effective_from=today - datetime.timedelta(days=100),
        effective_to=today + datetime.timedelta(days=100),
    )
    Evidence.objects.create(
        application=due.application,
        criterion=criterion,
        file="evidence/1/old",
        original_name="old.pdf",
        content_type="application/pdf",
        size=10,
        sha256="b" * 64,
        effective_from=today - datetime.timedelta(days=400),
        effective_to=today - datetime.timedelta(days=1),
    )

    renewal = service.start_renewal(due, actor=two_associations.business_user_a)

    assert renewal.renews == due
    assert renewal.status == "draft"
    carried = list(renewal.evidence.all())
    assert [(e.carried_from, e.carried_confirmed, e.file.name) for e in carried] == [
        (in_date, False, "evidence/1/abc")
    ]


def test_start_renewal_is_prefilled_from_the_last_cycle_on_the_current_standard(due, two_associations):
    today = timezone.localdate()
    old = due.application.standard
    kept = f.CriterionFactory(standard=old, code="K1")
    dropped = f.CriterionFactory(standard=old, code="D1")
    f.PublishedStandardFactory(association=two_associations.a, name=old.name, version=3, status="retired")
    current = f.PublishedStandardFactory(association=two_associations.a, name=old.name, version=2)
    Standard.objects.filter(pk=old.pk).update(status="retired")
    kept_now = f.CriterionFactory(standard=current, code="K1")
    undated = f.EvidenceFactory(application=due.application, criterion=kept)
    f.EvidenceFactory(application=due.application, criterion=dropped)
    f.EvidenceFactory(
        application=due.application, criterion=kept, effective_from=today + datetime.timedelta(days=1)
    )

    renewal = service.start_renewal(due, actor=two_associations.business_user_a)

    assert (renewal.renews, renewal.business, renewal.association, renewal.standard) == (
        due,
        due.business,
        two_associations.a,
        current,
    )
    assert [(e.criterion, e.carried_from, e.carried_confirmed) for e in renewal.evidence.all()] == [
        (kept_now, undated, False)
    ]
    log = ActionLog.objects.get(object_id=renewal.pk, action="application.renewal_started")
    assert log.data == {"renews": due.number, "carried_evidence": 1}


def test_renew_view_starts_renewal_for_business(due, client_for):
    response = client_for("business_user_a").post(reverse("certification:renew", args=[due.pk]))

    assert response.status_code == 302
    assert Application.objects.get(renews=due).status == "draft"


def test_download_gives_pdf_attachment_to_business(two_associations, client_for):
    app = f.ApprovedApplicationFactory(association=two_associations.a, business=two_associations.business_a)
    issued = issuance.issue_certificate(app)

    response = client_for("business_user_a").get(reverse("certification:download", args=[issued.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{issued.number}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_download_for_another_business_is_404(certificate, client_for):
    response = client_for("business_user_b").get(reverse("certification:download", args=[certificate.pk]))

    assert response.status_code == 404


def test_removing_carried_evidence_keeps_the_original_file(
    due, two_associations, django_capture_on_commit_callbacks
):
    original = f.EvidenceFactory(
        application=due.application,
        criterion=f.CriterionFactory(standard=due.application.standard),
    )
    renewal = service.start_renewal(due, actor=two_associations.business_user_a)
    carried = renewal.evidence.get()

    with django_capture_on_commit_callbacks(execute=True):
        remove_evidence(carried, actor=two_associations.business_user_a)

    assert list(renewal.evidence.all()) == []
    assert original.file.storage.exists(original.file.name)
    assert original.file.read() == f.PDF_BYTES


def test_removing_unshared_evidence_deletes_its_file(two_associations, django_capture_on_commit_callbacks):
    standard = f.PublishedStandardFactory(association=two_associations.a)
    draft = f.ApplicationFactory(business=two_associations.business_a, standard=standard)
    evidence = f.EvidenceFactory(application=draft)
    storage, name = evidence.file.storage, evidence.file.name

    with django_capture_on_commit_callbacks(execute=True):
        remove_evidence(evidence, actor=two_associations.business_user_a)

    assert storage.exists(name) is False


def _certificates(two_associations, count, *, valid_until):
    level = f.LevelFactory(association=two_associations.a)
    return [
        f.CertificateFactory(
            application=f.ApprovedApplicationFactory(
                association=two_associations.a, business=two_associations.business_a, level=level
            ),
            valid_from=datetime.date(2020, 1, 1),
            valid_until=valid_until,
        )
        for _ in range(count)
    ]


@pytest.mark.parametrize("count", [1, 30])
def test_reminders_due_queries_do_not_grow_with_certificates(
    two_associations, count, django_assert_num_queries
):
    certificates = _certificates(
        two_associations, count, valid_until=timezone.localdate() + datetime.timedelta(days=20)
    )
    _certificates(two_associations, count, valid_until=timezone.localdate() + datetime.timedelta(days=300))

    with django_assert_num_queries(2):
        due = reminders.reminders_due()

    assert due == [(c.pk, 30) for c in certificates]


def test_reminders_due_uses_each_associations_offsets_and_skips_sent(two_associations):
    two_associations.b.reminder_offsets = [14]
    two_associations.b.save()
    today = timezone.localdate()
    in_a = _certificates(two_associations, 2, valid_until=today + datetime.timedelta(days=20))
    in_b = f.CertificateFactory(
        application=f.ApprovedApplicationFactory(
            association=two_associations.b, business=two_associations.business_b
        ),
        valid_until=today + datetime.timedelta(days=20),
    )
    ReminderSent.objects.create(certificate=in_a[1], offset_days=30, recorded_at=timezone.now())
    ReminderSent.objects.create(certificate=in_a[0], offset_days=90, recorded_at=timezone.now())

    due = reminders.reminders_due()
    later = reminders.reminders_due(today=today + datetime.timedelta(days=7))

    assert due == [(in_a[0].pk, 30)]
    assert later == [(in_a[0].pk, 30), (in_b.pk, 14)]


@pytest.mark.parametrize("count", [1, 30])
def test_expire_certificates_queries_do_not_grow(two_associations, count, django_assert_num_queries):
    expired = _certificates(
        two_associations, count, valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    ContentType.objects.get_for_model(Certificate)  # cached, as in a running worker

    with django_assert_num_queries(5):  # savepoint, locking read, update, history insert, release
        done = reminders.expire_certificates()

    assert done == count
    assert set(Certificate.objects.values_list("status", flat=True)) == {"expired"}
    assert ActionLog.objects.filter(action="certificate.expired").count() == count
    log = ActionLog.objects.for_object(expired[0]).get()
    assert (log.association_id, log.data, log.actor) == (two_associations.a.pk, {"from": "active"}, None)


def test_admin_change_page_of_an_issued_certificate_links_the_download(two_associations, client_for):
    approved = f.ApprovedApplicationFactory(
        association=two_associations.a, business=two_associations.business_a
    )
    issued = issuance.issue_certificate(approved)
    client = client_for("staff_admin_a")

    response = client.get(reverse("admin:certification_certificate_change", args=[issued.pk]))
    download = client.get(reverse("certification:download", args=[issued.pk]))

    assert response.status_code == 200
    assert f'href="{reverse("certification:download", args=[issued.pk])}"' in response.content.decode()
    assert download.status_code == 200


def _opens(certificate) -> str:
    return date_format(certificate.valid_until - datetime.timedelta(days=90), "DATE_FORMAT")


def test_start_renewal_before_the_window_says_when_it_opens(certificate, two_associations):
    with pytest.raises(CertificationError) as refused:
        service.start_renewal(certificate, actor=two_associations.business_user_a)

    assert str(refused.value) == (
        f"Renewal opens on {_opens(certificate)}, 90 days before the certificate expires."
    )
    assert Application.objects.filter(renews=certificate).exists() is False


def test_start_renewal_refuses_while_a_renewal_is_under_way(due, two_associations):
    service.start_renewal(due, actor=two_associations.business_user_a)
    Application.objects.filter(renews=due).update(status="submitted")

    with pytest.raises(CertificationError, match=r"A renewal of this certificate is already under way\."):
        service.start_renewal(due, actor=two_associations.business_user_a)


def test_renew_view_posted_two_years_early_refuses_with_the_date(certificate, client_for):
    response = client_for("business_user_a").post(reverse("certification:renew", args=[certificate.pk]))

    assert response.status_code == 200
    assert f"Renewal opens on {_opens(certificate)}" in response.content.decode()
    assert Application.objects.filter(renews=certificate).exists() is False


def test_renew_page_before_the_window_offers_no_button(certificate, client_for):
    body = client_for("business_user_a").get(reverse("certification:renew", args=[certificate.pk])).content

    assert f"Renewal opens on {_opens(certificate)}" in body.decode()
    assert b"Start the renewal" not in body


@pytest.mark.parametrize(("days_left", "allowed"), [(90, True), (91, False)])
def test_dashboard_link_and_start_renewal_follow_one_rule(
    certificate, two_associations, client_for, days_left, allowed
):
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_until=timezone.localdate() + datetime.timedelta(days=days_left)
    )
    certificate.refresh_from_db()

    body = client_for("business_user_a").get(reverse("portal:dashboard")).content.decode()
    try:
        service.start_renewal(certificate, actor=two_associations.business_user_a)
        started = True
    except CertificationError:
        started = False

    assert (reverse("certification:renew", args=[certificate.pk]) in body, started) == (allowed, allowed)
