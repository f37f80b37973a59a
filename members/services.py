"""Writes with rules for people and businesses."""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association, StaffMembership, StaffRole
from associations.services import log_action

from .emails import queue_email
from .errors import MembersError
from .models import AuditorMembership, AuditorProfile, BusinessRole, BusinessUser, Invitation, InvitationKind

INVITATION_SALT = "members.invitation"
INVITATION_MAX_AGE = 14 * 24 * 3600


def invitation_link(invitation: Invitation) -> str:
    signed = signing.dumps(invitation.token, salt=INVITATION_SALT)
    return settings.SITE_URL + reverse("accept_invitation", args=[signed])


def read_invitation(signed: str) -> Invitation:
    """The invitation behind a link, or MembersError saying why it is no good."""
    try:
        token = signing.loads(signed, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.SignatureExpired:
        raise MembersError(_("This invitation has expired. Ask the association for a new one.")) from None
    except signing.BadSignature:
        raise MembersError(_("This invitation link is not valid.")) from None
    invitation = Invitation.objects.select_related("association", "business").filter(token=token).first()
    if invitation is None:
        raise MembersError(_("This invitation has been withdrawn."))
    if invitation.accepted_at:
        raise MembersError(_("This invitation has already been used. Log in instead."))
    return invitation


# Roles only an association's administrators (or a superuser) may hand out.
ADMIN_GRANTED_ROLES = (StaffRole.ADMIN, StaffRole.OFFICER)


def _inviter_roles(association: Association, invited_by) -> set[str]:
    if invited_by is None:
        return set()
    if invited_by.is_superuser:
        return set(StaffRole.values)
    memberships = StaffMembership.objects.filter(association=association, user=invited_by)
    return set(memberships.values_list("role", flat=True))


def check_invitation(
    association: Association, *, kind: str, invited_by, business=None, role: str = ""
) -> str:
    """The role the invitation will grant, or MembersError saying what is wrong.
    Officers invite viewers, business users and auditors; only an
    administrator of the association (or a superuser) invites officers and
    administrators."""
    inviter = _inviter_roles(association, invited_by)
    if not inviter & {StaffRole.ADMIN, StaffRole.OFFICER}:
        raise MembersError(_("Only administrators and officers of this association may invite people."))
    if kind == InvitationKind.BUSINESS_USER:
        if business is None or not business.memberships.filter(association=association).exists():
            raise MembersError(_("Choose a business that is a member of this association."), field="business")
        role = role or BusinessRole.EDITOR
        if role not in BusinessRole.values:
            raise MembersError(_("Choose a business role: owner or editor."), field="role")
        return role
    if kind == InvitationKind.STAFF:
        role = role or StaffRole.VIEWER
        if role not in StaffRole.values:
            raise MembersError(_("Choose a staff role: admin, officer or viewer."), field="role")
        if role in ADMIN_GRANTED_ROLES and StaffRole.ADMIN not in inviter:
            raise MembersError(
                _("Only an administrator of this association may invite administrators and officers."),
                field="role",
            )
        return role
    if kind == InvitationKind.AUDITOR:
        return ""
    raise MembersError(_("Unknown invitation type."), field="kind")


@transaction.atomic
def invite_person(
    association: Association,
    *,
    email: str,
    kind: str,
    invited_by,
    business=None,
    role: str = "",
) -> Invitation:
    email = email.strip().lower()
    role = check_invitation(association, kind=kind, invited_by=invited_by, business=business, role=role)
    if kind != InvitationKind.BUSINESS_USER:
        business = None
    invitation = Invitation.objects.create(
        association=association,
        email=email,
        kind=kind,
        business=business,
        role=role,
        invited_by=invited_by,
    )
    log_action(invitation, "invitation.sent", actor=invited_by, data={"email": email, "kind": kind})
    queue_email(
        f"invitation:{invitation.pk}",
        to=invitation.email,
        language=association.default_language,
        template="invitation",
        context={"invitation": invitation, "link": invitation_link(invitation)},
    )
    return invitation


def _pending_invitation(invitation: Invitation, *, actor) -> Invitation:
    """Lock a pending invitation; whoever may send it may resend or withdraw it."""
    locked = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if locked is None:
        raise MembersError(_("This invitation has been withdrawn."))
    if locked.accepted_at is not None:
        raise MembersError(_("This invitation has already been accepted."))
    check_invitation(
        locked.association, kind=locked.kind, invited_by=actor, business=locked.business, role=locked.role
    )
    return locked


@transaction.atomic
def resend_invitation(invitation: Invitation, *, actor) -> Invitation:
    """Email the invitation again with a fresh link (valid for another 14
    days); the earlier link stays valid until it expires."""
    invitation = _pending_invitation(invitation, actor=actor)
    entry = log_action(invitation, "invitation.resent", actor=actor, data={"email": invitation.email})
    queue_email(
        f"invitation:{invitation.pk}:resent:{entry.pk}",
        to=invitation.email,
        language=invitation.association.default_language,
        template="invitation",
        context={"invitation": invitation, "link": invitation_link(invitation)},
    )
    return invitation


@transaction.atomic
def withdraw_invitation(invitation: Invitation, *, actor) -> None:
    """Withdraw a pending invitation: its links answer "withdrawn" from now on
    (the row goes; the history keeps who withdrew it and for whom)."""
    invitation = _pending_invitation(invitation, actor=actor)
    log_action(
        invitation,
        "invitation.withdrawn",
        actor=actor,
        data={"email": invitation.email, "kind": invitation.kind},
    )
    invitation.delete()


@transaction.atomic
def accept_invitation(invitation: Invitation, *, user) -> Invitation:
    """Attach the invited role to `user`; a role the person already holds
    there is changed to the invited one (and the change logged). The
    invitation is claimed with a conditional update so a double click cannot
    grant it twice."""
    if user.email.lower() != invitation.email:
        raise MembersError(
            _("This invitation was sent to %(email)s. Log in with that address to accept it.")
            % {"email": invitation.email}
        )
    claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at=None).update(
        accepted_at=timezone.now(), accepted_by=user
    )
    if not claimed:
        raise MembersError(_("This invitation has already been used. Log in instead."))
    previous_role = None
    if invitation.kind == InvitationKind.BUSINESS_USER:
        # The role reaches the business's affairs in the inviting association only.
        previous_role = _grant_role(
            BusinessUser,
            role=invitation.role,
            business=invitation.business,
            association=invitation.association,
            user=user,
        )
    elif invitation.kind == InvitationKind.STAFF:
        previous_role = _grant_role(
            StaffMembership, role=invitation.role, association=invitation.association, user=user
        )
    else:
        profile, _created = AuditorProfile.objects.get_or_create(user=user)
        membership, created = AuditorMembership.objects.get_or_create(
            auditor=profile, association=invitation.association
        )
        if not created and membership.ended_at is not None:
            # Invited again after being removed: the association takes them back.
            membership.started_at, membership.ended_at, membership.ended_by = timezone.now(), None, None
            membership.save(update_fields=["started_at", "ended_at", "ended_by"])
    _mark_email_verified(user)
    data = {"previous_role": previous_role, "role": invitation.role} if previous_role else None
    log_action(invitation, "invitation.accepted", actor=user, data=data)
    invitation.previous_role = previous_role
    return invitation


