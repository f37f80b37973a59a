from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self):
        # Connects the receivers; signals imports models, which load only
        # once the app registry is ready, so not at this module's import.
        from . import signals  # noqa: F401, PLC0415
