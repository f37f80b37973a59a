"""The demo's customer voice: two businesses with a few hundred responses over
12 months, their pages lived-in, and KPIs computed from the responses."""

import pytest
from django.urls import reverse

from associations.models import KpiSource
from config.demo import seed_demo
from members.models import Business, MetricValue, SurveyResponse, User


@pytest.fixture(autouse=True)
def _development(settings):
    settings.DEBUG = True


def test_seed_demo_gives_two_businesses_a_year_of_customer_responses(db, client):
    seed_demo()
    seed_demo()  # safe to run again

    indus = Business.objects.get(name="Indus Courier Company")
    shalimar = Business.objects.get(name="Shalimar Telecom Services")
    for business in (indus, shalimar):
        responses = SurveyResponse.objects.filter(business=business)
        assert responses.count() >= 200
        months = {r.submitted_at.strftime("%Y-%m") for r in responses}
        assert len(months) >= 11
    assert MetricValue.objects.filter(report__business=indus, source=KpiSource.CUSTOMERS).exists()
    client.force_login(User.objects.get(email="owner@shalimar-telecom.example.org"))
    page = client.get(reverse("portal:voice", args=[shalimar.pk]))
    assert page.context["voice"].report is not None
    assert page.context["voice"].peers  # six members have enough responses
