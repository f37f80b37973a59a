"""Reads of findings for the auditor pages, the portal and the report: each
owns its joins and makes the same number of queries however many rows."""

from django.db.models import Prefetch

from certification.models import Application

from .models import CorrectiveAction, Finding


def findings_of(application: Application, user) -> list[Finding]:
    """The application's findings `user` may see, with every answer (and
    its evidence) and the finding's own evidence."""
    return list(
        Finding.objects.visible_to(user)
        .filter(application=application)
        .select_related("criterion", "application", "assignment__auditor__user", "merged_into", "verified_by")
        .prefetch_related(
            "evidence",
            Prefetch(
                "answers",
                queryset=CorrectiveAction.objects.select_related("submitted_by", "reviewed_by")
                .prefetch_related("evidence")
                .order_by("version"),
            ),
        )
        .order_by("criterion__order", "criterion__code", "pk")
    )
