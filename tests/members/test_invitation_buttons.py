"""Resend and withdraw on an invitation's admin page."""

import pytest
from django.core import mail
from django.urls import reverse

from associations.models import ActionLog
from members import services
from members.errors import MembersError
from members.models import Invitation
from tests import factories as f


@pytest.fixture
def invitation(two_associations):
    return services.invite_person(
        two_associations.a, email="new@example.org", kind="auditor", invited_by=two_associations.staff_admin_a
    )


def _button(name: str, invitation) -> str:
    return reverse(f"admin:members_invitation_{name}_button", args=[invitation.pk])


def test_resend_emails_a_fresh_link_once_per_click(
    invitation, client_for, django_capture_on_commit_callbacks
):
    client = client_for("staff_admin_a")

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(_button("resend", invitation))
        client.post(_button("resend", invitation))

    assert first.status_code == 302
    assert [m.to for m in mail.outbox] == [["new@example.org"], ["new@example.org"]]
    assert ActionLog.objects.filter(action="invitation.resent").count() == 2


def test_withdraw_removes_the_invitation_and_its_link_says_so(invitation, client_for):
    link = services.invitation_link(invitation).rsplit("/", 2)[-2]

    response = client_for("staff_admin_a").post(_button("withdraw", invitation))

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:members_invitation_changelist")
    assert Invitation.objects.exists() is False
    with pytest.raises(MembersError, match="withdrawn"):
        services.read_invitation(link)


def test_accepted_invitation_offers_no_buttons(invitation, client_for, two_associations):
    services.accept_invitation(invitation, user=f.UserFactory(email="new@example.org"))

    page = (
        client_for("staff_admin_a")
        .get(reverse("admin:members_invitation_change", args=[invitation.pk]))
        .content.decode()
    )

    assert _button("resend", invitation) not in page and _button("withdraw", invitation) not in page


def test_pending_invitation_offers_both_buttons_to_staff_and_none_to_viewers(invitation, client_for):
    url = reverse("admin:members_invitation_change", args=[invitation.pk])

    staff_page = client_for("staff_admin_a").get(url).content.decode()
    viewer_page = client_for("staff_viewer_a").get(url).content.decode()

    assert _button("resend", invitation) in staff_page and _button("withdraw", invitation) in staff_page
    assert "/resend/" not in viewer_page and "/withdraw/" not in viewer_page


def test_viewer_and_outsider_are_refused(invitation, client_for):
    assert client_for("staff_viewer_a").post(_button("withdraw", invitation)).status_code == 403
    assert client_for("staff_b").post(_button("withdraw", invitation)).status_code == 404
    assert Invitation.objects.count() == 1
