"""The public survey page: answered without an account, refused when partial
(naming the missing items), single-use invitations, the honeypot, the rate
limits, and a business's own users kept out."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import LinkKind, SurveyLink, SurveyResponse
from members.surveys.collect import create_invitations, open_link

from .surveys import answers, published_survey


@pytest.fixture
def survey(two_associations):
    w = two_associations
    w.instrument = published_survey(w.a)
    w.link = open_link(w.business_a, w.a)
    return w


def test_survey_page_shows_the_battery_without_an_account(client, survey):
    response = client.get(reverse("survey", args=[survey.link.token]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Alpha Traders" in page
    assert "This business uses modern, well-kept equipment." in page
    assert 'name="e22"' in page and 'name="p22"' in page


def test_survey_page_in_urdu_reads_right_to_left(client, survey):
    response = client.get(reverse("survey", args=[survey.link.token]), {"lang": "ur"})

    page = response.content.decode()
    assert 'dir="rtl"' in page
    assert "یہ ادارہ جدید اور اچھی حالت والا سازوسامان استعمال کرتا ہے۔" in page


def test_survey_page_takes_at_most_five_queries(client, survey):
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("survey", args=[survey.link.token]))

    assert len(queries) <= 5


def test_complete_answers_are_recorded_and_thanked(client, survey):
    response = client.post(reverse("survey", args=[survey.link.token]), answers(survey.instrument))

    assert response.status_code == 302
    assert response.url.startswith(reverse("survey_thanks", args=[survey.link.token]))
    recorded = SurveyResponse.objects.get()
    assert (recorded.business, recorded.csat, recorded.nps, recorded.fcr) == (survey.business_a, 4, 9, True)
    assert recorded.answers.count() == 22
    assert client.get(response.url).status_code == 200


def test_partial_answers_are_refused_naming_the_missing_items(client, survey):
    data = answers(survey.instrument)
    del data["p3"], data["e7"], data["csat"]

    response = client.post(reverse("survey", args=[survey.link.token]), data)

    assert response.status_code == 400
    assert "Please answer: Q3, Q7, overall satisfaction." in response.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_three_column_form_records_minimum_and_desired(client, two_associations):
    w = two_associations
    instrument = published_survey(w.a, format="three_column")
    link = open_link(w.business_a, w.a)

    client.post(reverse("survey", args=[link.token]), answers(instrument, minimum=3, desired=7))

    answer = SurveyResponse.objects.get().answers.get(item__number=1)
    assert (answer.minimum, answer.desired, answer.perceived, answer.expected) == (3, 7, 5, None)


def test_invitation_answers_once(client, survey):
    [invitation] = create_invitations(survey.business_a, survey.a, count=1, actor=survey.business_user_a)
    url = reverse("survey", args=[invitation.token])

    first = client.post(url, answers(survey.instrument))
    second = client.post(url, answers(survey.instrument))

    assert first.status_code == 302
    assert second.status_code == 404
    assert SurveyResponse.objects.count() == 1
    assert SurveyLink.objects.get(pk=invitation.pk).used_at is not None


def test_invitation_of_one_business_answers_for_that_business_only(client, survey):
    [invitation] = create_invitations(survey.business_a, survey.a, count=1, actor=None)

    client.post(reverse("survey", args=[invitation.token]), answers(survey.instrument))

    assert list(SurveyResponse.objects.values_list("business", flat=True)) == [survey.business_a.pk]


def test_unknown_token_answers_404(client, survey):
    assert client.get(reverse("survey", args=["nope"])).status_code == 404


def test_honeypot_filled_is_thanked_and_not_recorded(client, survey):
    response = client.post(
        reverse("survey", args=[survey.link.token]), answers(survey.instrument, website="http://spam")
    )

    assert response.status_code == 302
    assert SurveyResponse.objects.count() == 0


def test_submissions_are_limited_per_address(client, survey, settings):
    settings.SURVEY_SUBMISSIONS_PER_ADDRESS = 2
    url = reverse("survey", args=[survey.link.token])

    statuses = [client.post(url, answers(survey.instrument)).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]
    assert SurveyResponse.objects.count() == 2


def test_submissions_are_limited_per_business(client, survey, settings):
    settings.SURVEY_SUBMISSIONS_PER_BUSINESS = 1
    url = reverse("survey", args=[survey.link.token])

    first = client.post(url, answers(survey.instrument), REMOTE_ADDR="10.0.0.1")
    second = client.post(url, answers(survey.instrument), REMOTE_ADDR="10.0.0.2")

    assert (first.status_code, second.status_code) == (302, 429)


def test_business_user_cannot_answer_own_survey(client, survey):
    client.force_login(survey.business_user_a)

    response = client.post(reverse("survey", args=[survey.link.token]), answers(survey.instrument))

    assert response.status_code == 403
    assert SurveyResponse.objects.count() == 0


def test_comment_is_screened_for_contacts(client, survey):
    data = answers(survey.instrument, comment="Call me on 0300-1234567 please")

    client.post(reverse("survey", args=[survey.link.token]), data)

    recorded = SurveyResponse.objects.get()
    assert recorded.comment_screened == "Call me on ••••••• please"


def test_open_link_is_one_per_business(survey):
    assert open_link(survey.business_a, survey.a) == survey.link
    assert SurveyLink.objects.filter(kind=LinkKind.OPEN).count() == 1
