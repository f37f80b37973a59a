"""Helpers for the customer-survey tests: a published standard with the
classic battery, and complete answers as the survey form posts them."""

from django.utils import timezone

from members.models import Instrument, SurveyAnswer, SurveyFormat, SurveyResponse
from members.surveys.instruments import copy_classic_battery
from tests import factories as f


def published_survey(association, *, format=SurveyFormat.TWO_COLUMN, **options) -> Instrument:
    standard = f.StandardFactory(association=association)
    instrument = Instrument.objects.create(standard=standard, format=format, **options)
    copy_classic_battery(instrument, actor=None)
    standard.status, standard.published_at = "published", timezone.now()
    standard.save()
    return instrument


def answers(instrument: Instrument, *, perceived=5, expected=6, minimum=4, desired=6, **extra) -> dict:
    """A complete POST for the instrument: every item rated, the standard questions answered."""
    data = {"csat": "4", "nps": "9", "fcr": "yes", "comment": ""}
    for item in instrument.items.all():
        data[f"p{item.number}"] = str(perceived)
        if instrument.three_column:
            data[f"a{item.number}"], data[f"d{item.number}"] = str(minimum), str(desired)
        else:
            data[f"e{item.number}"] = str(expected)
    data.update(extra)
    return data


def seed_responses(
    instrument: Instrument, business, n: int, *, perceived=5, expected=6, minimum=4, desired=6, **head
):
    """n complete responses (every item rated the same), bulk-inserted, over the last few days."""
    now = timezone.now()
    responses = SurveyResponse.objects.bulk_create(
        [
            SurveyResponse(
                instrument=instrument,
                business=business,
                association=instrument.standard.association,
                submitted_at=now - timezone.timedelta(hours=i),
                **{"csat": 4, "nps": 9, "fcr": True, **head},
            )
            for i in range(n)
        ]
    )
    items = list(instrument.items.all())
    three = instrument.three_column
    SurveyAnswer.objects.bulk_create(
        [
            SurveyAnswer(
                response=response,
                item=item,
                perceived=perceived(item) if callable(perceived) else perceived,
                expected=None if three else expected,
                minimum=minimum if three else None,
                desired=desired if three else None,
            )
            for response in responses
            for item in items
        ]
    )
    return responses
