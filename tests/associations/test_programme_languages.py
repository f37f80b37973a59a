"""Programme content in English, Urdu and Bengali (associations/translation.py):
the demo carries all three, a reader sees their own, a missing translation
falls back, and publishing freezes every language."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from associations import services
from associations.models import (
    CertificationLevel,
    CodeOfConduct,
    Criterion,
    KpiDefinition,
    PublicationStatus,
    Standard,
)
from config.demo import seed_demo
from tests import factories

TRANSLATED = {
    CodeOfConduct: ("title", "body"),
    Standard: ("name", "description"),
    Criterion: ("text", "guidance"),
    KpiDefinition: ("name", "unit"),
    CertificationLevel: ("name",),
}
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def test_seed_demo_has_every_programme_field_in_three_languages(db, settings):
    settings.DEBUG = True

    seed_demo()

    missing = [
        f"{model.__name__} {row['pk']} {field}_{language}"
        for model, fields in TRANSLATED.items()
        for row in model.objects.values("pk", *(f"{f}_{lang}" for f in fields for lang in LANGUAGES))
        for field in fields
        for language in LANGUAGES
        if not row[f"{field}_{language}"]
    ]
    assert missing == []
    assert Criterion.objects.count() == 20


def test_seed_demo_programme_reads_in_the_readers_language(db, settings):
    settings.DEBUG = True
    seed_demo()

    def gold_and_rel1(language):
        with translation.override(language):
            level = CertificationLevel.objects.get(min_score=90)
            criterion = Criterion.objects.get(code="REL-1")
            return level.name, criterion.text.split(" ")[0]

    assert gold_and_rel1("en") == ("Gold", "Services")
    assert gold_and_rel1("ur") == ("سونا", "خدمات")
    assert gold_and_rel1("bn") == ("স্বর্ণ", "সেবা")


def test_missing_translation_falls_back_to_the_default_language_not_blank(db):
    criterion = factories.CriterionFactory(
        text_en="Answers the phone", text_ur="فون کا جواب دیتا ہے", text_bn=None
    )

    with translation.override("bn"):
        assert Criterion.objects.get(pk=criterion.pk).text == "Answers the phone"
    with translation.override("ur"):
        assert Criterion.objects.get(pk=criterion.pk).text == "فون کا جواب دیتا ہے"


def test_missing_english_falls_back_to_another_language(db):
    level = factories.LevelFactory(name_en=None, name_ur="سونا")

    with translation.override("en"):
        assert CertificationLevel.objects.get(pk=level.pk).name == "سونا"


def test_new_standard_version_keeps_every_language(db):
    standard = factories.PublishedStandardFactory(name_en="Service", name_ur="سروس", name_bn="সেবা")
    factories.CriterionFactory(standard=standard, text_en="On time", text_ur="بروقت", text_bn="সময়মতো")

    with translation.override("ur"):
        draft = services.new_standard_version(standard, actor=None)

    draft = Standard.objects.get(pk=draft.pk)
    assert (draft.name_en, draft.name_ur, draft.name_bn, draft.version) == ("Service", "سروس", "সেবা", 2)
    assert list(draft.criteria.values_list("text_en", "text_ur", "text_bn")) == [
        ("On time", "بروقت", "সময়মতো")
    ]


def test_publishing_a_new_version_in_urdu_retires_the_old_one(db):
    standard = factories.PublishedStandardFactory(name_en="Service", name_ur="سروس")
    factories.CriterionFactory(standard=standard)
    draft = services.new_standard_version(standard, actor=None)

    with translation.override("bn"):
        services.publish_standard(draft, actor=None)

    assert Standard.objects.get(pk=standard.pk).status == PublicationStatus.RETIRED


@pytest.mark.parametrize("language", ["ur", "bn"])
def test_admin_cannot_change_any_language_of_a_published_standard(two_associations, client_for, language):
    standard = factories.PublishedStandardFactory(association=two_associations.a, name_en="Service")
    client = client_for("staff_admin_a")
    url = reverse("admin:associations_standard_change", args=[standard.pk])

    response = client.post(url, {f"name_{language}": "changed", "name_en": "Service"})

    assert response.status_code == 403
    standard.refresh_from_db()
    assert getattr(standard, f"name_{language}") is None


def test_admin_requires_the_associations_default_language_not_english(two_associations, client_for):
    association = two_associations.a
    association.default_language = "ur"
    association.save(update_fields=["default_language"])
    client = client_for("staff_admin_a")
    url = reverse("admin:associations_certificationlevel_add")

    english_only = client.post(url, {"association": association.pk, "name_en": "Gold", "min_score": "90"})
    urdu_only = client.post(url, {"association": association.pk, "name_ur": "سونا", "min_score": "91"})

    assert english_only.status_code == 200
    assert list(english_only.context["adminform"].form.non_field_errors()) == [
        "Write name in اردو, the association's default language."
    ]
    assert urdu_only.status_code == 302
    level = CertificationLevel.objects.get(association=association)
    with translation.override("bn"):
        assert CertificationLevel.objects.get(pk=level.pk).name == "سونا"
