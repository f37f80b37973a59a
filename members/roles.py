"""What a person may do comes from their membership rows. This module reads
them once per request and says where each role lands."""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from associations.models import Association

from .models import AuditorProfile, BusinessUser


@dataclass(frozen=True)
class Destination:
    key: str
    label: str
    url: str


@dataclass
class Roles:
    user: object
    staff_association_ids: list[int] = field(default_factory=list)
    business_ids: list[int] = field(default_factory=list)
    is_auditor: bool = False

    @property
    def is_staff(self) -> bool:
        return bool(self.staff_association_ids) or self.user.is_superuser

    @property
    def is_business_user(self) -> bool:
        return bool(self.business_ids)

    @cached_property
    def destinations(self) -> list[Destination]:
        found = []
        if self.is_business_user:
            found.append(Destination("portal", _("Business portal"), reverse("portal:dashboard")))
        if self.is_auditor:
            found.append(Destination("audit", _("Auditor pages"), reverse("audits:queue")))
        if self.is_staff:
            found.append(Destination("admin", _("Association admin"), reverse("admin:index")))
        return found

    @property
    def needs_mfa(self) -> bool:
        """Staff and auditors of an association that requires two-factor login."""
        if not (self.staff_association_ids or self.is_auditor):
            return False
        return (
            Association.objects.filter(require_mfa=True)
            .filter(
                Q(staff__user=self.user)
                | Q(auditor_memberships__auditor__user=self.user, auditor_memberships__ended_at=None)
            )
            .exists()
        )


def is_business_user(user, business_id: int, *, association_id: int | None, roles=None) -> bool:
    """Whether `user` (a user or a user id) works for the business in the
    association (a role that association granted), in one of `roles`
    (BusinessRole values) when given. `association_id=None` asks about any
    association: only for independence checks, where any tie counts."""
    if getattr(user, "is_anonymous", False):
        return False
    rows = BusinessUser.objects.filter(business_id=business_id, user=user)
    if association_id is not None:
        rows = rows.filter(association_id=association_id)
    if roles:
        rows = rows.filter(role__in=roles)
    return rows.exists()


def business_scope(user, business_id: int, *, roles=None) -> QuerySet[Association]:
    """The associations in which `user` works for the business (in one of
    `roles` when given): what their portal pages and writes may reach."""
    if not getattr(user, "is_authenticated", False):
        return Association.objects.none()
    grants = BusinessUser.objects.filter(business_id=business_id, user=user)
    if roles:
        grants = grants.filter(role__in=roles)
    return Association.objects.filter(pk__in=grants.values("association_id"))


def roles_for(user) -> Roles:
    if not user.is_authenticated:
        return Roles(user=user)
    cached = getattr(user, "_roles_cache", None)
    if cached is not None:
        return cached
    roles = Roles(
        user=user,
        staff_association_ids=list(user.staff_memberships.values_list("association_id", flat=True)),
        business_ids=list(user.business_roles.values_list("business_id", flat=True).distinct()),
        is_auditor=AuditorProfile.objects.filter(user=user, is_active=True).exists(),
    )
    user._roles_cache = roles
    return roles


def role_required(check: Callable[[HttpRequest], bool]) -> Callable:
    """A view decorator: log in first, then answer 404 (the page does not
    exist for you) unless `check(request)` is true. A check may attach what
    it found to the request, e.g. request.auditor."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not check(request):
                raise Http404
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator


def _is_business_user(request) -> bool:
    return request.user.business_roles.exists()


# Portal pages answer 404 to anyone who is not a user of some business.
business_user_required = role_required(_is_business_user)
