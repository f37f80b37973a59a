import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.urls import reverse

from associations.models import ActionLog, StaffMembership
from members import services
from members.models import AuditorProfile, BusinessUser, Invitation, InvitationKind
from tests import factories as f


def _path(invitation) -> str:
    return services.invitation_link(invitation).removeprefix(settings.SITE_URL)


def _invite(two_associations, **kwargs):
    kwargs.setdefault("email", "new.person@example.com")
    kwargs.setdefault("kind", InvitationKind.AUDITOR)
    return services.invite_person(two_associations.a, invited_by=two_associations.staff_admin_a, **kwargs)


def test_invitation_admin_add_emails_the_link(
    two_associations, client_for, django_capture_on_commit_callbacks
):
    client = client_for("staff_admin_a")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:members_invitation_add"),
            {
                "association": two_associations.a.pk,
                "email": "Auditor.New@Example.com",
                "kind": "auditor",
                "role": "",
            },
        )

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.kind, invitation.invited_by) == (
        "auditor.new@example.com",
        "auditor",
        two_associations.staff_admin_a,
    )
    assert [m.to for m in mail.outbox] == [["auditor.new@example.com"]]
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[0].body).group(0)
    assert client.get(link.removeprefix(settings.SITE_URL)).status_code == 200


def test_invitation_admin_business_user_needs_member_business(two_associations, client_for):
    response = client_for("staff_admin_a").post(
        reverse("admin:members_invitation_add"),
        {
            "association": two_associations.a.pk,
            "email": "x@example.com",
            "kind": "business_user",
            "role": "editor",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "business": ["Choose a business that is a member of this association."]
    }
    assert Invitation.objects.exists() is False


def test_invite_person_business_user_of_other_association_is_refused(two_associations):
    with pytest.raises(services.MembersError, match="member of this association"):
        _invite(two_associations, kind=InvitationKind.BUSINESS_USER, business=two_associations.business_b)


def test_invitation_admin_viewer_cannot_invite(two_associations, client_for):
    response = client_for("staff_viewer_a").post(
        reverse("admin:members_invitation_add"),
        {"association": two_associations.a.pk, "email": "x@example.com", "kind": "auditor", "role": ""},
    )

    assert response.status_code == 403
    assert Invitation.objects.exists() is False


def test_accept_invitation_as_new_user_creates_account_and_logs_in(two_associations, client):
    invitation = _invite(
        two_associations,
        kind=InvitationKind.BUSINESS_USER,
        business=two_associations.business_a,
        role="owner",
    )

    response = client.post(_path(invitation), {"name": "Zara Khan", "password": "a-long-demo-passphrase"})

    assert response.status_code == 302
    user = get_user_model().objects.get(email="new.person@example.com")
    assert (user.name, user.check_password("a-long-demo-passphrase")) == ("Zara Khan", True)
    assert list(BusinessUser.objects.filter(user=user).values_list("business", "role")) == [
        (two_associations.business_a.pk, "owner")
    ]
    assert EmailAddress.objects.filter(user=user, verified=True).count() == 1
    assert client.get(reverse("home")).url == reverse("portal:dashboard")


def test_accept_invitation_with_weak_password_shows_errors(two_associations, client):
    invitation = _invite(two_associations)

    response = client.post(_path(invitation), {"name": "Zara Khan", "password": "123"})

    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert get_user_model().objects.filter(email="new.person@example.com").exists() is False


def test_accept_invitation_as_logged_in_user_attaches_role(two_associations, client):
    user = f.UserFactory(email="new.person@example.com")
    client.force_login(user)
    invitation = _invite(two_associations, kind=InvitationKind.STAFF, role="officer")

    response = client.post(_path(invitation))

    assert response.status_code == 302
    assert list(StaffMembership.objects.filter(user=user).values_list("association", "role")) == [
        (two_associations.a.pk, "officer")
    ]
    invitation.refresh_from_db()
    assert (invitation.accepted_by, invitation.accepted_at is not None) == (user, True)


def test_accept_invitation_as_auditor_adds_association(two_associations, client):
    user = f.UserFactory(email="new.person@example.com")
    client.force_login(user)
    invitation = _invite(two_associations, kind=InvitationKind.AUDITOR)

    client.post(_path(invitation))

    memberships = AuditorProfile.objects.get(user=user).memberships
    assert list(memberships.values_list("association", "ended_at")) == [(two_associations.a.pk, None)]


def test_accept_invitation_with_wrong_email_is_refused(two_associations, client):
    client.force_login(two_associations.business_user_b)
    invitation = _invite(two_associations)

    response = client.post(_path(invitation), follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "This invitation was sent to new.person@example.com. Log in with that address to accept it."
    ]
    assert AuditorProfile.objects.filter(user=two_associations.business_user_b).exists() is False
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_accept_invitation_anonymous_with_existing_account_is_told_to_log_in(two_associations, client):
    f.UserFactory(email="new.person@example.com")
    invitation = _invite(two_associations)

    response = client.post(_path(invitation), {"name": "Zara", "password": "a-long-demo-passphrase"})

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "An account with this email exists. Log in to accept the invitation."
    ]


