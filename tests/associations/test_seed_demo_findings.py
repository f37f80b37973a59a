import pytest

from audits.models import Finding
from certification.models import Certificate, Decision
from config.demo import seed_demo


@pytest.fixture(autouse=True)
def _development(settings):
    settings.DEBUG = True


def test_seed_demo_has_an_application_with_findings_at_each_stage(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seed_demo()

    findings = Finding.objects.filter(application__business__name="Margalla Internet").order_by("pk")
    assert [(f.grade, f.status) for f in findings] == [
        ("major", "accepted"),
        ("minor", "closed"),
        ("minor", "returned"),
        ("minor", "answered"),
        ("minor", "open"),
        ("observation", "noted"),
    ]
    application = findings[0].application
    assert (application.decision, application.conditions_open) == (Decision.GRANT_WITH_CONDITIONS, True)
    assert Certificate.objects.get(application=application).conditions_open is True
    assert findings[2].answers.get().review_reason == "Attach the signed attendance sheets."
