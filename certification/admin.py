from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from associations.admin_scoping import ScopedAdmin, access, run_service_on
from associations.models import CertificationLevel

from . import certificates as service
from .models import Certificate
from .services import CertificationError


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


def _with_reason(modeladmin, request, queryset, change, title):
    """An action with an intermediate page asking for the reason; the
    business is emailed with it."""
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        run_service_on(
            request, queryset, change, title, refused=CertificationError, reason=form.cleaned_data["reason"]
        )
        return None
    return TemplateResponse(
        request,
        "admin/certification/certificate_reason.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "form": form,
            "queryset": queryset,
            "action": request.POST.get("action"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
        },
    )


class LevelNameFilter(admin.SimpleListFilter):
    """By the level printed on the certificate, offering the names of the
    user's associations' levels (a few rows), not a DISTINCT over every
    certificate."""

    title = _("level")
    parameter_name = "level_name"

    def lookups(self, request, model_admin):
        levels = CertificationLevel.objects.all()
        if not request.user.is_superuser:
            levels = levels.filter(association__in=access(request).association_ids)
        names = sorted(set(levels.values_list("name", flat=True)))
        return [(name, name) for name in names]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(level_name=self.value())
        return queryset


@admin.register(Certificate)
class CertificateAdmin(ScopedAdmin):
    list_display = [
        "number",
        "holder_name",
        "level_name",
        "status",
        "valid_from",
        "valid_until",
        "verification_count",
    ]
    list_filter = ["status", LevelNameFilter]
    search_fields = ["number", "holder_name", "holder_city"]
    actions = ["suspend", "reinstate", "revoke"]
    # The PDF is served only through the scoped download view (there is no
    # media URL): a link to it replaces the file field.
    exclude = ["pdf"]
    readonly_fields = [f.name for f in Certificate._meta.fields if f.name not in ("id", "pdf")] + ["pdf_link"]
    list_select_related = False

    @admin.display(description=_("PDF"))
    def pdf_link(self, obj) -> str:
        if not obj.pdf_sha256:
            return _("Not rendered yet")
        return format_html(
            '<a href="{}">{}.pdf</a>', reverse("certification:download", args=[obj.pk]), obj.number
        )

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # issued by the platform after approval

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Suspend (with a reason)"), permissions=["change"])
    def suspend(self, request, queryset):
        return _with_reason(self, request, queryset, service.suspend_certificate, _("suspended"))

    @admin.action(description=_("Reinstate (with a reason)"), permissions=["change"])
    def reinstate(self, request, queryset):
        return _with_reason(self, request, queryset, service.reinstate_certificate, _("reinstated"))

    @admin.action(description=_("Revoke (with a reason)"), permissions=["change"])
    def revoke(self, request, queryset):
        return _with_reason(self, request, queryset, service.revoke_certificate, _("revoked"))


# Complaints' admin lives with them; importing it registers it.
from .complaints import admin as complaints_admin  # noqa: E402, F401
