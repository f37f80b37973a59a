import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.urls import reverse

from members.middleware import SESSION_KEY, RequireMfaMiddleware
from members.roles import is_business_user, role_required
from members.services import invitation_link, invite_person
from tests import factories as f
from tests.factories import PASSWORD


def _log_in(client, user):
    """Through allauth's real login form; returns the final response."""
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True)


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("business_user_a", "/portal/"),
        ("auditor", "/audit/"),
        ("staff_admin_a", "/admin/"),
        ("staff_viewer_a", "/admin/"),
        ("superuser", "/admin/"),
    ],
)
def test_login_lands_each_role_on_its_page(role, landing, two_associations, client):
    response = _log_in(client, getattr(two_associations, role))

    assert response.redirect_chain[-1][0] == landing
    assert response.status_code == 200


def test_login_with_several_roles_goes_to_chooser(two_associations, client):
    f.AuditorFactory(user=two_associations.staff_admin_a, associations=[two_associations.a])

    response = _log_in(client, two_associations.staff_admin_a)

    assert response.redirect_chain[-1][0] == reverse("choose_role")
    assert [d.key for d in response.context["destinations"]] == ["audit", "admin"]
    page = response.content.decode()
    assert 'data-testid="role-switcher"' in page
    assert f'href="{reverse("audits:queue")}"' in page
    assert f'href="{reverse("admin:index")}"' in page


def test_login_with_no_role_sees_chooser_without_destinations(db, client):
    user = f.UserFactory()

    response = _log_in(client, user)

    assert response.redirect_chain[-1][0] == reverse("choose_role")
    assert "Your account has no role yet." in response.content.decode()


def test_login_unverified_email_is_refused(db, client):
    user = f.UserFactory()
    user.emailaddress_set.update(verified=False)

    response = _log_in(client, user)

    assert response.wsgi_request.user.is_authenticated is False


@pytest.mark.parametrize("role", ["staff_admin_a", "staff_viewer_a", "auditor"])
def test_require_mfa_sends_staff_and_auditors_to_totp_setup(role, two_associations, client):
    two_associations.a.require_mfa = True
    two_associations.a.save()

    response = _log_in(client, getattr(two_associations, role))
    # allauth asks for the password again before an authenticator is added.
    activate = client.post(response.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)

    assert [url.split("?")[0] for url, _status in response.redirect_chain] == [
        reverse("home"),
        reverse("mfa_activate_totp"),
        reverse("account_reauthenticate"),
    ]
    assert activate.redirect_chain[-1][0].split("?")[0] == reverse("mfa_activate_totp")
    assert 'name="code"' in activate.content.decode()
    assert client.get(reverse("admin:index")).url.startswith(reverse("mfa_activate_totp"))


def test_require_mfa_leaves_business_users_alone(two_associations, client):
    two_associations.a.require_mfa = True
    two_associations.a.save()

    response = _log_in(client, two_associations.business_user_a)

    assert response.redirect_chain[-1][0] == reverse("portal:dashboard")


def test_require_mfa_other_association_is_not_affected(two_associations, client_for):
    two_associations.b.require_mfa = True
    two_associations.b.save()

    response = client_for("staff_admin_a").get(reverse("admin:index"))

    assert response.status_code == 200


def test_require_mfa_satisfied_by_enrolled_totp(two_associations, client_for):
    two_associations.a.require_mfa = True
    two_associations.a.save()
    Authenticator.objects.create(
        user=two_associations.staff_admin_a, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )

    response = client_for("staff_admin_a").get(reverse("admin:index"))

    assert response.status_code == 200


def test_require_mfa_decision_is_read_from_the_session(
    two_associations, client_for, rf, django_assert_num_queries
):
    two_associations.a.require_mfa = True
    two_associations.a.save()
    client = client_for("staff_admin_a")  # logging in stores the decision
    request = rf.get(reverse("admin:index"))
    request.user, request.session = two_associations.staff_admin_a, client.session
    middleware = RequireMfaMiddleware(lambda request: HttpResponse("reached"))
    stored = request.session[SESSION_KEY]  # the session store reads its row here, as SessionMiddleware would

    with django_assert_num_queries(0):
        response = middleware(request)

    assert response.status_code == 302
    assert (stored["user"], stored["block"]) == (two_associations.staff_admin_a.pk, True)


