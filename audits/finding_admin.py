"""Staff's list of findings across their association (read only: findings
change through the auditors' and the business's pages)."""

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.admin_scoping import ScopedAdmin, access
from associations.models import Criterion
from members.models import Business

from .models import AWAITING_BUSINESS, UNRESOLVED, Finding


class UnresolvedFilter(admin.SimpleListFilter):
    title = _("open")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("Open (not closed)")), ("overdue", _("Overdue"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status__in=UNRESOLVED)
        if self.value() == "overdue":
            return queryset.filter(status__in=AWAITING_BUSINESS, due_date__lt=timezone.localdate())
        return queryset


def _associations(request):
    return None if request.user.is_superuser else access(request).association_ids


class CriterionFilter(admin.SimpleListFilter):
    """By criterion code, offering only the association's own criteria."""

    title = _("criterion")
    parameter_name = "criterion"

    def lookups(self, request, model_admin):
        criteria = Criterion.objects.all()
        if (ids := _associations(request)) is not None:
            criteria = criteria.filter(standard__association__in=ids)
        codes = criteria.order_by("code").values_list("code", flat=True).distinct()
        return [(code, code) for code in codes]

    def queryset(self, request, queryset):
        return queryset.filter(criterion__code=self.value()) if self.value() else queryset


class BusinessFilter(admin.SimpleListFilter):
    title = _("business")
    parameter_name = "business"

    def lookups(self, request, model_admin):
        businesses = Business.objects.all()
        if (ids := _associations(request)) is not None:
            businesses = businesses.filter(Q(memberships__association__in=ids)).distinct()
        return [(str(b.pk), b.name) for b in businesses.order_by("name")]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(application__business_id=int(self.value()))
        return queryset


@admin.register(Finding)
class FindingAdmin(ScopedAdmin):
    list_display = ["__str__", "business", "statement_short", "status", "due_date", "overdue"]
    list_filter = [UnresolvedFilter, "grade", "status", CriterionFilter, BusinessFilter]
    list_select_related = ["criterion", "application__business"]
    search_fields = ["statement", "application__business__name"]
    fields = [
        "application",
        "criterion",
        "grade",
        "status",
        "statement",
        "requirement",
        "deadline",
        "due_date",
        "merged_into",
        "merge_rationale",
        "verified_at",
        "verified_by",
    ]
    readonly_fields = fields

    @admin.display(description=_("business"), ordering="application__business__name")
    def business(self, obj):
        return obj.application.business.name

    @admin.display(description=_("statement"))
    def statement_short(self, obj):
        return obj.statement[:80]

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
