"""`{{ date|time_left }}`: "1 year, 11 months" in the reader's language.
The strings are Django's own (a no-break space keeps the number with its
unit), marked here so that makemessages puts them in our catalogues too:
Django's Urdu catalogue lacks them."""

from django import template
from django.utils.timesince import timeuntil
from django.utils.translation import ngettext_lazy

register = template.Library()

TIME_STRINGS = {
    "year": ngettext_lazy("%(num)d year", "%(num)d years", "num"),
    "month": ngettext_lazy("%(num)d month", "%(num)d months", "num"),
    "week": ngettext_lazy("%(num)d week", "%(num)d weeks", "num"),
    "day": ngettext_lazy("%(num)d day", "%(num)d days", "num"),
    "hour": ngettext_lazy("%(num)d hour", "%(num)d hours", "num"),
    "minute": ngettext_lazy("%(num)d minute", "%(num)d minutes", "num"),
}


@register.filter
def time_left(value) -> str:
    return timeuntil(value, time_strings=TIME_STRINGS) if value else ""
