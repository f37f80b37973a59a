"""The portal's health strip and the staff watch list."""

import datetime
from decimal import Decimal as D

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certification import live
from certification.surveillance import month_start
from members.models import MetricValue
from tests import factories as f


def _months_ago(n: int) -> datetime.date:
    month = month_start(timezone.localdate())
    for _ in range(n):
        month = month_start(month - datetime.timedelta(days=1))
    return month


def _watched_business(w, *, certificates: int = 1, bad: bool = True):
    """A business of A with certificates issued 6 months ago under a CSAT
    gate of 80 %; its last two months reported at 70 (bad) or 90."""
    business = f.BusinessFactory()
    f.MembershipFactory(association=w.a, business=business)
    user = f.BusinessUserFactory(business=business).user
    csat = f.KpiFactory(association=w.a, name="Customer satisfaction")
    issued = _months_ago(6)
    made = []
    for _ in range(certificates):
        standard = f.PublishedStandardFactory(association=w.a)
        f.CriterionFactory(standard=standard, kpi=csat, kpi_threshold=D("80"))
        made.append(
            f.CertificateFactory(
                application__association=w.a,
                application__business=business,
                application__standard=standard,
                valid_from=issued,
                valid_until=issued + datetime.timedelta(days=730),
            )
        )
    for n in range(1, 6):
        report = f.MetricReportFactory(business=business, association=w.a, period=_months_ago(n))
        value = "70" if bad and n in (2, 3) else "90"
        f.MetricValueFactory(report=report, kpi=csat, value=D(value))
    return user, made


def test_health_strip_shows_the_breach_its_cure_date_and_what_cures_it(client, two_associations):
    user, (certificate,) = _watched_business(two_associations)
    # Months 3 and 2 ago were bad; last month (good) is in: the breach is cured already,
    # so evaluate as if last month were not reported yet, on its last day.
    today = _months_ago(1) + datetime.timedelta(days=40)
    live.run_surveillance(today=_months_ago(1) + datetime.timedelta(days=16))
    certificate.refresh_from_db()

    rows = live.health([certificate], today=today)[certificate.pk]

    assert certificate.under_watch
    assert [m.status.value for m in rows[0].months][-5:] == ["good", "good", "bad", "bad", "good"]
    client.force_login(user)
    page = client.get(reverse("portal:dashboard")).text
    assert "under watch" in page
    assert "Customer satisfaction" in page
    assert "at least 80 %" in page


def test_health_strip_names_the_cure_when_a_breach_is_open(two_associations):
    _user, (certificate,) = _watched_business(two_associations)
    today = _months_ago(1) + datetime.timedelta(days=16)
    MetricValue.objects.filter(report__business=certificate.business, report__period=_months_ago(1)).delete()
    live.run_surveillance(today=today)
    certificate.refresh_from_db()

    (row,) = live.health([certificate], today=today)[certificate.pk]

    assert row.breach.since == _months_ago(3)
    assert row.cure_ends == certificate.watch_since + datetime.timedelta(days=60)
    assert row.cure_text == "report a month with Customer satisfaction at or above 80 %"


def _count(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    return len(queries)


def test_dashboard_queries_do_not_grow_with_watched_certificates(client, two_associations):
    one, _ = _watched_business(two_associations, certificates=1)
    many, _ = _watched_business(two_associations, certificates=12)

    assert _count(client, one) == _count(client, many)


def test_staff_watch_list_shows_their_watched_certificates_with_the_months_behind(client, two_associations):
    w = two_associations
    _user, (watched,) = _watched_business(w)
    live.run_surveillance(today=_months_ago(1) + datetime.timedelta(days=16))
    _user, (quiet,) = _watched_business(w, bad=False)
    other = f.CertificateFactory(
        application__association=w.b, watch_since="2026-04-16", holder_name="Bengal X"
    )
    client.force_login(w.staff_admin_a)

    page = client.get(reverse("admin:certification_watchedcertificate_changelist")).text

    assert watched.number in page
    assert "Under watch" in page
    assert f"{_months_ago(3):%Y-%m} 70" in page
    assert other.number not in page
    assert quiet.number not in page
