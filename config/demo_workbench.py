"""The staff workbench's demo: an invitation still waiting to be accepted,
so the dashboard's "Invitations pending" queue and an invitation's Resend
and Withdraw buttons have something to show. Runs once: seeding twice
changes nothing."""

from associations.models import Association, StaffRole
from members import services
from members.models import Invitation, InvitationKind, User

PENDING_EMAIL = "new.officer@psa.example.org"


def seed_workbench(association: Association) -> None:
    if Invitation.objects.filter(association=association, email=PENDING_EMAIL).exists():
        return
    services.invite_person(
        association,
        email=PENDING_EMAIL,
        kind=InvitationKind.STAFF,
        role=StaffRole.VIEWER,
        invited_by=User.objects.get(email="admin@psa.example.org"),
    )
