from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AssociationsConfig(AppConfig):
    name = "associations"
    verbose_name = _("Associations")

    def ready(self):
        # Both import the admin and unfold's template tags: not before the apps are ready.
        from unfold.templatetags import unfold_list  # noqa: PLC0415

        from .admin_scoping import headers_once_per_list  # noqa: PLC0415

        if not hasattr(unfold_list.result_headers, "__wrapped__"):
            unfold_list.result_headers = headers_once_per_list(unfold_list.result_headers)


class StaffAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "associations.admin_scoping.StaffAdminSite"
