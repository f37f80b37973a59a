"""`{% application_history application request.user as entries %}`: the
labelled history of an application for whoever is looking, so pages of other
apps (the auditor's application page) show it without building it themselves."""

from django import template

from certification.queries import application_history as history_for
from certification.queries import history_audience

register = template.Library()


@register.simple_tag
def application_history(application, user):
    return history_for(application, audience=history_audience(application, user))
