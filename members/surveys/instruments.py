"""Writing a survey instrument: the classic battery copied in, frozen with
its standard once that is published."""

from django.db import transaction
from django.utils.translation import gettext as _

from associations.services import log_action

from ..errors import MembersError
from ..models import Instrument, SurveyItem
from . import battery


class SurveyError(MembersError):
    """A broken survey rule, with a message the user can read."""


@transaction.atomic
def copy_classic_battery(instrument: Instrument, *, actor) -> Instrument:
    """Replace the instrument's items with the 22-item battery (battery.py), to edit."""
    instrument = Instrument.objects.select_for_update().select_related("standard").get(pk=instrument.pk)
    if not instrument.is_editable:
        raise SurveyError(
            _("The survey of a published standard is frozen: start a new version to change it.")
        )
    if instrument.responses.exists():
        raise SurveyError(_("Customers have answered this survey: its items cannot be replaced."))
    instrument.items.all().delete()
    SurveyItem.objects.bulk_create(classic_items(instrument))
    log_action(instrument.standard, "survey.battery_copied", actor=actor, data={"items": len(battery.ITEMS)})
    return instrument


def classic_items(instrument: Instrument) -> list[SurveyItem]:
    """The battery's 22 items as unsaved rows of `instrument`."""
    return [
        SurveyItem(
            instrument=instrument,
            number=item.number,
            dimension=item.dimension,
            text_en=item.perception.en,
            text_ur=item.perception.ur,
            text_bn=item.perception.bn,
            expectation_en=item.expectation.en,
            expectation_ur=item.expectation.ur,
            expectation_bn=item.expectation.bn,
            feature_en=item.feature.en,
            feature_ur=item.feature.ur,
            feature_bn=item.feature.bn,
        )
        for item in battery.ITEMS
    ]