class _PastSigner(signing.TimestampSigner):
    """Signs as if it were INVITATION_MAX_AGE and a minute ago."""

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - services.INVITATION_MAX_AGE - 60)


def test_accept_invitation_expired_link_is_410(two_associations, client):
    invitation = _invite(two_associations)
    signed = _PastSigner(salt=services.INVITATION_SALT).sign_object(invitation.token)

    response = client.get(reverse("accept_invitation", args=[signed]))

    assert response.status_code == 410
    assert "This invitation has expired." in response.content.decode()


def test_accept_invitation_tampered_link_is_410(two_associations, client):
    invitation = _invite(two_associations)

    response = client.get(_path(invitation).replace("/invitations/", "/invitations/x"))

    assert response.status_code == 410
    assert "This invitation link is not valid." in response.content.decode()


def test_accept_invitation_used_twice_is_refused(two_associations, client):
    invitation = _invite(two_associations)
    client.post(_path(invitation), {"name": "Zara Khan", "password": "a-long-demo-passphrase"})
    client.logout()

    again = client.get(_path(invitation))

    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    with pytest.raises(services.MembersError, match="already been used"):
        services.accept_invitation(invitation, user=get_user_model().objects.get(email=invitation.email))


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_invite_person_officer_cannot_invite_admins_or_officers(role, two_associations):
    officer = f.StaffFactory(association=two_associations.a, role="officer").user

    with pytest.raises(services.MembersError, match="Only an administrator") as raised:
        services.invite_person(
            two_associations.a,
            email="x@example.com",
            kind=InvitationKind.STAFF,
            role=role,
            invited_by=officer,
        )

    assert raised.value.field == "role"
    assert Invitation.objects.exists() is False


@pytest.mark.parametrize(
    ("kind", "role", "business"),
    [("staff", "viewer", False), ("business_user", "editor", True), ("auditor", "", False)],
)
def test_invite_person_officer_may_invite_viewers_business_users_and_auditors(
    kind, role, business, two_associations
):
    officer = f.StaffFactory(association=two_associations.a, role="officer").user

    invitation = services.invite_person(
        two_associations.a,
        email="x@example.com",
        kind=kind,
        role=role,
        invited_by=officer,
        business=two_associations.business_a if business else None,
    )

    assert (invitation.kind, invitation.role) == (kind, role)


def test_invite_person_admin_of_other_association_cannot_invite_admin(two_associations):
    with pytest.raises(services.MembersError, match="Only administrators and officers"):
        services.invite_person(
            two_associations.a,
            email="x@example.com",
            kind=InvitationKind.STAFF,
            role="admin",
            invited_by=two_associations.staff_b,
        )


def test_invite_person_admin_and_superuser_may_invite_admin(two_associations):
    by_admin = services.invite_person(
        two_associations.a,
        email="x@example.com",
        kind=InvitationKind.STAFF,
        role="admin",
        invited_by=two_associations.staff_admin_a,
    )
    by_superuser = services.invite_person(
        two_associations.b,
        email="y@example.com",
        kind=InvitationKind.STAFF,
        role="officer",
        invited_by=two_associations.superuser,
    )

    assert (by_admin.role, by_superuser.role) == ("admin", "officer")


def test_invitation_admin_officer_inviting_admin_sees_error_on_role(two_associations, client):
    officer = f.StaffFactory(association=two_associations.a, role="officer").user
    client.force_login(officer)

    response = client.post(
        reverse("admin:members_invitation_add"),
        {"association": two_associations.a.pk, "email": "x@example.com", "kind": "staff", "role": "admin"},
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "role": ["Only an administrator of this association may invite administrators and officers."]
    }
    assert Invitation.objects.exists() is False


def test_accept_invitation_second_invitation_changes_existing_role(two_associations, client):
    user = f.UserFactory(email="new.person@example.com")
    f.StaffFactory(association=two_associations.a, user=user, role="viewer")
    client.force_login(user)
    invitation = _invite(two_associations, kind=InvitationKind.STAFF, role="officer")

    response = client.post(_path(invitation), follow=True)

    assert list(StaffMembership.objects.filter(user=user).values_list("association", "role")) == [
        (two_associations.a.pk, "officer")
    ]
    assert [str(m) for m in response.context["messages"]] == [
        "Your role in Pakistan Service Association changed from viewer to certification officer."
    ]
    log = ActionLog.objects.filter(action="invitation.accepted").get()
    assert log.data == {"previous_role": "viewer", "role": "officer"}


def test_accept_invitation_second_business_invitation_changes_role(two_associations, client):
    user = f.UserFactory(email="new.person@example.com")
    f.BusinessUserFactory(business=two_associations.business_a, user=user, role="editor")
    client.force_login(user)
    invitation = _invite(
        two_associations,
        kind=InvitationKind.BUSINESS_USER,
        business=two_associations.business_a,
        role="owner",
    )

    client.post(_path(invitation))

    assert list(BusinessUser.objects.filter(user=user).values_list("business", "role")) == [
        (two_associations.business_a.pk, "owner")
    ]
