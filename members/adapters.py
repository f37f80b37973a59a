import ipaddress
import uuid

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from .emails import record_email


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts come from invitations; open sign-up is off unless configured.
        return settings.ACCOUNT_ALLOW_REGISTRATION

    def get_login_redirect_url(self, request) -> str:
        return reverse("home")

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails (a password reset, an address to confirm) go
        through the outbox as every email of ours does: recorded now, sent
        once after the request commits, so a mail server that is down delays
        them and fails no page. (allauth renders a text part for each; the
        outbox sends text.)"""
        request = allauth_context.request
        context = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            "signup_open": self.is_open_for_signup(request),
            **context,
        }
        message = self.render_mail(template_prefix, email, context)
        record_email(
            f"account:{template_prefix.rsplit('/', 1)[-1]}:{uuid.uuid4().hex}",
            to=email,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            subject=message.subject,
            body=message.body,
        )


def client_address(request: HttpRequest) -> str:
    """The address our own rate limits count by: the one allauth's login
    limits use (behind a proxy, from X-Forwarded-For or the trusted client-IP
    header, see ALLAUTH_TRUSTED_PROXY_COUNT in settings), with an IPv6
    address cut to its /64, as one host usually holds the whole prefix."""
    address = get_adapter(request).get_client_ip(request)
    if ":" not in address:  # IPv4, already checked and normalised by allauth
        return address
    return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
