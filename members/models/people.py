"""People and businesses: the login (User), member businesses, their
membership of associations, the roles people hold, and invitations."""

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models import Association, TenantQuerySet


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """Logs in with an email address. What a person may do comes from their
    membership rows (staff, business user, auditor), never from a type field."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("full name"), max_length=150, blank=True)
    language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="en"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.name or self.email


def business_scope_q(user, *, business: str, association: str | None) -> Q:
    """Rows a business user reaches: they hold a role in the row's business
    (`business`, a path from the row) granted for the row's association
    (`association`; None when the row belongs to no one association, as a
    business itself). A role is granted by one association's staff and
    reaches that business's affairs in that association only."""
    roles = BusinessUser.objects.filter(user=user, business=OuterRef(business))
    if association is not None:
        roles = roles.filter(association=OuterRef(association))
    return Q(Exists(roles))


class BusinessTenantQuerySet(TenantQuerySet):
    """For rows of a business in an association: the business's own users
    whose role covers that association see them, and so do the staff of the
    association. `business_path` leads to the business ("" when the row is
    the business itself)."""

    business_path = "business"

    def business_user_q(self, user) -> Q:
        return business_scope_q(user, business=self.business_path, association=self.association_path)

    def visibility(self, user) -> Q:
        """Whom, besides a superuser, `visible_to` lets see a row."""
        staff = f"{self.association_path}__in"
        return self.business_user_q(user) | Q(**{staff: Association.objects.administered_by(user)})

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(self.visibility(user)).distinct()

    def of_business_user(self, user):
        """Only what `user` reaches as a business user (the portal's rows)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(self.business_user_q(user))


class BusinessQuerySet(BusinessTenantQuerySet):
    """Businesses the user works for (in any association), or whose
    association they staff."""

    business_path = ""
    association_path = "memberships__association"

    def business_user_q(self, user) -> Q:
        return business_scope_q(user, business="pk", association=None)

    def of_associations(self, associations):
        # A semi-join: a business in several of the associations is listed
        # once, with no DISTINCT over the joined rows.
        members = Membership.objects.filter(association__in=associations)
        return self.filter(pk__in=members.values("business_id"))


class Business(models.Model):
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BusinessQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("business")
        verbose_name_plural = _("businesses")

    def __str__(self) -> str:
        return self.name


class SealDomainQuerySet(BusinessTenantQuerySet):
    """The business's users (a role from any association) and the staff of
    its associations."""

    association_path = "business__memberships__association"

    def business_user_q(self, user) -> Q:
        return business_scope_q(user, business="business", association=None)


class SealDomain(models.Model):
    """A website the business shows its certificate's seal on: a seal
    requested from any other site says it is not verified for that site."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="seal_domains")
    domain = models.CharField(
        _("domain"), max_length=253, help_text=_("e.g. example.com (covers www.example.com)")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SealDomainQuerySet.as_manager()

    class Meta:
        ordering = ["domain"]
        verbose_name = _("seal domain")
        verbose_name_plural = _("seal domains")
        constraints = [
            models.UniqueConstraint(fields=["business", "domain"], name="unique_seal_domain_per_business"),
        ]

    def __str__(self) -> str:
        return self.domain


class BusinessRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    EDITOR = "editor", _("Editor")


class BusinessUserQuerySet(models.QuerySet):
    def administered_by(self, user):
        # Staff manage the roles their own association granted, not another's.
        return self.of_associations(Association.objects.administered_by(user))

    def of_associations(self, associations):
        """Rows of `associations` (ids, or an Association queryset)."""
        return self.filter(association__in=associations)

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(Q(user=user) | Q(association__in=Association.objects.administered_by(user)))

    def covering(self, business_id: int, association_id: int):
        """The roles that reach the business's affairs in the association."""
        return self.filter(business_id=business_id, association_id=association_id)


class BusinessUser(models.Model):
    """A person's role in a business, granted by one association's staff:
    it reaches the business's applications, certificates and metrics in
    that association only. A business in several associations has one row
    per association that granted the person a role there."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="users")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="business_roles"
    )
    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        related_name="business_users",
        verbose_name=_("granted by"),
    )
    role = models.CharField(_("role"), max_length=10, choices=BusinessRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = BusinessUserQuerySet.as_manager()

    class Meta:
        verbose_name = _("business user")
        verbose_name_plural = _("business users")
        constraints = [
            models.UniqueConstraint(
                fields=["business", "user", "association"], name="unique_user_per_business_association"
            ),
            models.CheckConstraint(condition=Q(role__in=BusinessRole.values), name="business_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.business}, {self.association})"


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    LAPSED = "lapsed", _("Lapsed")


class MembershipQuerySet(BusinessTenantQuerySet):
    pass


class Membership(models.Model):
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="memberships")
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="memberships")
    member_number = models.CharField(_("member number"), max_length=30)
    status = models.CharField(
        _("status"), max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    joined_on = models.DateField(_("joined"), default=timezone.localdate)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["association", "member_number"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["association", "member_number"], name="unique_member_number"),
            models.UniqueConstraint(fields=["association", "business"], name="unique_business_membership"),
            models.CheckConstraint(
                condition=Q(status__in=MembershipStatus.values), name="membership_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business} #{self.member_number} ({self.association})"


# --- auditors: a role like the business roles above, in every association that
# has them audit (their assignments and scorecards are the audits app's) ------


class AuditorProfileQuerySet(models.QuerySet):
    def administered_by(self, user):
        """Profiles that work or worked for the user's associations: staff
        still manage an auditor they removed (see the past work, re-add)."""
        return self.of_associations(Association.objects.administered_by(user))

    def of_associations(self, associations):
        """Profiles with a membership (ended or not) in one of `associations`."""
        members = AuditorMembership.objects.filter(association__in=associations)
        return self.filter(pk__in=members.values("auditor_id"))

    def auditing(self, association):
        """Active auditors who audit for `association` now (an Association, or
        an OuterRef to one in a subquery): every auditor access rule starts
        here, so removing an auditor from an association ends it at once."""
        return self.filter(is_active=True, memberships__association=association, memberships__ended_at=None)

    def auditing_for(self, associations):
        """Active auditors with an active membership in one of `associations`."""
        return self.filter(
            is_active=True, memberships__association__in=associations, memberships__ended_at=None
        ).distinct()

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return (self.filter(user=user) | self.administered_by(user)).distinct()


class AuditorProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auditor_profile"
    )
    expertise = models.TextField(_("expertise"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditorProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("auditor")
        verbose_name_plural = _("auditors")

    def __str__(self) -> str:
        return str(self.user)


class AuditorMembershipQuerySet(TenantQuerySet):
    def active(self):
        return self.filter(ended_at=None)


class AuditorMembership(models.Model):
    """An auditor audits for an association while this row has no end.
    Ending it (audits.services.end_auditor_membership) ends the auditor's
    access to that association's applications at once and their assignments
    there; the row stays, so the association's staff still see the profile
    and its past work, and can re-add it."""

    auditor = models.ForeignKey(AuditorProfile, on_delete=models.CASCADE, related_name="memberships")
    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        related_name="auditor_memberships",
        verbose_name=_("audits for"),
    )
    started_at = models.DateTimeField(_("since"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AuditorMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("auditor membership")
        verbose_name_plural = _("auditor memberships")
        constraints = [
            models.UniqueConstraint(fields=["auditor", "association"], name="one_auditor_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.auditor} @ {self.association}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class Declaration(models.TextChoices):
    """An auditor's declaration on one assignment (audits.Assignment): only
    after "no conflict" do they see the application."""

    PENDING = "pending", _("Not declared yet")
    NO_CONFLICT = "no_conflict", _("No conflict of interest")
    CONFLICT = "conflict", _("Conflict of interest")


class ConflictOfInterestQuerySet(models.QuerySet):
    def administered_by(self, user):
        """The conflicts the user's associations recorded, and those of an
        auditor of those associations with a business of those associations
        (both sides, or a conflict that concerns only another association
        would leak). Only the recording association reads the reason: see
        with_reason_shown_to."""
        return self.of_associations(Association.objects.administered_by(user))

    def of_associations(self, associations):
        """What staff of `associations` (ids, or an Association queryset) see:
        semi-joins, so a conflict is listed once without a DISTINCT."""
        both_sides = Q(
            business__in=Membership.objects.filter(association__in=associations).values("business_id"),
            auditor__in=AuditorMembership.objects.filter(association__in=associations).values("auditor_id"),
        )
        return self.filter(Q(association__in=associations) | both_sides)

    def with_reason_shown_to(self, user):
        """Annotates `reason_shown`: whether `user` may read the reason (staff
        of the association that recorded it, or a superuser)."""
        if user.is_superuser:
            return self.annotate(reason_shown=Value(True))
        return self.with_reason_shown_for(Association.objects.administered_by(user))

    def with_reason_shown_for(self, associations):
        """`reason_shown` for staff of `associations` (ids, or a queryset)."""
        own = Q(association__in=associations)
        return self.annotate(reason_shown=Case(When(own, then=Value(True)), default=Value(False)))


class ConflictOfInterest(models.Model):
    """An auditor's standing conflict with a business: refuses every
    assignment to it, in every association. The reason belongs to the
    association where it was declared; another association learns only that
    a conflict exists."""

    auditor = models.ForeignKey(AuditorProfile, on_delete=models.CASCADE, related_name="conflicts")
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="auditor_conflicts")
    # Null only for a declaration older than this field whose association
    # could not be told: its reason is shown to superusers only.
    association = models.ForeignKey(
        Association,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    reason = models.TextField(_("reason"))
    declared_at = models.DateTimeField(auto_now_add=True)

    objects = ConflictOfInterestQuerySet.as_manager()

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(
                fields=["auditor", "business", "association"], name="unique_conflict_per_association"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.auditor} × {self.business}"


class InvitationKind(models.TextChoices):
    BUSINESS_USER = "business_user", _("Business user")
    AUDITOR = "auditor", _("Auditor")
    STAFF = "staff", _("Staff")


class InvitationQuerySet(TenantQuerySet):
    pass


class Invitation(models.Model):
    """An emailed, signed and expiring link that creates or attaches an
    account to a role. The link carries a signature of `token`."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    kind = models.CharField(_("invited as"), max_length=20, choices=InvitationKind.choices)
    business = models.ForeignKey(
        Business, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=10, blank=True)
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="business_user") | Q(business__isnull=False),
                name="business_invitation_has_business",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_kind_display()})"
