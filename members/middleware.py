import time
from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from .roles import roles_for

# Paths a person without a second factor yet must still reach to set one up.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")
# The decision lives in the session so a request costs no query. It is made
# again at login, when an authenticator is added or removed, and after this
# many seconds (so an association turning the requirement on reaches
# sessions that are already open).
SESSION_KEY = "members_mfa_gate"
DECISION_MAX_AGE = 300


def must_enrol_mfa(user) -> bool:
    """True for a person who must set up a second factor before going on."""
    required = roles_for(user).needs_mfa or (user.is_superuser and settings.MFA_REQUIRED_FOR_SUPERUSERS)
    return required and not user.authenticator_set.exists()


def remember_mfa_decision(request, user) -> bool:
    block = must_enrol_mfa(user)
    request.session[SESSION_KEY] = {"user": user.pk, "block": block, "at": time.time()}
    return block


def _decision(request) -> bool:
    gate = request.session.get(SESSION_KEY)
    fresh = (
        gate is not None
        and gate.get("user") == request.user.pk
        and time.time() - gate.get("at", 0) < DECISION_MAX_AGE
    )
    return gate["block"] if fresh else remember_mfa_decision(request, request.user)


class RequireMfaMiddleware:
    """Staff and auditors of an association that requires two-factor login
    (and superusers, when MFA_REQUIRED_FOR_SUPERUSERS is on) must enrol a
    TOTP authenticator before they reach anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.user.is_authenticated
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and _decision(request)
        ):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_activate_totp')}?{query}")
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in person sees their preferred language until they pick
    another with the switcher (which sets the language cookie and saves the
    preference, see members.views.set_language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.language != request.LANGUAGE_CODE
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
