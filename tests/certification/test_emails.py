"""Emails are plain text: nothing in them is HTML-escaped; the change-request
email links to the application's own page."""

from django.conf import settings
from django.core import mail
from django.urls import reverse

from audits.emails import queue_changes_requested_email
from certification import issuance
from certification.models import ApplicationStatus
from tests import factories as f


def test_changes_requested_email_is_not_html_escaped_and_links_the_application(
    two_associations, django_capture_on_commit_callbacks
):
    two_associations.business_a.name = "Ali & Sons"
    two_associations.business_a.save()
    standard = f.PublishedStandardFactory(association=two_associations.a, name="Shops <retail>")
    application = f.ApplicationFactory(
        business=two_associations.business_a, standard=standard, status=ApplicationStatus.CHANGES_REQUESTED
    )
    criterion = f.CriterionFactory(standard=standard, code="T1")
    f.ChangeRequestFactory(
        application=application, criterion=criterion, message='Show the driver\'s log & the "rota"'
    )

    with django_capture_on_commit_callbacks(execute=True):
        queue_changes_requested_email(application)

    body = mail.outbox[0].body
    assert "The auditors of Ali & Sons's application for Shops <retail>" in body
    assert '- T1: Show the driver\'s log & the "rota"' in body
    assert "&amp;" not in body and "&#x27;" not in body and "&quot;" not in body
    assert body.rstrip().endswith(settings.SITE_URL + reverse("applications:detail", args=[application.pk]))


def test_certificate_issued_email_prints_the_holder_unescaped(
    two_associations, django_capture_on_commit_callbacks
):
    two_associations.business_a.name = "Ali & Sons"
    two_associations.business_a.save()

    with django_capture_on_commit_callbacks(execute=True):
        issuance.issue_certificate(
            f.ApprovedApplicationFactory(association=two_associations.a, business=two_associations.business_a)
        )

    assert "Congratulations: Ali & Sons is certified" in mail.outbox[0].body
