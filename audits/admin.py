from django.contrib import admin

from associations.admin_scoping import ScopedAdmin, editable_associations

from .models import AuditorProfile


@admin.register(AuditorProfile)
class AuditorProfileAdmin(ScopedAdmin):
    list_display = ["user", "is_active", "created_at"]
    search_fields = ["user__email", "user__name"]
    filter_horizontal = ["associations"]
    readonly_fields = ["user"]

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser  # auditors join through an invitation

    def _can_edit(self, request, obj=None):
        if request.user.is_superuser:
            return True
        editable = editable_associations(request)
        if obj is None:
            return editable.exists()
        return obj.associations.filter(pk__in=editable).exists()

    def save_related(self, request, form, formsets, change):
        # The form offers only the associations this user edits; keep the
        # ones it could not show, or saving would silently remove them.
        hidden = []
        if change and not request.user.is_superuser:
            hidden = list(form.instance.associations.exclude(pk__in=editable_associations(request)))
        super().save_related(request, form, formsets, change)
        form.instance.associations.add(*hidden)
