"""The complaint state machine: every transition and who may make it, the
code of conduct's deadlines on a frozen clock, each step's emails once,
one complaint per confirmed address per business per week, erasure."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from associations.models import ActionLog, PublicationStatus
from certification.complaints import services
from certification.errors import CertificationError
from certification.models import Complaint, ComplaintFile
from members.models import OutboundEmail
from tests import factories as f

S = services.S
FROZEN = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
FIELDS = {
    "customer_name": "Sana Iqbal",
    "customer_email": "sana@example.net",
    "issue": "delay",
    "happened_on": datetime.date(2026, 2, 20),
    "description": "The courier never came.",
    "wanted": "refund",
}


@pytest.fixture
def certificate(two_associations):
    app = f.ApprovedApplicationFactory(association=two_associations.a, business=two_associations.business_a)
    return f.CertificateFactory(application=app)


def _filed(certificate, **changes):
    return services.file_complaint(certificate, fields={**FIELDS, **changes}, language="ur")


def _with_business(certificate, **changes):
    return services.verify_complaint(_filed(certificate, **changes))


def _answered(certificate, owner):
    return services.answer_complaint(_with_business(certificate), actor=owner, answer="Refund sent.")


def _mediated(certificate, two_associations):
    complaint = services.escalate_complaint(
        _answered(certificate, two_associations.business_user_a), reply="No refund arrived."
    )
    return services.mediate_complaint(complaint, actor=two_associations.staff_admin_a)


def _emails(complaint):
    return sorted(
        OutboundEmail.objects.filter(key__startswith=f"complaint:{complaint.pk}:").values_list("key", "to")
    )


def test_filed_complaint_waits_for_its_email_to_be_confirmed(certificate):
    complaint = _filed(certificate)

    assert complaint.status == S.RECEIVED
    assert complaint.business_id == certificate.business_id
    assert _emails(complaint) == [(f"complaint:{complaint.pk}:verify-link", "sana@example.net")]
    assert OutboundEmail.objects.get(to="sana@example.net").language == "ur"


def test_confirming_sends_it_to_the_business_with_the_codes_deadlines(
    certificate, two_associations, monkeypatch
):
    f.CodeOfConductFactory(
        association=two_associations.a,
        status=PublicationStatus.PUBLISHED,
        published_at=FROZEN,
        acknowledge_days=3,
        answer_days=10,
    )
    complaint = _filed(certificate)
    monkeypatch.setattr(timezone, "now", lambda: FROZEN)

    complaint = services.verify_complaint(complaint)

    assert complaint.status == S.WITH_BUSINESS
    assert complaint.verified_at == complaint.forwarded_at == FROZEN
    assert complaint.acknowledge_by == FROZEN + datetime.timedelta(days=3)
    assert complaint.answer_by == FROZEN + datetime.timedelta(days=10)
    owner = two_associations.business_user_a.email
    assert (f"complaint:{complaint.pk}:forward", owner) in _emails(complaint)
    assert (f"complaint:{complaint.pk}:forward", "sana@example.net") in _emails(complaint)


def test_deadlines_default_to_five_and_twenty_days(certificate, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: FROZEN)

    complaint = _with_business(certificate)

    assert complaint.acknowledge_by == FROZEN + datetime.timedelta(days=5)
    assert complaint.answer_by == FROZEN + datetime.timedelta(days=20)


def test_customer_may_escalate_an_unanswered_complaint_only_after_the_deadline(certificate, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: FROZEN)
    complaint = _with_business(certificate)
    monkeypatch.setattr(timezone, "now", lambda: FROZEN + datetime.timedelta(days=19))
    with pytest.raises(CertificationError):
        services.escalate_complaint(complaint, reply="No answer.")
    monkeypatch.setattr(timezone, "now", lambda: FROZEN + datetime.timedelta(days=20, seconds=1))

    complaint = services.escalate_complaint(complaint, reply="No answer.")

    assert complaint.status == S.ESCALATED


def test_the_whole_way_to_an_upheld_outcome(certificate, two_associations):
    owner, staff = two_associations.business_user_a, two_associations.staff_admin_a
    complaint = _with_business(certificate)

    complaint = services.acknowledge_complaint(complaint, actor=owner)
    complaint = services.answer_complaint(complaint, actor=owner, answer="We will call you.")
    complaint = services.escalate_complaint(complaint, reply="Nobody called.")
    complaint = services.mediate_complaint(complaint, actor=staff)
    complaint = services.close_complaint(
        complaint, actor=staff, outcome="upheld", note="Refund in full.", honour_by=datetime.date(2026, 4, 1)
    )

    assert complaint.status == S.CLOSED
    assert complaint.outcome == "upheld"
    steps = list(ActionLog.objects.for_object(complaint).values_list("action", flat=True))
    assert steps == [
        "complaint.received",
        "complaint.verify",
        "complaint.forward",
        "complaint.acknowledge",
        "complaint.answer",
        "complaint.escalate",
        "complaint.mediate",
        "complaint.close",
    ]
    assert all(
        getattr(complaint, stamp)
        for stamp in ("verified_at", "forwarded_at", "acknowledged_at", "answered_at", "escalated_at")
    )
    assert complaint.mediated_at and complaint.ended_at


def test_customer_accepting_the_answer_resolves_it(certificate, two_associations):
    complaint = _answered(certificate, two_associations.business_user_a)

    complaint = services.accept_answer(complaint, reply="Thank you.")

    assert complaint.status == S.RESOLVED


@pytest.mark.parametrize("who", ["business_user_b", "staff_admin_a", "auditor", "superuser"])
def test_only_the_business_answers(certificate, two_associations, who):
    complaint = _with_business(certificate)

    with pytest.raises(CertificationError):
        services.answer_complaint(complaint, actor=getattr(two_associations, who), answer="x")


@pytest.mark.parametrize("who", ["business_user_a", "staff_viewer_a", "staff_b", "auditor"])
def test_only_the_associations_deciding_staff_mediate(certificate, two_associations, who):
    complaint = services.escalate_complaint(
        _answered(certificate, two_associations.business_user_a), reply="Not enough."
    )

    with pytest.raises(CertificationError):
        services.mediate_complaint(complaint, actor=getattr(two_associations, who))


def test_a_signed_in_person_is_not_the_customer(certificate, two_associations):
    complaint = _answered(certificate, two_associations.business_user_a)

    with pytest.raises(CertificationError):
        services._transition(complaint, "accept", actor=two_associations.business_user_a)


def test_steps_out_of_order_are_refused(certificate, two_associations):
    complaint = _filed(certificate)

    with pytest.raises(CertificationError):
        services.answer_complaint(complaint, actor=two_associations.business_user_a, answer="Too early")
    with pytest.raises(CertificationError):
        services.accept_answer(complaint)


def test_allowed_actions_per_actor(certificate, two_associations):
    complaint = _answered(certificate, two_associations.business_user_a)

    assert services.allowed_actions(complaint, None) == ["accept", "escalate", "withdraw"]
    assert services.allowed_actions(complaint, two_associations.business_user_a) == []
    assert services.allowed_actions(complaint, two_associations.staff_admin_a) == []


def test_an_upheld_outcome_needs_what_and_when(certificate, two_associations):
    complaint = _mediated(certificate, two_associations)

    with pytest.raises(CertificationError):
        services.close_complaint(complaint, actor=two_associations.staff_admin_a, outcome="upheld")


def test_each_step_is_emailed_once_however_often_it_runs(certificate, two_associations):
    complaint = _with_business(certificate)
    before = _emails(complaint)

    services.verify_complaint(Complaint.objects.get(pk=complaint.pk))
    with pytest.raises(CertificationError):
        services.acknowledge_complaint(
            services.acknowledge_complaint(complaint, actor=two_associations.business_user_a),
            actor=two_associations.business_user_a,
        )

    acknowledged = [
        (f"complaint:{complaint.pk}:acknowledge", "sana@example.net"),
        (f"complaint:{complaint.pk}:acknowledge", two_associations.business_user_a.email),
    ]
    assert _emails(complaint) == sorted([*before, *acknowledged])


def test_notices_record_nothing_new_when_run_twice(certificate):
    complaint = _with_business(certificate)
    count = OutboundEmail.objects.count()
    entry = ActionLog.objects.for_object(complaint).last()

    services.notices.queue_step_emails(complaint, "forward", occasion=entry.pk)
    services.notices.queue_step_emails(complaint, "forward", occasion=entry.pk)

    assert OutboundEmail.objects.count() == count


def test_one_complaint_per_confirmed_address_per_business_per_week(certificate, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: FROZEN)
    _with_business(certificate)
    with pytest.raises(CertificationError):
        _filed(certificate, customer_email="SANA@example.net")
    monkeypatch.setattr(timezone, "now", lambda: FROZEN + datetime.timedelta(days=8))

    assert _filed(certificate).status == S.RECEIVED


def test_two_unconfirmed_complaints_from_one_address_confirm_only_one(certificate):
    first, second = _filed(certificate), _filed(certificate)

    services.verify_complaint(first)

    with pytest.raises(CertificationError):
        services.verify_complaint(second)


def test_erasure_after_closure_keeps_the_counts(certificate, two_associations):
    upload = SimpleUploadedFile("receipt.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    complaint = services.file_complaint(certificate, fields=FIELDS, language="en", files=[upload])
    complaint = services.accept_answer(
        services.answer_complaint(
            services.verify_complaint(complaint), actor=two_associations.business_user_a, answer="Sorry."
        )
    )

    erased = services.erase_complaint(complaint)

    assert (erased.customer_name, erased.customer_email, erased.description) == ("—", "", "—")
    assert erased.status == S.RESOLVED and erased.issue == "delay" and erased.erased_at
    assert not ComplaintFile.objects.filter(complaint=complaint).exists()


def test_an_open_complaint_cannot_be_erased(certificate):
    with pytest.raises(CertificationError):
        services.erase_complaint(_with_business(certificate))


def test_unhonoured_upheld_outcome_is_flagged_once(certificate, two_associations):
    staff = two_associations.staff_admin_a
    complaint = services.close_complaint(
        _mediated(certificate, two_associations),
        actor=staff,
        outcome="upheld",
        note="Refund.",
        honour_by=datetime.date(2026, 4, 1),
    )

    first = services.flag_unhonoured(today=datetime.date(2026, 4, 2))
    again = services.flag_unhonoured(today=datetime.date(2026, 4, 3))

    assert (first, again) == (1, 0)
    assert Complaint.objects.get(pk=complaint.pk).flagged_at is not None
    assert OutboundEmail.objects.filter(key=f"complaint:{complaint.pk}:flagged", to=staff.email).count() == 1


def test_an_honoured_outcome_is_not_flagged(certificate, two_associations):
    staff = two_associations.staff_admin_a
    complaint = services.close_complaint(
        _mediated(certificate, two_associations),
        actor=staff,
        outcome="upheld",
        note="Refund.",
        honour_by=datetime.date(2026, 4, 1),
    )
    services.record_honoured(complaint, actor=staff)

    assert services.flag_unhonoured(today=datetime.date(2026, 4, 2)) == 0


def test_complaint_files_are_checked_like_evidence(certificate):
    upload = SimpleUploadedFile("run.exe", b"MZ\x90\x00binary")

    with pytest.raises(CertificationError):
        services.file_complaint(certificate, fields=FIELDS, language="en", files=[upload])

    assert not Complaint.objects.exists()
