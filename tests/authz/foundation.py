from django.conf import settings
from django.urls import reverse

from members.models import InvitationKind
from members.services import invitation_link, invite_person

from . import LOGIN, Row, statuses, users_of_a


def _invitation_url(w, invitation):
    return invitation_link(invitation).removeprefix(settings.SITE_URL)


def _invite(w):
    return invite_person(
        w.a, email="new.person@example.com", kind=InvitationKind.AUDITOR, invited_by=w.staff_admin_a
    )


ROWS = [
    Row("home", lambda w: reverse("home"), statuses(302, anonymous=200)),
    Row("choose_role", lambda w: reverse("choose_role"), statuses(200, anonymous=LOGIN)),
    Row(
        "portal:dashboard",
        lambda w: reverse("portal:dashboard"),
        statuses(404, anonymous=LOGIN, **users_of_a(200), business_user_b=200),
    ),
    Row(
        "audits:queue",
        lambda w: reverse("audits:queue"),
        # An auditor's queue, empty until an assignment: any active auditor's.
        statuses(404, anonymous=LOGIN, auditor=200, unassigned_auditor_a=200),
    ),
    Row(
        "admin:index",
        lambda w: reverse("admin:index"),
        statuses(302, staff_admin_a=200, staff_viewer_a=200, staff_b=200, superuser=200),
    ),
    Row(
        "admin:associations_standard_changelist",
        lambda w: reverse("admin:associations_standard_changelist"),
        statuses(302, staff_admin_a=200, staff_viewer_a=200, staff_b=200, superuser=200),
    ),
    Row(
        "admin:associations_association_change",
        lambda w: reverse("admin:associations_association_change", args=[w.a.pk]),
        statuses(302, staff_admin_a=200, staff_viewer_a=200, staff_b=404, superuser=200),
    ),
    Row(
        "admin:members_user_changelist",
        lambda w: reverse("admin:members_user_changelist"),
        statuses(302, staff_admin_a=403, staff_viewer_a=403, staff_b=403, superuser=200),
    ),
    Row("accept_invitation", _invitation_url, statuses(200), setup=_invite),
]
