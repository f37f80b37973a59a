import io

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import CommandError, call_command

from associations.models import Association, Dimension, PublicationStatus
from certification.models import Application, ApplicationStatus, Certificate
from config.demo import DEMO_PASSWORD, DemoRefused, seed_demo
from members.models import MetricReport, User
from members.roles import roles_for


@pytest.fixture(autouse=True)
def _development(settings):
    # The demo is for development; pytest-django turns DEBUG off.
    settings.DEBUG = True


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_seed_demo_creates_the_programme(db):
    seed_demo()

    psa = Association.objects.get(slug="psa")
    assert (psa.name, psa.certificate_prefix, psa.languages) == (
        "Pakistan Service Association",
        "PSA",
        ["en", "ur", "bn"],
    )
    assert list(psa.codes_of_conduct.values_list("status", flat=True)) == [PublicationStatus.PUBLISHED]
    standard = psa.standards.get()
    assert (standard.name, standard.version, standard.status) == (
        "Customer Service Excellence",
        1,
        PublicationStatus.PUBLISHED,
    )
    criteria = list(standard.criteria.all())
    assert len(criteria) == 20
    assert {c.dimension for c in criteria} == set(Dimension.values)
    assert {c.max_score for c in criteria} == {5}
    assert ("csat", 80) in [(c.kpi.code, c.kpi_threshold) for c in criteria if c.kpi]
    assert list(psa.levels.values_list("name", "min_score")) == [("Bronze", 60), ("Silver", 75), ("Gold", 90)]
    assert list(psa.kpi_definitions.values_list("code", "higher_is_better", "has_sample_size")) == [
        ("csat", True, True),
        ("nps", True, True),
        ("fcr", True, False),
        ("first_response_hours", False, False),
        ("resolution_hours", False, False),
    ]
    assert psa.memberships.count() == 6


def test_seed_demo_shows_the_programme_at_work(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seed_demo()

    applications = dict(Application.objects.values_list("business__name", "status"))
    assert applications == {
        "Indus Courier Company": ApplicationStatus.APPROVED,
        "Shalimar Telecom Services": ApplicationStatus.SUBMITTED,
        "Ravi Home Appliance Care": ApplicationStatus.DRAFT,
        # Live certification's demo (config/demo_live.py): certified months ago.
        "Margalla Internet": ApplicationStatus.APPROVED,
        "Sindh Water Services": ApplicationStatus.APPROVED,
        "Khyber Travel Desk": ApplicationStatus.APPROVED,
    }
    certificate = Certificate.objects.get(holder_name="Indus Courier Company")
    assert certificate.number.startswith(f"PSA-{certificate.issued_at.year}-0000")
    assert certificate.pdf_sha256
    # Six businesses x 12 months: enough reporters for the peer quartiles.
    assert MetricReport.objects.values("business").distinct().count() == 6
    assert MetricReport.objects.count() == 72


def test_seed_demo_people_log_in_and_hold_their_roles(db):
    logins = seed_demo()

    landing = {}
    for login in logins:
        user = User.objects.get(email=login.email)
        assert user.check_password(DEMO_PASSWORD)
        assert EmailAddress.objects.filter(user=user, email=login.email, verified=True, primary=True).exists()
        landing[login.email] = [d.key for d in roles_for(user).destinations]
    assert landing == {
        "owner@shalimar-telecom.example.org": ["portal"],
        "owner@indus-courier.example.org": ["portal"],
        "owner@ravi-care.example.org": ["portal"],
        "admin@psa.example.org": ["admin"],
        "viewer@psa.example.org": ["admin"],
        "auditor@psa.example.org": ["audit"],
        "officer@psa.example.org": ["audit", "admin"],
    }


def test_seed_demo_twice_changes_nothing(db):
    seed_demo()
    before = _row_counts()
    hashes = dict(User.objects.values_list("email", "password"))

    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    assert _row_counts() == before
    assert dict(User.objects.values_list("email", "password")) == hashes
    assert "officer@psa.example.org" in out.getvalue()
    assert "demo-password-2026" in out.getvalue()


def test_seed_demo_refuses_when_debug_is_off(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo", stdout=io.StringIO())
    with pytest.raises(DemoRefused):
        seed_demo()

    assert Association.objects.exists() is False


def test_seed_demo_force_runs_when_debug_is_off(db, settings):
    settings.DEBUG = False
    out = io.StringIO()

    call_command("seed_demo", "--force", stdout=out)

    assert list(Association.objects.values_list("slug", flat=True)) == ["psa"]
    assert "admin@psa.example.org" in out.getvalue()


def test_seed_demo_has_a_certificate_under_watch_and_one_suspended_by_surveillance(db):
    seed_demo()
    seed_demo()  # safe to run again: nothing moves twice

    states = dict(
        Certificate.objects.filter(
            business__memberships__member_number__in=["PSA-0006", "PSA-0005"]
        ).values_list("business__memberships__member_number", "status")
    )
    watched = Certificate.objects.get(business__memberships__member_number="PSA-0006")
    suspended = Certificate.objects.get(business__memberships__member_number="PSA-0005")
    assert states == {"PSA-0006": "active", "PSA-0005": "suspended"}
    assert watched.under_watch
    assert suspended.suspended_by_surveillance
    assert list(suspended.surveillance_events.order_by("pk").values_list("to_state", flat=True)) == [
        "under_watch",
        "suspended",
    ]
    assert watched.surveillance_events.get().reasons[0]["kpi"] == "csat"
