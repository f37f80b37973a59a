"""Dates, numbers and durations follow the reader's language: Urdu and
Bengali dates day first, the time left on a certificate through our own
(translatable) strings and isolated from the right-to-left text around it,
a metric's "(2026-10, n=367)" kept in its order."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format

from certification.issuance import add_months
from tests import factories as f

DAY = datetime.date(2026, 11, 29)


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [
        ("ur", "29/11/2026", "29 نومبر 2026"),
        ("bn", "29/11/2026", "29 নভেম্বর, 2026"),
        ("en", "11/29/2026", None),
    ],
)
def test_dates_follow_the_readers_language(language, short, long):
    with translation.override(language):
        assert date_format(DAY, "SHORT_DATE_FORMAT") == short
        if long:
            assert date_format(DAY) == long


@pytest.mark.parametrize("language", ["ur", "bn"])
def test_numbers_group_thousands_in_urdu_and_bengali(language, settings):
    settings.USE_THOUSAND_SEPARATOR = True

    with translation.override(language):
        assert number_format(12345.5, decimal_pos=1) == "12,345.5"


def _in_23_months():
    return add_months(timezone.localdate(), 23) + datetime.timedelta(days=2)


def test_time_left_is_counted_in_our_strings_and_isolated():
    template = Template("{% load durations %}<bdi>({{ until|time_left }})</bdi>")

    with translation.override("en"):
        html = template.render(Context({"until": _in_23_months()}))

    assert html == "<bdi>(1\xa0year, 11\xa0months)</bdi>"


def test_portal_dashboard_isolates_the_time_left(client, two_associations):
    f.CertificateFactory(
        application=f.ApprovedApplicationFactory(
            association=two_associations.a, business=two_associations.business_a
        ),
        valid_until=_in_23_months(),
    )
    client.force_login(two_associations.business_user_a)

    body = client.get(reverse("portal:dashboard")).content.decode()

    assert "<bdi>(1\xa0year, 11\xa0months)</bdi>" in body


def test_kpi_latest_value_keeps_its_order_in_urdu(client, two_associations):
    user = two_associations.business_user_a
    user.language = "ur"
    user.save(update_fields=["language"])
    kpi = f.KpiFactory(association=two_associations.a, has_sample_size=True)
    report = f.MetricReportFactory(
        business=two_associations.business_a,
        association=two_associations.a,
        period=datetime.date(2026, 10, 1),
    )
    f.MetricValueFactory(report=report, kpi=kpi, value=80, sample_size=367)
    client.force_login(user)
    url = (
        reverse("portal:metrics", args=[two_associations.business_a.pk])
        + f"?association={two_associations.a.pk}"
    )

    body = client.get(url).content.decode()

    assert '<bdi dir="ltr" data-testid="latest-period">(2026-10, n=367)</bdi>' in body