def _grant_role(model, *, role: str, **keys) -> str | None:
    """Create the role row, or change the existing one to `role` (a second
    invitation is how an association changes someone's role). Returns the
    role it had before when that was a different one."""
    existing = model.objects.select_for_update().filter(**keys).first()
    if existing is None:
        model.objects.create(role=role, **keys)
        return None
    if existing.role == role:
        return None
    previous, existing.role = existing.role, role
    existing.save(update_fields=["role"])
    return previous


def _role_label(invitation: Invitation, role: str) -> str:
    choices = StaffRole if invitation.kind == InvitationKind.STAFF else BusinessRole
    return str(choices(role).label).lower()


def accepted_message(invitation: Invitation) -> str:
    if getattr(invitation, "previous_role", None):
        return _("Your role in %(association)s changed from %(previous)s to %(role)s.") % {
            "association": invitation.association.name,
            "previous": _role_label(invitation, invitation.previous_role),
            "role": _role_label(invitation, invitation.role),
        }
    return _("Welcome. You now have access to %(association)s as %(kind)s.") % {
        "association": invitation.association.name,
        "kind": invitation.get_kind_display().lower(),
    }


def create_invited_user(invitation: Invitation, *, name: str, password: str):
    User = get_user_model()
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise MembersError(_("An account with this email exists. Log in to accept the invitation."))
    return User.objects.create_user(
        email=invitation.email, password=password, name=name, language=invitation.association.default_language
    )


def _mark_email_verified(user) -> None:
    # Following the emailed link proves the address.
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