def test_require_mfa_decision_of_another_user_is_made_again(two_associations, client_for, rf):
    two_associations.a.require_mfa = True
    two_associations.a.save()
    client = client_for("business_user_a")
    request = rf.get(reverse("admin:index"))
    request.user, request.session = two_associations.staff_admin_a, client.session
    middleware = RequireMfaMiddleware(lambda request: HttpResponse("reached"))

    response = middleware(request)

    assert response.status_code == 302
    assert request.session[SESSION_KEY]["user"] == two_associations.staff_admin_a.pk


def test_require_mfa_next_is_url_encoded(two_associations, client_for):
    two_associations.a.require_mfa = True
    two_associations.a.save()

    response = client_for("staff_admin_a").get(reverse("admin:index") + "?q=a&o=1")

    assert response.url == reverse("mfa_activate_totp") + "?next=%2Fadmin%2F%3Fq%3Da%26o%3D1"


@pytest.mark.parametrize(("required", "status"), [(True, 302), (False, 200)])
def test_require_mfa_for_superusers_follows_the_setting(
    required, status, two_associations, client_for, settings
):
    settings.MFA_REQUIRED_FOR_SUPERUSERS = required

    response = client_for("superuser").get(reverse("admin:index"))

    assert response.status_code == status


def test_role_required_keeps_the_view_name_and_doc():
    def my_page(request):
        """The page."""

    wrapped = role_required(lambda request: True)(my_page)

    assert (wrapped.__name__, wrapped.__doc__) == ("my_page", "The page.")
    assert wrapped.__wrapped__.__wrapped__ is my_page


def test_role_required_answers_404_when_the_check_fails_and_login_first(two_associations, rf):
    view = role_required(lambda request: request.user == two_associations.auditor)(
        lambda request: HttpResponse("ok")
    )
    anonymous, other, auditor = rf.get("/x/"), rf.get("/x/"), rf.get("/x/")
    anonymous.user, other.user, auditor.user = (
        AnonymousUser(),
        two_associations.business_user_a,
        two_associations.auditor,
    )

    assert view(anonymous).status_code == 302
    with pytest.raises(Http404):
        view(other)
    assert view(auditor).content == b"ok"


def test_is_business_user_answers_for_the_business_and_role(db):
    owner = f.BusinessUserFactory(role="owner")
    other_business = f.BusinessFactory()
    a = owner.association_id

    assert is_business_user(owner.user, owner.business_id, association_id=a) is True
    assert is_business_user(owner.user.pk, owner.business_id, association_id=a) is True
    assert is_business_user(owner.user, owner.business_id, association_id=a, roles=["editor"]) is False
    assert is_business_user(owner.user, owner.business_id, association_id=a, roles=["owner"]) is True
    assert is_business_user(owner.user, other_business.pk, association_id=a) is False
    assert is_business_user(AnonymousUser(), owner.business_id, association_id=a) is False


def test_is_business_user_answers_for_the_association_that_granted_the_role(db):
    owner = f.BusinessUserFactory(role="owner")
    other = f.AssociationFactory()
    f.MembershipFactory(association=other, business=owner.business)

    assert is_business_user(owner.user, owner.business_id, association_id=other.pk) is False
    assert is_business_user(owner.user, owner.business_id, association_id=None) is True


def test_role_gained_by_invitation_brings_the_mfa_requirement_at_once(two_associations, client):
    two_associations.a.require_mfa = True
    two_associations.a.save()
    client.force_login(two_associations.business_user_a)
    client.get(reverse("portal:dashboard"))  # the gate decides "no second factor needed"
    invitation = invite_person(
        two_associations.a,
        email=two_associations.business_user_a.email,
        kind="staff",
        role="viewer",
        invited_by=two_associations.staff_admin_a,
    )

    client.post(invitation_link(invitation).removeprefix(settings.SITE_URL))
    response = client.get(reverse("admin:index"))

    assert response.url.startswith(reverse("mfa_activate_totp"))
