from django.shortcuts import redirect
from django.urls import reverse

from .roles import roles_for

# Paths a person without a second factor yet must still reach to set one up.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")


class RequireMfaMiddleware:
    """Staff and auditors of an association that requires two-factor login
    must enrol a TOTP authenticator before they reach anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and roles_for(user).needs_mfa
            and not user.authenticator_set.exists()
        ):
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.path}")
        return self.get_response(request)
