from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = _("Certification")

    def ready(self):
        # The members dashboard shows applications and certificates without
        # members importing certification.
        from members.portal_views import DASHBOARD_SECTIONS

        from .portal_views import dashboard_section

        if dashboard_section not in DASHBOARD_SECTIONS:
            DASHBOARD_SECTIONS.append(dashboard_section)
