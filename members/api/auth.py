"""Per-business API tokens: made and revoked in the portal, stored as a
SHA-256 hash, sent as `Authorization: Bearer <token>`."""

import datetime
import hashlib
import secrets

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions, permissions

from associations.models import Association
from associations.services import log_action

from ..errors import MembersError
from ..models import ApiToken, Business, BusinessRole
from ..roles import business_scope

TOKEN_PREFIX = "cpt_"  # noqa: S105 (a label, not a secret)
# last_used_at is written at most this often, so reads do not write each time.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_api_token(business: Business, *, name: str, actor) -> tuple[ApiToken, str]:
    """The token row and the token itself, which is never stored or shown
    again. It reaches the associations where `actor` owns the business, and
    writes for each only while `actor` still holds a role there."""
    name = name.strip()
    if not name:
        raise MembersError(_("Give the token a name."))
    reach = list(business_scope(actor, business.pk, roles=[BusinessRole.OWNER]))
    if not reach:
        raise MembersError(_("Only an owner of the business manages API tokens."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        business=business, name=name, prefix=secret[:12], token_hash=hash_token(secret), created_by=actor
    )
    token.associations.set(reach)
    log_action(
        token,
        "api_token.created",
        actor=actor,
        data={"name": name, "business": business.pk, "associations": [a.slug for a in reach]},
    )
    return token, secret


@transaction.atomic
def revoke_api_token(token: ApiToken, *, actor) -> ApiToken:
    if not ApiToken.objects.managed_by(actor, token.business).filter(pk=token.pk).exists():
        raise MembersError(_("This token reaches an association where you are not an owner."))
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        raise MembersError(_("This token is already revoked."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    log_action(
        token, "api_token.revoked", actor=actor, data={"name": token.name, "business": token.business_id}
    )
    return token


def token_reach(token: ApiToken) -> QuerySet[Association]:
    """The associations the token writes and reads for now: those it was
    made for in which its maker still holds a role in the business."""
    return Association.objects.filter(
        pk__in=token.associations.values("pk"),
        business_users__user=token.created_by_id,
        business_users__business=token.business_id,
    )


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`. The request acts as the person who
    made the token, for as long as they are a user of the business; the
    token (request.auth) names the business every endpoint is scoped to, and
    its `reach_ids` the associations (see token_reach)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as: Authorization: Bearer <token>."))
        try:
            secret = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        token = (
            ApiToken.objects.select_related("business", "created_by")
            .filter(token_hash=hash_token(secret), revoked_at=None, created_by__is_active=True)
            .first()
        )
        # Every endpoint reads `reach_ids`; a token whose maker no longer
        # holds a role in any association it was made for reaches nothing.
        if token is not None:
            token.reach_ids = list(token_reach(token).values_list("pk", flat=True))
        if token is None or not token.reach_ids:
            raise exceptions.AuthenticationFailed(_("The token is not valid or has been revoked."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.created_by, token

    def authenticate_header(self, request):
        return self.keyword


class HasBusinessToken(permissions.BasePermission):
    """The request came with a business API token."""

    def has_permission(self, request, view):
        return isinstance(request.auth, ApiToken)
