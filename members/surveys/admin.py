"""Staff's side of the customer surveys: the instrument of each standard
(frozen with it once published), the classic battery copied in with an
action, and the responses held as a burst, released with an action.
members/admin.py imports this module so that the admin registers it."""

import csv
import io

from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from associations.admin_scoping import AssociationFilter, ScopedAdmin, ScopedTabularInline, run_service_on
from associations.models import Dimension

from ..models import Instrument, SurveyItem, SurveyResponse
from .collect import release_responses
from .instruments import SurveyError, copy_classic_battery
from .queries import association_gaps


class SurveyItemInline(ScopedTabularInline):
    model = SurveyItem
    fields = [
        "number",
        "dimension",
        "text_en",
        "text_ur",
        "text_bn",
        "expectation_en",
        "expectation_ur",
        "expectation_bn",
        "feature_en",
        "feature_ur",
        "feature_bn",
    ]
    extra = 0

    def _can_edit(self, request, obj=None) -> bool:
        # The items of a published or retired standard's survey are frozen.
        if obj is not None and not obj.is_editable:
            return False
        return super()._can_edit(request, obj)


@admin.register(Instrument)
class InstrumentAdmin(ScopedAdmin):
    list_display = [
        "standard",
        "format",
        "importance_split",
        "minimum_sample",
        "gaps_link",
    ]
    list_select_related = ["standard"]
    inlines = [SurveyItemInline]
    actions = ["copy_battery"]

    def association_ids_of(self, obj):
        return [obj.standard.association_id]

    def get_urls(self):
        gaps = path(
            "<int:pk>/gaps/", self.admin_site.admin_view(self.gaps_view), name="members_instrument_gaps"
        )
        return [gaps, *super().get_urls()]

    def gaps_view(self, request, pk):
        """The association's dimension gaps across its members; ?format=csv downloads them."""
        instrument = get_object_or_404(self.get_queryset(request).select_related("standard"), pk=pk)
        rows = association_gaps(instrument)
        if request.GET.get("format") == "csv":
            return _gaps_csv(instrument, rows)
        return TemplateResponse(
            request,
            "admin/members/instrument_gaps.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Customers' gaps across members: %(survey)s") % {"survey": instrument},
                "instrument": instrument,
                "dimensions": Dimension.choices,
                "rows": [(row, [row.gaps.get(value) for value, _label in Dimension.choices]) for row in rows],
            },
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "standard":
            field.queryset = field.queryset.filter(status="draft")  # a survey is set up before publishing
        return field

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_editable:
            return [f.name for f in Instrument._meta.fields if f.name != "id"]
        return ["standard"] if obj is not None else []

    def has_change_permission(self, request, obj=None) -> bool:
        return (obj is None or obj.is_editable) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return (obj is None or obj.is_editable) and super().has_delete_permission(request, obj)

    @admin.display(description=_("Members' gaps"))
    def gaps_link(self, obj):
        url = reverse("admin:members_instrument_gaps", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("view"))

    @admin.action(permissions=["change"], description=_("Copy the classic 22-item SERVQUAL battery"))
    def copy_battery(self, request, queryset):
        run_service_on(
            request, queryset, copy_classic_battery, _("the classic battery was copied"), refused=SurveyError
        )


def _gaps_csv(instrument, rows) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["business", "responses", *Dimension.values])
    for row in rows:
        writer.writerow([row.business, row.n, *[row.gaps.get(value, "") for value in Dimension.values]])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-gaps-{instrument.pk}.csv"'
    return response


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ScopedAdmin):
    """Staff read responses one by one (businesses never do) to moderate
    comments and release bursts."""

    list_display = ["business", "association", "submitted_at", "csat", "nps", "fcr", "held", "comment_hidden"]
    list_filter = [AssociationFilter, "held", "comment_hidden"]
    list_select_related = ["business", "association"]
    fields = [
        "business",
        "association",
        "submitted_at",
        "language",
        "csat",
        "nps",
        "fcr",
        "importance",
        "comment",
        "comment_screened",
        "comment_hidden",
        "held",
        "released_at",
        "released_by",
    ]
    actions = ["release"]

    def get_readonly_fields(self, request, obj=None):
        # Staff moderate (hide a comment, or edit what the business reads); the answers are the customer's.
        return [f for f in self.fields if f not in ("comment_screened", "comment_hidden")]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(permissions=["change"], description=_("Release: count these held responses"))
    def release(self, request, queryset):
        released = release_responses(queryset, actor=request.user)
        self.message_user(request, _("%(count)d responses released.") % {"count": released})
