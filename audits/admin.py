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
