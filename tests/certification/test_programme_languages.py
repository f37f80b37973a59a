"""Programme content reaches each reader in their language: the portal, the
auditor pages, emails and the verification page; the certificate itself
keeps the association's language."""

import pytest
from django.urls import reverse
from django.utils import translation

from certification import issuance
from certification.models import Certificate
from members.emails import render_email
from tests import factories as f

pytestmark = pytest.mark.usefixtures("file_storage")


@pytest.fixture
def approved(two_associations):
    return f.ApprovedApplicationFactory(
        association=two_associations.a,
        business=two_associations.business_a,
        standard=f.PublishedStandardFactory(
            association=two_associations.a, name_en="Service", name_ur="سروس", name_bn="সেবা"
        ),
        level=f.LevelFactory(association=two_associations.a, name_en="Gold", name_ur="سونا", name_bn=None),
    )


def test_certificate_prints_the_associations_language_whoever_issues_it(approved):
    with translation.override("ur"):
        certificate = issuance.create_certificate(approved)

    certificate = Certificate.objects.get(pk=certificate.pk)
    assert (certificate.standard_name, certificate.level_name) == ("Service", "Gold")
    assert certificate.programme_names == {
        "en": {"standard": "Service", "level": "Gold"},
        "ur": {"standard": "سروس", "level": "سونا"},
        "bn": {"standard": "সেবা", "level": "Gold"},
    }


@pytest.mark.parametrize(
    ("language", "standard", "level"), [("ur", "سروس", "سونا"), ("en", "Service", "Gold")]
)
def test_verification_page_shows_names_in_the_visitors_language(client, approved, language, standard, level):
    certificate = issuance.create_certificate(approved)
    client.cookies["django_language"] = language

    body = client.get(
        reverse("certification:verify_detail", args=[certificate.verification_token])
    ).content.decode()

    assert f"<dd>{standard} v1</dd>" in body
    assert f"<dd>{level}</dd>" in body


def test_certificate_email_names_the_level_in_the_recipients_language(approved):
    certificate = issuance.create_certificate(approved)

    _subject, body = render_email("certificate_issued", language="ur", context={"certificate": certificate})

    assert "سونا" in body
    assert "سروس" in body


def test_portal_application_page_shows_criteria_in_the_users_language(client, two_associations):
    application = f.ApplicationFactory(association=two_associations.a, business=two_associations.business_a)
    f.CriterionFactory(standard=application.standard, text_en="Answers on time", text_ur="بروقت جواب دیتا ہے")
    user = two_associations.business_user_a
    user.language = "ur"
    user.save(update_fields=["language"])
    client.force_login(user)

    body = client.get(reverse("applications:detail", args=[application.pk])).content.decode()

    assert "بروقت جواب دیتا ہے" in body
    assert "Answers on time" not in body
