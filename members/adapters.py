from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Accounts come from invitations; open sign-up is off unless configured.
        return settings.ACCOUNT_ALLOW_REGISTRATION

    def get_login_redirect_url(self, request) -> str:
        return reverse("home")
