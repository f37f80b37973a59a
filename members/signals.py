"""Keeps the session's cached two-factor decision (members.middleware) in
step with logins and authenticator changes."""

from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import remember_mfa_decision


@receiver(user_logged_in, dispatch_uid="members_mfa_gate_login")
@receiver(authenticator_added, dispatch_uid="members_mfa_gate_added")
@receiver(authenticator_removed, dispatch_uid="members_mfa_gate_removed")
def refresh_mfa_decision(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        remember_mfa_decision(request, user)
