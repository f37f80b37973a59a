"""Writes with rules for the association's programme, and the one history
writer every app uses."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ActionLog, CodeOfConduct, Criterion, PublicationStatus, Standard


class AssociationError(Exception):
    """A broken rule, with a message the user can read."""


def log_action(obj, action: str, *, actor, data: dict | None = None) -> ActionLog:
    """Record what happened to `obj` in the append-only history."""
    association_id = getattr(obj, "association_id", None)
    return ActionLog.objects.create(
        association_id=association_id,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        data=data or {},
    )


def every_language(obj, *fields: str) -> dict[str, str | None]:
    """The text of `fields` in every language, for a copy that keeps them
    all (assigning `name` alone would set only the active language's)."""
    return {
        f"{field}_{code}": getattr(obj, f"{field}_{code}")
        for field in fields
        for code, _name in settings.LANGUAGES
    }


@transaction.atomic
def publish_code_of_conduct(code: CodeOfConduct, *, actor) -> CodeOfConduct:
    code = CodeOfConduct.objects.select_for_update().get(pk=code.pk)
    if code.status != PublicationStatus.DRAFT:
        raise AssociationError(_("Only a draft can be published."))
    superseded = CodeOfConduct.objects.filter(
        association=code.association_id, status=PublicationStatus.PUBLISHED
    ).update(status=PublicationStatus.RETIRED)
    code.status = PublicationStatus.PUBLISHED
    code.published_at = timezone.now()
    code.save(update_fields=["status", "published_at"])
    log_action(code, "code.published", actor=actor, data={"superseded": superseded})
    return code


@transaction.atomic
def new_code_version(code: CodeOfConduct, *, actor) -> CodeOfConduct:
    """A draft copy of a published code, to change and publish in its place."""
    versions = CodeOfConduct.objects.select_for_update().filter(association=code.association_id)
    if versions.filter(status=PublicationStatus.DRAFT).exists():
        raise AssociationError(_("A draft version already exists: change that one."))
    latest = versions.order_by("-version").first()
    draft = CodeOfConduct.objects.create(
        association_id=code.association_id,
        version=latest.version + 1,
        **every_language(code, "title", "body"),
    )
    log_action(draft, "code.drafted", actor=actor, data={"from_version": code.version})
    return draft


@transaction.atomic
def publish_standard(standard: Standard, *, actor) -> Standard:
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    if standard.status != PublicationStatus.DRAFT:
        raise AssociationError(_("Only a draft standard can be published."))
    if not standard.criteria.exists():
        raise AssociationError(_("A standard needs at least one criterion before it is published."))
    # A new version takes the place of the one published before it; what was
    # applied for under the old version keeps pointing at it.
    superseded = (
        Standard.objects.filter(standard.same_standard(), status=PublicationStatus.PUBLISHED)
        .exclude(pk=standard.pk)
        .update(status=PublicationStatus.RETIRED)
    )
    standard.status = PublicationStatus.PUBLISHED
    standard.published_at = timezone.now()
    standard.save(update_fields=["status", "published_at"])
    log_action(standard, "standard.published", actor=actor, data={"superseded": superseded})
    return standard


@transaction.atomic
def retire_standard(standard: Standard, *, actor) -> Standard:
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    if standard.status != PublicationStatus.PUBLISHED:
        raise AssociationError(_("Only a published standard can be retired."))
    standard.status = PublicationStatus.RETIRED
    standard.save(update_fields=["status"])
    log_action(standard, "standard.retired", actor=actor)
    return standard


@transaction.atomic
def new_standard_version(standard: Standard, *, actor) -> Standard:
    """A draft copy, criteria included, to change and publish."""
    versions = Standard.objects.select_for_update().filter(standard.same_standard())
    if versions.filter(status=PublicationStatus.DRAFT).exists():
        raise AssociationError(_("A draft version of this standard already exists: change that one."))
    latest = versions.order_by("-version").first()
    draft = Standard.objects.create(
        association_id=standard.association_id,
        version=latest.version + 1,
        **every_language(standard, "name", "description"),
    )
    criteria = list(standard.criteria.all())
    for criterion in criteria:
        criterion.pk = None
        criterion.standard = draft
    Criterion.objects.bulk_create(criteria)
    log_action(draft, "standard.drafted", actor=actor, data={"from_version": standard.version})
    return draft
