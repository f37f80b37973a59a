"""The business's customer-voice page: aggregates only, nothing below the
minimum sample, where to improve first, the zone of tolerance, screened
comments, peers' quartiles from at least five businesses, and a query count
that does not grow with the responses."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import SurveyResponse
from tests import factories as f

from .surveys import published_survey, seed_responses


def _page(client, w):
    client.force_login(w.business_user_a)
    return client.get(reverse("portal:voice", args=[w.business_a.pk]))


def test_below_the_minimum_sample_no_score_is_shown(client, two_associations):
    w = two_associations
    instrument = published_survey(w.a)
    seed_responses(instrument, w.business_a, 29)

    response = _page(client, w)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Scores are shown from 30 responses: 1 more response is needed." in page
    assert 'data-testid="voice-gaps"' not in page


def test_gaps_and_where_to_improve_first(client, two_associations):
    w = two_associations
    instrument = published_survey(w.a)
    # Item 6 (reliability) is the weak point: perceived 2 against an expected 6.
    seed_responses(
        instrument, w.business_a, 30, perceived=lambda item: 2 if item.number == 6 else 6, expected=6
    )

    response = _page(client, w)

    voice = response.context["voice"]
    assert voice.n == 30
    gaps = {value: scores.gap.mean for value, _label, scores in voice.dimensions}
    assert str(gaps["reliability"]) == "-0.80"
    assert str(gaps["tangibles"]) == "0.00"
    assert [item.number for item, _s in voice.improve_first] == [6]
    assert 'data-testid="gap-reliability"' in response.content.decode()


def test_three_column_shows_the_zone_of_tolerance(client, two_associations):
    w = two_associations
    instrument = published_survey(w.a, format="three_column")
    seed_responses(instrument, w.business_a, 30, perceived=3, minimum=4, desired=6)

    response = _page(client, w)

    assert 'data-testid="zone-empathy">below the zone: under the minimum' in response.content.decode()


def test_comments_are_shown_screened_and_hidden_ones_not(client, two_associations):
    w = two_associations
    instrument = published_survey(w.a)
    seed_responses(instrument, w.business_a, 29)
    seed_responses(instrument, w.business_a, 1, comment="x 0300-1234567", comment_screened="Ring ••••••• ok")
    seed_responses(instrument, w.business_a, 1, comment="rude", comment_screened="rude", comment_hidden=True)

    page = _page(client, w).content.decode()

    assert "Ring ••••••• ok" in page
    assert "0300-1234567" not in page
    assert "rude" not in page


def test_peers_quartiles_need_five_businesses(client, two_associations):
    w = two_associations
    instrument = published_survey(w.a)
    seed_responses(instrument, w.business_a, 30, perceived=6, expected=6)
    peers = [f.MembershipFactory(association=w.a).business for _ in range(3)]
    for peer in peers:
        seed_responses(instrument, peer, 30, perceived=4, expected=6)

    four = _page(client, w).context["voice"].peers
    fifth = f.MembershipFactory(association=w.a).business
    seed_responses(instrument, fifth, 30, perceived=5, expected=6)
    five = _page(client, w).context["voice"].peers

    assert four == {}
    place = five["reliability"]
    assert (place.count, str(place.q1), str(place.median), str(place.q3), str(place.mine)) == (
        5,
        "-2.00",
        "-2.00",
        "-1.00",
        "0.00",
    )


def test_held_responses_are_left_out(client, two_associations):
    w = two_associations
    instrument = published_survey(w.a)
    seed_responses(instrument, w.business_a, 30)
    SurveyResponse.objects.filter(pk__in=SurveyResponse.objects.values("pk")[:1]).update(held=True)

    assert _page(client, w).context["voice"].n == 29


def test_voice_page_query_count_does_not_grow_with_responses(client, two_associations):
    w = two_associations
    instrument = published_survey(w.a)
    seed_responses(instrument, w.business_a, 30, comment_screened="fine")
    _page(client, w)
    with CaptureQueriesContext(connection) as few:
        _page(client, w)
    seed_responses(instrument, w.business_a, 120, comment_screened="fine")
    for _ in range(4):
        seed_responses(instrument, f.MembershipFactory(association=w.a).business, 30)

    with CaptureQueriesContext(connection) as many:
        _page(client, w)

    assert len(many) == len(few)


def test_invitations_download_as_csv(client, two_associations):
    w = two_associations
    published_survey(w.a)
    client.force_login(w.business_user_a)

    response = client.post(reverse("portal:voice_invitations", args=[w.business_a.pk]), {"count": "3"})

    lines = response.content.decode().splitlines()
    assert response["Content-Type"].startswith("text/csv")
    assert lines[0] == "token,link"
    assert len(lines) == 4
    token, link = lines[1].split(",")
    assert link.endswith(f"/s/{token}/")


def test_poster_is_a_pdf(client, two_associations):
    w = two_associations
    published_survey(w.a)
    client.force_login(w.business_user_a)

    response = client.get(reverse("portal:voice_poster", args=[w.business_a.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
