"""Helpers for the customer-survey tests: a published standard with the
classic battery, and complete answers as the survey form posts them."""

from django.utils import timezone

from members.models import Instrument, SurveyFormat
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
