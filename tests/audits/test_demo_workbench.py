"""The demo gives the staff dashboard work to show."""

import pytest
from django.urls import reverse

from config.demo import seed_demo
from members.models import User


@pytest.fixture(autouse=True)
def _development(settings):
    settings.DEBUG = True


def test_seed_demo_fills_the_dashboards_queues_once(db, client):
    seed_demo()
    seed_demo()
    client.force_login(User.objects.get(email="viewer@psa.example.org"))

    body = client.get(reverse("admin:index")).content.decode()

    pending = body.split('data-testid="queue-pending"', 1)[1]
    assert pending.split('data-testid="count">', 1)[1].split("<", 1)[0].strip() == "1"
