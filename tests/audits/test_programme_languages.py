"""The auditor reads the criteria, their guidance and the KPI names in their
own language; a criterion not yet translated shows in English, never blank."""

from django.urls import reverse

from associations.models import Criterion

from .scenario import build


def test_auditor_pages_show_criteria_in_the_auditors_language(two_associations, client_for):
    s = build(two_associations, criteria=2)
    Criterion.objects.filter(pk=s.criteria[0].pk).update(
        text_en="Answers on time", text_bn="সময়মতো উত্তর দেয়", guidance_en="Check", guidance_bn="যাচাই করুন"
    )
    Criterion.objects.filter(pk=s.criteria[1].pk).update(text_en="Keeps records", text_bn=None)
    auditor = two_associations.auditor
    auditor.language = "bn"
    auditor.save(update_fields=["language"])
    client = client_for("auditor")

    application = client.get(reverse("audits:application", args=[s.application.pk])).content.decode()
    score = client.get(reverse("audits:score", args=[s.application.pk])).content.decode()

    for body in (application, score):
        assert "সময়মতো উত্তর দেয়" in body
        assert "Answers on time" not in body
        assert "Keeps records" in body
    assert "যাচাই করুন" in application + score
