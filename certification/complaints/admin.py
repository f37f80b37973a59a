"""Complaints in the admin: association staff read them (contact details
included), mediate escalations, record the outcome and whether an upheld
outcome was honoured. Every change goes through the state machine."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from associations.admin_scoping import ScopedAdmin, run_service_on

from ..errors import CertificationError
from ..models import Complaint
from . import services
from .forms import OutcomeForm


@admin.register(Complaint)
class ComplaintAdmin(ScopedAdmin):
    list_display = ["pk", "business", "status", "issue", "received_at", "answer_by", "outcome", "flagged_at"]
    list_filter = ["status", "outcome", "issue"]
    search_fields = ["business__name", "certificate_number"]
    list_select_related = ["business"]
    actions = ["mediate", "close", "mark_honoured"]
    exclude = ["token"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Complaint._meta.fields if f.name not in ("id", "token")]

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # customers file complaints from the public pages

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Take into mediation"), permissions=["change"])
    def mediate(self, request, queryset):
        run_service_on(
            request,
            queryset,
            services.mediate_complaint,
            _("taken into mediation"),
            refused=CertificationError,
        )

    @admin.action(description=_("Close with the mediation's outcome"), permissions=["change"])
    def close(self, request, queryset):
        form = OutcomeForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            run_service_on(
                request,
                queryset,
                services.close_complaint,
                _("closed"),
                refused=CertificationError,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                honour_by=form.cleaned_data["honour_by"],
            )
            return None
        return TemplateResponse(
            request,
            "admin/certification/complaint_outcome.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Close with the mediation's outcome"),
                "form": form,
                "queryset": queryset,
                "action": request.POST.get("action"),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    @admin.action(description=_("Record the upheld outcome as honoured"), permissions=["change"])
    def mark_honoured(self, request, queryset):
        run_service_on(
            request, queryset, services.record_honoured, _("marked honoured"), refused=CertificationError
        )
