from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action
from unfold.enums import ActionVariant
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from associations.admin_buttons import RecordButtonsMixin, button_page, posted
from associations.admin_scoping import AssociationFilter, ScopedAdmin, ScopedTabularInline, access, scope
from associations.exports import ExportOnlyMixin
from audits.dashboard import QueueFilter

from . import services
from .exports import BusinessResource, MetricValueResource
from .models import (
    Business,
    BusinessUser,
    Invitation,
    Membership,
    MetricImportJob,
    MetricReport,
    MetricValue,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin, ModelAdmin):
    """Accounts are global (one person, many roles): superusers only."""

    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    ordering = ["email"]
    list_display = ["email", "name", "language", "is_active", "is_superuser", "last_login"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["name", "language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser


class BusinessTenantMixin:
    """A business belongs to every association it is a member of; staff may
    edit it when they may edit one of those."""

    def association_ids_of(self, obj):
        return obj.memberships.values_list("association_id", flat=True)


class MembershipInline(BusinessTenantMixin, ScopedTabularInline):
    model = Membership
    min_num = 1

    def get_queryset(self, request):
        # A business may belong to several associations: staff see and
        # change only their own association's membership rows.
        return scope(super().get_queryset(request), request).select_related("business", "association")


class BusinessUserInline(BusinessTenantMixin, ScopedTabularInline):
    model = BusinessUser
    fields = ["user", "association", "role"]
    readonly_fields = ["user", "association"]

    def has_add_permission(self, request, obj=None):
        return False  # users join through an invitation

    def get_queryset(self, request):
        # Staff see and change the roles their own association granted; a
        # role granted by another association is that association's affair.
        return scope(super().get_queryset(request), request).select_related("business", "user", "association")


@admin.register(Business)
class BusinessAdmin(BusinessTenantMixin, ExportOnlyMixin, ScopedAdmin):
    list_display = ["name", "city", "country"]
    resource_classes = [BusinessResource]
    search_fields = ["name", "legal_name", "city"]
    inlines = [MembershipInline, BusinessUserInline]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "website":
            kwargs["assume_scheme"] = "https"  # what Django 6 assumes; silences its warning
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ["business", "association", "member_number", "status", "joined_on"]
    list_filter = ["status"]
    autocomplete_fields = ["business"]  # thousands of businesses: searched, not listed
    search_fields = ["business__name", "member_number"]


class InvitationForm(forms.ModelForm):
    invited_by = None  # set by InvitationAdmin.get_form to the requesting user

    class Meta:
        model = Invitation
        fields = ["association", "email", "kind", "business", "role"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["role"] = services.check_invitation(
                data["association"],
                kind=data["kind"],
                invited_by=self.invited_by,
                business=data.get("business"),
                role=data.get("role", ""),
            )
        except services.MembersError as error:
            # On its field: a field with an error is left out of the model's
            # own constraint checks, which would repeat it less clearly.
            self.add_error(error.field, str(error))
        return data


class ConfirmForm(forms.Form):
    """A button's page with nothing to fill in."""


@admin.register(Invitation)
class InvitationAdmin(RecordButtonsMixin, ScopedAdmin):
    form = InvitationForm
    list_display = ["email", "kind", "business", "role", "association", "created_at", "accepted_at"]
    list_select_related = ["association", "business"]  # business may be empty: not followed by default
    list_filter = [QueueFilter, "kind"]
    fields = ["association", "email", "kind", "business", "role"]
    autocomplete_fields = ["business"]
    actions_detail = ["resend_button", "withdraw_button"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"invited_by": request.user})

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        invitation = services.invite_person(
            obj.association,
            email=obj.email,
            kind=obj.kind,
            business=obj.business,
            role=obj.role,
            invited_by=request.user,
        )
        obj.pk = invitation.pk
        messages.info(request, _("The invitation link was emailed to %(email)s.") % {"email": obj.email})

    # --- buttons on an invitation's page ---------------------------------------

    def buttons_for(self, request, obj) -> set[str]:
        return set() if obj.accepted_at else {"resend_button", "withdraw_button"}

    def _summary(self, invitation) -> list:
        return [
            (_("Email"), invitation.email),
            (_("Invited as"), invitation.get_kind_display()),
            (_("Sent"), invitation.created_at),
        ]

    @action(description=_("Resend"), permissions=["act"], icon="forward_to_inbox", url_path="resend")
    def resend_button(self, request, object_id):
        invitation = self.button_object(request, object_id)
        return button_page(
            self,
            request,
            invitation,
            form=ConfirmForm(posted(request)),
            title=_("Resend the invitation"),
            explanation=_(
                "The invitation is emailed again with a new link, valid for 14 days; the earlier link "
                "keeps working until it expires."
            ),
            submit=_("Resend"),
            summary=self._summary(invitation),
            run=lambda data: services.resend_invitation(invitation, actor=request.user),
            refused=services.MembersError,
            done=_("The invitation was emailed again to %(email)s.") % {"email": invitation.email},
        )

    @action(
        description=_("Withdraw"),
        permissions=["act"],
        icon="cancel_schedule_send",
        url_path="withdraw",
        variant=ActionVariant.DANGER,
    )
    def withdraw_button(self, request, object_id):
        invitation = self.button_object(request, object_id)
        return button_page(
            self,
            request,
            invitation,
            form=ConfirmForm(posted(request)),
            title=_("Withdraw the invitation"),
            explanation=_(
                "The invitation's links stop working at once: whoever follows one is told it was "
                "withdrawn. The invitation leaves the list; the history keeps who withdrew it."
            ),
            submit=_("Withdraw"),
            danger=True,
            summary=self._summary(invitation),
            run=lambda data: services.withdraw_invitation(invitation, actor=request.user),
            refused=services.MembersError,
            done=_("The invitation to %(email)s was withdrawn.") % {"email": invitation.email},
            next_url=reverse("admin:members_invitation_changelist"),
        )


class MetricValueInline(ScopedTabularInline):
    model = MetricValue
    fields = ["kpi", "value", "sample_size", "source"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("kpi")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MetricReport)
class MetricReportAdmin(ScopedAdmin):
    list_display = ["business", "association", "period", "source", "updated_at"]
    list_filter = [AssociationFilter, "period"]
    inlines = [MetricValueInline]

    def has_add_permission(self, request, obj=None):
        return False  # businesses report; staff read

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MetricImportJob)
class MetricImportJobAdmin(ScopedAdmin):
    """Businesses' CSV imports of service metrics, to see which failed and why."""

    list_display = ["business", "association", "original_name", "status", "created_at", "finished_at"]
    list_filter = [QueueFilter, "status"]
    list_select_related = ["business", "association"]
    fields = ["business", "association", "original_name", "status", "created_at", "finished_at", "errors"]
    readonly_fields = fields

    def get_queryset(self, request):
        rows = MetricImportJob.objects.select_related("business", "association")
        if request.user.is_superuser:
            return rows
        return rows.filter(association_id__in=access(request).association_ids)

    def has_add_permission(self, request, obj=None):
        return False  # businesses import from the portal

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MetricValue)
class MetricValueAdmin(ExportOnlyMixin, ScopedAdmin):
    """Every reported value, one row per business, month and KPI: the list
    staff filter and export."""

    list_display = ["business", "period", "kpi", "value", "sample_size"]
    list_filter = ["report__period", "kpi__code"]
    search_fields = ["report__business__name"]
    list_select_related = ["report__business", "kpi"]
    resource_classes = [MetricValueResource]
    readonly_fields = ["report", "kpi", "value", "sample_size"]

    def get_queryset(self, request):
        rows = MetricValue.objects.select_related("report__business", "kpi")
        if request.user.is_superuser:
            return rows
        return rows.filter(report__association_id__in=access(request).association_ids)

    def association_ids_of(self, obj):
        return [obj.report.association_id]

    @admin.display(description=_("business"), ordering="report__business__name")
    def business(self, obj):
        return obj.report.business

    @admin.display(description=_("period"), ordering="report__period")
    def period(self, obj):
        return obj.report.period

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Registers the customer-survey admin (members/surveys/admin.py).
from .surveys import admin as survey_admin  # noqa: E402, F401
