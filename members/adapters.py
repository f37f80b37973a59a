import ipaddress

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts come from invitations; open sign-up is off unless configured.
        return settings.ACCOUNT_ALLOW_REGISTRATION

    def get_login_redirect_url(self, request) -> str:
        return reverse("home")


def client_address(request: HttpRequest) -> str:
    """The address our own rate limits count by: the one allauth's login
    limits use (behind a proxy, from X-Forwarded-For or the trusted client-IP
    header, see ALLAUTH_TRUSTED_PROXY_COUNT in settings), with an IPv6
    address cut to its /64, as one host usually holds the whole prefix."""
    address = get_adapter(request).get_client_ip(request)
    parsed = ipaddress.ip_address(address)
    if parsed.version == 6:
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False).network_address)
    return address
