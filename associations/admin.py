from django.conf import settings
from django.contrib import admin
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from . import services
from .admin_scoping import PrivateFileWidget, ScopedAdmin, ScopedTabularInline, access, run_service_on
from .models import (
    ActionLog,
    Association,
    CertificationLevel,
    CodeOfConduct,
    Criterion,
    KpiDefinition,
    PublicationStatus,
    StaffMembership,
    Standard,
)


@admin.register(Association)
class AssociationAdmin(ScopedAdmin):
    list_display = ["name", "slug", "country", "certificate_prefix", "validity_months"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        if request.user.is_superuser:
            return Association.objects.all()
        return Association.objects.filter(pk__in=access(request).association_ids)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "logo":
            kwargs["widget"] = PrivateFileWidget(url_name="admin:associations_association_logo")
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_urls(self):
        logo = path(
            "<int:pk>/logo/", self.admin_site.admin_view(self.logo_view), name="associations_association_logo"
        )
        return [logo, *super().get_urls()]

    def logo_view(self, request, pk):
        """The stored logo, for the association's own staff (files have no public URL)."""
        association = get_object_or_404(self.get_queryset(request), pk=pk)
        if not association.logo:
            raise Http404
        return FileResponse(association.logo.open("rb"), filename=association.logo.name.rsplit("/", 1)[-1])

    def has_add_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        # Only an association's administrators change its settings.
        if request.user.is_superuser:
            return True
        admin_of = access(request).admin_ids
        return obj.pk in admin_of if obj else bool(admin_of)


class DefaultLanguageRequired:
    """Translated programme fields: modeltranslation requires English; we
    require the association's default language instead (the models' clean()),
    which a reader's missing language falls back to."""

    def patch_translation_field(self, db_field, field, request, **kwargs) -> None:
        super().patch_translation_field(db_field, field, request, **kwargs)
        if getattr(db_field, "translated_field", None) is not None:
            field.required = False


def translated(*fields: str) -> list[str]:
    """Every language's column of `fields` (a frozen version shows them all)."""
    return [f"{field}_{code}" for field in fields for code, _name in settings.LANGUAGES]


def _run(request, queryset, service, done_message):
    run_service_on(request, queryset, service, done_message, refused=services.AssociationError)


@admin.register(CodeOfConduct)
class CodeOfConductAdmin(DefaultLanguageRequired, ScopedAdmin, TranslationAdmin):
    list_display = ["title", "association", "version", "status", "published_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "published_at"]
    actions = ["publish", "new_version"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != PublicationStatus.DRAFT:
            return ["association", "version", *translated("title", "body"), "status", "published_at"]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None) -> bool:
        # A published (or superseded) version is frozen: view only.
        draft = obj is None or obj.status == PublicationStatus.DRAFT
        return draft and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        draft = obj is None or obj.status == PublicationStatus.DRAFT
        return draft and super().has_delete_permission(request, obj)

    @admin.action(permissions=["change"], description=_("Publish (supersedes the current version)"))
    def publish(self, request, queryset):
        _run(request, queryset, services.publish_code_of_conduct, _("published"))

    @admin.action(permissions=["change"], description=_("Start a new draft version"))
    def new_version(self, request, queryset):
        _run(request, queryset, services.new_code_version, _("new draft created"))


class CriterionInline(DefaultLanguageRequired, ScopedTabularInline, TranslationTabularInline):
    model = Criterion
    fields = [
        "order",
        "code",
        "dimension",
        "text",
        "weight",
        "max_score",
        "evidence_required",
        "critical",
        "kpi",
        "kpi_threshold",
        "kpi_source",
        # The gate's surveillance between audits (certification/live.py).
        "breach_months",
        "cure_period_days",
        "grace_days",
        "guidance",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("kpi")

    def _can_edit(self, request, obj=None) -> bool:
        # Criteria of a published or retired standard are frozen.
        if obj is not None and not obj.is_editable:
            return False
        return super()._can_edit(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        request._criterion_standard = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        standard = getattr(request, "_criterion_standard", None)
        if db_field.name == "kpi" and standard is not None:
            # A KPI gate uses the standard's own association's KPIs.
            field.queryset = field.queryset.filter(association=standard.association_id)
        return field


@admin.register(Standard)
class StandardAdmin(DefaultLanguageRequired, ScopedAdmin, TranslationAdmin):
    list_display = ["name", "version", "association", "status", "published_at"]
    list_filter = ["status"]
    search_fields = ["name"]
    inlines = [CriterionInline]
    actions = ["publish", "retire", "new_version"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return [
                "association",
                *translated("name"),
                "version",
                *translated("description"),
                "status",
                "published_at",
            ]
        return ["status", "published_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Published and retired standards are frozen: view only.
        return (obj is None or obj.is_editable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return (obj is None or obj.is_editable) and super().has_delete_permission(request, obj)

    @admin.action(permissions=["change"], description=_("Publish"))
    def publish(self, request, queryset):
        _run(request, queryset, services.publish_standard, _("published"))

    @admin.action(permissions=["change"], description=_("Retire"))
    def retire(self, request, queryset):
        _run(request, queryset, services.retire_standard, _("retired"))

    @admin.action(permissions=["change"], description=_("Start a new draft version"))
    def new_version(self, request, queryset):
        _run(request, queryset, services.new_standard_version, _("new draft created"))


@admin.register(CertificationLevel)
class CertificationLevelAdmin(DefaultLanguageRequired, ScopedAdmin, TranslationAdmin):
    list_display = ["name", "association", "min_score"]


@admin.register(KpiDefinition)
class KpiDefinitionAdmin(DefaultLanguageRequired, ScopedAdmin, TranslationAdmin):
    list_display = ["code", "name", "unit", "higher_is_better", "min_value", "max_value", "association"]
    search_fields = ["code", "name"]


@admin.register(StaffMembership)
class StaffMembershipAdmin(ScopedAdmin):
    list_display = ["user", "association", "role"]
    list_filter = ["role"]
    raw_id_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        # A membership is changed in its role only; moving it to another
        # person or association would bypass the admin-only rule below.
        return ["association", "user"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "association" and not request.user.is_superuser:
            # Staff roles are granted by an association's administrators only
            # (an officer may edit the programme but not the staff list).
            field.queryset = Association.objects.filter(pk__in=access(request).admin_ids)
        return field

    def has_add_permission(self, request, obj=None) -> bool:
        # Staff join through an invitation; only superusers attach accounts directly.
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        if request.user.is_superuser:
            return True
        admin_of = access(request).admin_ids
        return obj.association_id in admin_of if obj else bool(admin_of)

    has_delete_permission = has_change_permission


class SubjectFilter(admin.SimpleListFilter):
    """By what the entry is about (the action's first part, as in
    "application.submit"): fixed choices, not a DISTINCT over the history."""

    title = _("about")
    parameter_name = "about"
    SUBJECTS = {
        "application": _("Applications"),
        "evidence": _("Evidence"),
        "change_request": _("Change requests"),
        "audit": _("Audits"),
        "certificate": _("Certificates"),
        "auditor": _("Auditors"),
        "code": _("Codes of conduct"),
        "standard": _("Standards"),
        "invitation": _("Invitations"),
        "metrics": _("Metrics"),
        "api_token": _("API tokens"),
    }

    def lookups(self, request, model_admin):
        return list(self.SUBJECTS.items())

    def queryset(self, request, queryset):
        if self.value() in self.SUBJECTS:
            return queryset.filter(action__startswith=f"{self.value()}.")
        return queryset


@admin.register(ActionLog)
class ActionLogAdmin(ScopedAdmin):
    list_display = ["created_at", "action", "actor", "content_type", "object_id"]
    list_select_related = ["actor", "content_type"]  # actor may be empty: not followed by default
    list_filter = [SubjectFilter]
    readonly_fields = ["created_at", "association", "content_type", "object_id", "action", "actor", "data"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
