"""Live certification: a certificate goes under watch on a KPI breach, is
suspended when the cure period ends uncured, and is valid again once cured;
each change recorded with its KPI values and notified once."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection

from certification import live
from certification.certificates import reinstate_certificate, suspend_certificate
from certification.models import Certificate, SurveillanceEvent
from members.models import OutboundEmail
from tests import factories as f
from tests.concurrency import at_once


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture
def watched(two_associations):
    """Business A's certificate (issued 5 January 2026) of a standard with a
    CSAT gate at 80 %: 2 bad months open a breach, 60 days to cure it."""
    w = two_associations
    csat = f.KpiFactory(association=w.a, code="csat", name="Customer satisfaction")
    standard = f.PublishedStandardFactory(association=w.a)
    f.CriterionFactory(standard=standard, kpi=csat, kpi_threshold=D("80"))
    w.csat = csat
    w.certificate = f.CertificateFactory(
        application__association=w.a,
        application__business=w.business_a,
        application__standard=standard,
        valid_from=day("2026-01-05"),
        valid_until=day("2028-01-05"),
    )
    return w


def report(w, month: str, value: str) -> None:
    metric_report = f.MetricReportFactory(business=w.business_a, association=w.a, period=day(f"{month}-01"))
    f.MetricValueFactory(report=metric_report, kpi=w.csat, value=D(value))


def state(w) -> str:
    return Certificate.objects.get(pk=w.certificate.pk).surveillance_state


def notices(w) -> list[tuple[str, str]]:
    return sorted(OutboundEmail.objects.filter(key__startswith="surveillance:").values_list("to", "subject"))


def test_two_bad_months_put_the_certificate_under_watch_with_the_values_behind_it(watched):
    report(watched, "2026-02", "70")
    report(watched, "2026-03", "75.5")

    moved = live.run_surveillance(today=day("2026-04-16"))

    assert moved == {"under_watch": 1}
    assert state(watched) == "under_watch"
    event = SurveillanceEvent.objects.get()
    assert (event.from_state, event.to_state, event.day) == ("active", "under_watch", day("2026-04-16"))
    assert event.reasons == [
        {
            "kind": "breach",
            "kpi": "csat",
            "kpi_name": "Customer satisfaction",
            "unit": "%",
            "threshold": "80",
            "higher_is_better": True,
            "months": [["2026-02", "70", "bad"], ["2026-03", "75.5", "bad"]],
            # 60 days from the day it went under watch (later than from the March deadline).
            "cure_ends": "2026-06-15",
        }
    ]


def test_one_bad_month_or_a_month_within_its_grace_period_changes_nothing(watched):
    report(watched, "2026-02", "70")

    moved = live.run_surveillance(today=day("2026-04-10"))  # March is due on 15 April

    assert moved == {}
    assert state(watched) == "active"


def test_breach_uncured_suspends_the_day_after_the_cure_period(watched):
    report(watched, "2026-02", "70")
    report(watched, "2026-03", "70")
    live.run_surveillance(today=day("2026-04-16"))

    on_last_day = live.run_surveillance(today=day("2026-06-15"))
    day_after = live.run_surveillance(today=day("2026-06-16"))

    assert (on_last_day, day_after) == ({}, {"suspended": 1})
    certificate = Certificate.objects.get(pk=watched.certificate.pk)
    assert (certificate.status, certificate.suspended_by_surveillance) == ("suspended", True)
    assert "Customer satisfaction 2026-02: 70, 2026-03: 70, 2026-04: —" in certificate.status_reason
    assert list(SurveillanceEvent.objects.order_by("pk").values_list("to_state", flat=True)) == [
        "under_watch",
        "suspended",
    ]


def test_a_good_month_cures_the_watch(watched):
    report(watched, "2026-02", "70")
    report(watched, "2026-03", "70")
    live.run_surveillance(today=day("2026-04-16"))
    report(watched, "2026-04", "85")

    moved = live.run_surveillance(today=day("2026-05-01"))

    assert moved == {"active": 1}
    certificate = Certificate.objects.get(pk=watched.certificate.pk)
    assert (certificate.status, certificate.watch_since) == ("active", None)
    assert SurveillanceEvent.objects.first().reasons[0]["months"] == [["2026-04", "85", "good"]]


def _suspended(w):
    report(w, "2026-02", "70")
    report(w, "2026-03", "70")
    live.run_surveillance(today=day("2026-04-16"))
    live.run_surveillance(today=day("2026-06-16"))
    report(w, "2026-04", "70")
    report(w, "2026-05", "90")


def test_a_cured_suspension_waits_for_staff_unless_the_standard_reinstates(watched):
    _suspended(watched)

    waits = live.run_surveillance(today=day("2026-06-17"))
    reinstated = reinstate_certificate(
        watched.certificate, actor=watched.staff_admin_a, reason="Cured: May at 90 %."
    )

    assert waits == {}
    assert (reinstated.status, reinstated.watch_since, reinstated.suspended_by_surveillance) == (
        "active",
        None,
        False,
    )


def test_a_cured_suspension_ends_by_itself_when_the_standard_says_so(watched):
    watched.certificate.application.standard.__class__.objects.filter(
        pk=watched.certificate.application.standard_id
    ).update(auto_reinstate=True)
    _suspended(watched)

    moved = live.run_surveillance(today=day("2026-06-17"))

    assert moved == {"active": 1}
    assert state(watched) == "active"


def test_a_staff_suspension_is_left_to_staff(watched):
    suspend_certificate(watched.certificate, actor=watched.staff_admin_a, reason="Complaint under review.")
    report(watched, "2026-02", "90")
    report(watched, "2026-03", "90")

    moved = live.run_surveillance(today=day("2026-04-16"))

    assert moved == {}
    assert state(watched) == "suspended"


def test_the_job_run_twice_notifies_business_and_deciding_staff_once_each_in_their_language(watched):
    watched.business_user_a.language = "ur"
    watched.business_user_a.save()
    report(watched, "2026-02", "70")
    report(watched, "2026-03", "70")

    live.run_surveillance(today=day("2026-04-16"))
    live.run_surveillance(today=day("2026-04-16"))
    live.run_surveillance(today=day("2026-04-17"))

    sent = OutboundEmail.objects.filter(key__startswith="surveillance:")
    assert sorted(sent.values_list("to", "language")) == sorted(
        [(watched.business_user_a.email, "ur"), (watched.staff_admin_a.email, "en")]
    )
    body = sent.get(to=watched.staff_admin_a.email).body
    assert "February 2026: 70 %" in body
    assert "at or above 80 %" in body


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_record_the_change_once(watched):
    report(watched, "2026-02", "70")
    report(watched, "2026-03", "70")

    results = at_once(lambda: live.run_surveillance(today=day("2026-04-16")), 2)

    assert sorted(results, key=len) == [{}, {"under_watch": 1}]
    assert SurveillanceEvent.objects.count() == 1
    assert OutboundEmail.objects.filter(key__startswith="surveillance:").count() == 2
