from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def cleared_auditor_q(user) -> Q:
    """Applications the user audits, in force, and declared no conflict for."""
    from django.db.models import Exists, OuterRef

    from .models import Assignment, Declaration

    cleared = Assignment.objects.current().filter(
        application=OuterRef("pk"), auditor__user=user, declaration=Declaration.NO_CONFLICT
    )
    return Q(Exists(cleared))


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = _("Audits")

    def ready(self):
        from certification import models as certification_models
        from certification import services as certification_services

        from . import services

        # certification never imports audits: audits registers its rules there.
        if cleared_auditor_q not in certification_models.VISIBILITY_HOOKS:
            certification_models.VISIBILITY_HOOKS.append(cleared_auditor_q)
        if services.is_cleared_auditor not in certification_services.REVIEWER_CHECKS:
            certification_services.REVIEWER_CHECKS.append(services.is_cleared_auditor)
