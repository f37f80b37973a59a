"""The auditor's scorecard shows the customers' gap per dimension beside the
auditor's own dimension score; a sharp disagreement (the auditor above 80%
while customers' perception is below expectation) needs a comment before
the scorecard can be submitted."""

from decimal import Decimal

from django.urls import reverse

from associations.models import Dimension
from audits import scoring
from audits.models import Scorecard
from tests.members.surveys import published_survey, seed_responses

from .scenario import build


def _form(criteria, value, **extra):
    data = {}
    for c in criteria:
        data[f"score-{c.pk}"], data[f"comment-{c.pk}"] = value, "Seen."
    return {**data, **extra}


def test_sharp_disagreement_rule():
    auditor = {
        "reliability": Decimal(90),
        "empathy": Decimal(90),
        "tangibles": Decimal(30),
        "assurance": Decimal(60),
    }
    gaps = {
        "reliability": Decimal("-0.5"),
        "empathy": Decimal("0.2"),
        "tangibles": Decimal("0.1"),
        "assurance": Decimal(-3),
    }

    assert scoring.survey_disagreements(auditor, gaps) == ["reliability", "tangibles"]
    assert scoring.survey_disagreements(auditor, {}) == []


def test_scorecard_shows_customers_gap_beside_the_auditors_score(two_associations, client_for):
    w = two_associations
    s = build(w)
    seed_responses(published_survey(w.a), w.business_a, 30, perceived=4, expected=6)
    client = client_for("auditor")
    client.post(reverse("audits:score", args=[s.application.pk]), _form(s.criteria, 5, save="1"))

    response = client.get(reverse("audits:score", args=[s.application.pk]))

    rows = {
        row.dimension: (row.customers_gap, row.auditor, row.sharp)
        for row, _c in response.context["survey_rows"]
    }
    assert rows["reliability"] == (Decimal("-2.00"), Decimal("100.00"), True)
    assert 'data-testid="sharp-reliability"' in response.content.decode()


def test_below_minimum_sample_the_auditor_sees_no_gaps(two_associations, client_for):
    w = two_associations
    s = build(w)
    seed_responses(published_survey(w.a), w.business_a, 29, perceived=4, expected=6)

    response = client_for("auditor").get(reverse("audits:score", args=[s.application.pk]))

    assert response.context["survey_rows"] == []
    assert 'data-testid="survey-beside"' not in response.content.decode()


def test_submit_refused_until_sharp_disagreements_are_commented(two_associations, client_for):
    w = two_associations
    s = build(w)
    seed_responses(published_survey(w.a), w.business_a, 30, perceived=4, expected=6)
    client = client_for("auditor")
    url = reverse("audits:score", args=[s.application.pk])

    refused = client.post(url, _form(s.criteria, 5, submit="1"))
    comments = {
        f"survey-{d}": "Customers wait at the counter; the process is sound." for d in Dimension.values
    }
    accepted = client.post(url, _form(s.criteria, 5, submit="1", **comments))

    assert refused.status_code == 200
    assert "disagree sharply on Reliability" in refused.content.decode()
    assert accepted.status_code == 302
    scorecard = Scorecard.objects.get(assignment=s.assignment)
    assert scorecard.is_submitted
    assert scorecard.survey_comments["reliability"].startswith("Customers wait")
