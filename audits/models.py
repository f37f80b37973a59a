"""Auditors and their work: profiles now; assignments, scorecards and
recommendations build on them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from associations.models import Association


class AuditorProfileQuerySet(models.QuerySet):
    def for_association(self, association):
        return self.filter(associations=association)

    def administered_by(self, user):
        return self.filter(associations__in=Association.objects.administered_by(user)).distinct()

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return (self.filter(user=user) | self.administered_by(user)).distinct()


class AuditorProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auditor_profile"
    )
    associations = models.ManyToManyField(
        Association, related_name="auditors", verbose_name=_("audits for"), blank=True
    )
    expertise = models.TextField(_("expertise"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AuditorProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("auditor")
        verbose_name_plural = _("auditors")

    def __str__(self) -> str:
        return str(self.user)
