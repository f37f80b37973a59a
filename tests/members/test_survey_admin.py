"""Staff set up the survey in the admin: copy the classic battery into a
draft standard's instrument; it freezes when the standard is published.
Held responses are released with an action."""

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Instrument, SurveyItem, SurveyResponse
from members.surveys.instruments import SurveyError, copy_classic_battery
from tests import factories as f

from .surveys import published_survey, seed_responses


def test_copy_battery_action_fills_a_draft_instrument(client, two_associations):
    w = two_associations
    instrument = Instrument.objects.create(standard=f.StandardFactory(association=w.a))
    client.force_login(w.staff_admin_a)

    client.post(
        reverse("admin:members_instrument_changelist"),
        {"action": "copy_battery", "_selected_action": [instrument.pk]},
    )

    items = SurveyItem.objects.filter(instrument=instrument)
    assert items.count() == 22
    assert list(items.filter(dimension="tangibles").values_list("number", flat=True)) == [1, 2, 3, 4]
    assert items.get(number=1).text_ur == "یہ ادارہ جدید اور اچھی حالت والا سازوسامان استعمال کرتا ہے۔"


def test_survey_of_published_standard_is_frozen(client, two_associations):
    w = two_associations
    instrument = Instrument.objects.create(
        standard=f.PublishedStandardFactory(association=w.a, published_at=timezone.now())
    )
    client.force_login(w.staff_admin_a)

    with pytest.raises(SurveyError):
        copy_classic_battery(instrument, actor=w.staff_admin_a)
    response = client.post(
        reverse("admin:members_instrument_change", args=[instrument.pk]), {"format": "three_column"}
    )

    assert response.status_code == 403
    assert Instrument.objects.get(pk=instrument.pk).format == "two_column"


def test_other_associations_staff_do_not_see_the_instrument(client, two_associations):
    w = two_associations
    instrument = Instrument.objects.create(standard=f.StandardFactory(association=w.a))
    client.force_login(w.staff_b)

    response = client.get(reverse("admin:members_instrument_change", args=[instrument.pk]))

    assert response.status_code == 404


def test_release_action_counts_held_responses_again(client, two_associations):
    w = two_associations
    instrument = Instrument.objects.create(standard=f.StandardFactory(association=w.a))
    held = f.SurveyResponseFactory(instrument=instrument, business=w.business_a, held=True)
    client.force_login(w.staff_admin_a)

    client.post(
        reverse("admin:members_surveyresponse_changelist"),
        {"action": "release", "_selected_action": [held.pk]},
    )

    held.refresh_from_db()
    assert (held.held, held.released_by) == (False, w.staff_admin_a)
    assert list(SurveyResponse.objects.counted()) == [held]


def test_staff_see_members_gaps_and_download_them(client, two_associations):
    w = two_associations
    instrument = published_survey(w.a)
    seed_responses(instrument, w.business_a, 30, perceived=4, expected=6)
    small = f.MembershipFactory(association=w.a, business=f.BusinessFactory(name="Zed Small")).business
    seed_responses(instrument, small, 3, perceived=4, expected=6)
    client.force_login(w.staff_viewer_a)
    url = reverse("admin:members_instrument_gaps", args=[instrument.pk])

    page = client.get(url)
    download = client.get(url, {"format": "csv"})

    assert page.status_code == 200
    assert download.content.decode().splitlines() == [
        "business,responses,reliability,responsiveness,assurance,empathy,tangibles",
        "Alpha Traders,30,-2.00,-2.00,-2.00,-2.00,-2.00",
        "Zed Small,3,,,,,",
    ]


def test_other_associations_staff_cannot_see_members_gaps(client, two_associations):
    w = two_associations
    instrument = published_survey(w.a)
    client.force_login(w.staff_b)

    assert client.get(reverse("admin:members_instrument_gaps", args=[instrument.pk])).status_code == 404
