"""allauth's pages in the product's layout and language switcher, in
English, Urdu and Bengali, with no sign-up on offer while sign-up is closed."""

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from members.models import OutboundEmail
from members.services import invitation_link
from tests import factories as f
from tests.factories import PASSWORD

ANONYMOUS_PAGES = [
    "account_login",
    "account_reset_password",
    "account_reset_password_done",
    "account_email_verification_sent",
]
SIGNED_IN_PAGES = ["account_logout", "mfa_index", "account_reauthenticate", "account_change_password"]


def _layout_of(body: str) -> dict:
    return {
        "product header": 'class="topbar"' in body,
        "language switcher": 'id="language-select"' in body,
        "allauth menu": "Menu:" in body,
        "sign-up": "sign up" in body.lower() or "signup" in body.lower(),
    }


PRODUCT = {"product header": True, "language switcher": True, "allauth menu": False, "sign-up": False}


@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
@pytest.mark.parametrize(("language", "direction"), [("en", "ltr"), ("ur", "rtl"), ("bn", "ltr")])
def test_account_pages_use_the_product_layout(client, db, name, language, direction):
    client.cookies["django_language"] = language

    response = client.get(reverse(name))

    body = response.content.decode()
    assert response.status_code == 200
    assert _layout_of(body) == PRODUCT
    assert f'<html lang="{language}" dir="{direction}">' in body


@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_signed_in_account_pages_use_the_product_layout(client, two_associations, name):
    client.force_login(two_associations.business_user_a)

    response = client.get(reverse(name))

    assert response.status_code == 200
    assert _layout_of(response.content.decode()) == PRODUCT


def test_password_reset_link_with_a_bad_key_uses_the_product_layout(client, db):
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "set-password"})

    response = client.get(url)

    assert response.status_code == 200
    assert _layout_of(response.content.decode()) == PRODUCT


def test_login_page_offers_sign_up_only_when_it_is_open(client, db, settings):
    settings.ACCOUNT_ALLOW_REGISTRATION = True

    body = client.get(reverse("account_login")).content.decode()

    assert f'href="{reverse("account_signup")}"' in body


def test_password_reset_for_an_unknown_address_does_not_offer_sign_up(client, db):
    client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    email = OutboundEmail.objects.get(to="nobody@example.org")
    assert "sign up" not in email.body.lower()
    assert "invit" in email.body
    assert mail.outbox == [] or all("sign up" not in m.body.lower() for m in mail.outbox)


def test_two_factor_enrolment_and_challenge_use_the_product_layout(client, two_associations):
    user = two_associations.business_user_a
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    # allauth asks for the password again before an authenticator is added.
    reauthenticate = client.get(reverse("mfa_activate_totp"), follow=True)
    enrol = client.post(reauthenticate.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"})
    client.logout()
    challenge = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True
    )

    assert _layout_of(reauthenticate.content.decode()) == PRODUCT
    assert 'name="code"' in enrol.content.decode()
    assert _layout_of(enrol.content.decode()) == PRODUCT
    assert challenge.redirect_chain[-1][0].split("?")[0] == reverse("mfa_authenticate")
    assert _layout_of(challenge.content.decode()) == PRODUCT


@pytest.mark.parametrize("language", ["ur", "bn"])
def test_role_switcher_and_invitation_pages_use_the_product_layout(client, two_associations, language):
    invitation = f.InvitationFactory(association=two_associations.a)
    client.cookies["django_language"] = language

    accept = client.get(invitation_link(invitation))
    client.force_login(two_associations.superuser)
    choose = client.get(reverse("choose_role"))

    assert _layout_of(accept.content.decode()) == PRODUCT
    assert _layout_of(choose.content.decode()) == PRODUCT
