"""Customer surveys: the public survey answers anyone but the business's own
users (403: they may not answer their own survey); the portal's
customer-voice pages are the business's users' only (404 to everyone else)."""

from django.urls import reverse

from members.surveys.collect import open_link
from tests.members.surveys import published_survey

from . import LOGIN, Row, statuses, users_of_a

PUBLIC_BUT_OWN = statuses(200, **users_of_a(403))
USERS_ONLY = statuses(404, anonymous=LOGIN, **users_of_a(200))


def _link(w):
    published_survey(w.a)
    return open_link(w.business_a, w.a)


def _portal(name):
    return lambda w, _context=None: reverse(f"portal:{name}", args=[w.business_a.pk])


ROWS = [
    Row("survey", lambda w, link: reverse("survey", args=[link.token]), PUBLIC_BUT_OWN, setup=_link),
    Row(
        "survey_thanks",
        lambda w, link: reverse("survey_thanks", args=[link.token]),
        statuses(200),
        setup=_link,
    ),
    Row("portal:voice", _portal("voice"), USERS_ONLY, setup=_link),
    Row(
        "portal:voice_invitations",
        _portal("voice_invitations"),
        USERS_ONLY,
        method="post",
        data={"count": "3"},
        setup=_link,
    ),
    Row("portal:voice_poster", _portal("voice_poster"), USERS_ONLY, setup=_link),
]
