"""`{{ date|time_left }}`: "1 year, 11 months" in the reader's language.
The strings are Django's own (a no-break space keeps the number with its
unit), marked here so that makemessages puts them in our catalogues too:
Django's Urdu catalogue lacks them."""

from django import template
from django.utils.timesince import timeuntil
from django.utils.translation import ngettext_lazy

register = template.Library()

TIME_STRINGS = {
    "year": ngettext_lazy("%(num)d\xa0year", "%(num)d\xa0years", "num"),
    "month": ngettext_lazy("%(num)d\xa0month", "%(num)d\xa0months", "num"),
    "week": ngettext_lazy("%(num)d\xa0week", "%(num)d\xa0weeks", "num"),
    "day": ngettext_lazy("%(num)d\xa0day", "%(num)d\xa0days", "num"),
    "hour": ngettext_lazy("%(num)d\xa0hour", "%(num)d\xa0hours", "num"),
    "minute": ngettext_lazy("%(num)d\xa0minute", "%(num)d\xa0minutes", "num"),
}


@register.filter
def time_left(value) -> str:
    return timeuntil(value, time_strings=TIME_STRINGS) if value else ""
