from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AssociationsConfig(AppConfig):
    name = "associations"
    verbose_name = _("Associations")


class StaffAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "associations.admin_scoping.StaffAdminSite"
