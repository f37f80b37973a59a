"""The admin index as the association's dashboard: work queues with counts
(each links to the list filtered to that queue) and a few charts. Each queue
is one condition (a Q) used both to count and to filter its list
(QueueFilter), so the count and the list cannot disagree.

Counting costs one query per model, and each chart one query, whatever the
number of rows."""

import datetime
import json
from statistics import median

from django.contrib import admin
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from associations.admin_scoping import access
from certification.models import (
    Application,
    ApplicationStatus,
    Certificate,
    CertificateStatus,
    ChangeRequest,
)
from members.models import ImportStatus, Invitation, MetricImportJob
from members.services import INVITATION_MAX_AGE

from .models import Assignment
from .services import ASSIGNABLE

S = ApplicationStatus
UNANSWERED_DAYS = 14
EXPIRING_DAYS = 90


# --- the queues ----------------------------------------------------------------


def application_queues() -> dict[str, tuple[str, Q]]:
    today, now = timezone.localdate(), timezone.now()
    active = Assignment.objects.filter(application=OuterRef("pk"), ended_at=None)
    overdue = active.filter(due_date__lt=today).filter(
        Q(scorecard__isnull=True) | Q(scorecard__submitted_at=None)
    )
    stale_requests = ChangeRequest.objects.filter(
        application=OuterRef("pk"),
        resolved_at=None,
        requested_at__lte=now - datetime.timedelta(days=UNANSWERED_DAYS),
    )
    return {
        "waiting_for_auditor": (
            _("Applications waiting for an auditor"),
            Q(status__in=ASSIGNABLE) & ~Q(Exists(active)),
        ),
        "audits_overdue": (
            _("Audits overdue"),
            Q(status__in=(S.SUBMITTED, S.IN_REVIEW)) & Q(Exists(overdue)),
        ),
        "awaiting_decision": (_("Scored, waiting for a decision"), Q(status=S.SCORED)),
        "changes_unanswered": (
            _("Change requests unanswered for 14+ days"),
            Q(status=S.CHANGES_REQUESTED) & Q(Exists(stale_requests)),
        ),
    }


def certificates_under_watch() -> Q:
    """Certificates that need staff's eye: suspended ones, and active ones
    surveillance put under watch (certification/live.py)."""
    under_watch = Q(status=CertificateStatus.ACTIVE, watch_since__isnull=False)
    return Q(status=CertificateStatus.SUSPENDED) | under_watch


def certificate_queues() -> dict[str, tuple[str, Q]]:
    today = timezone.localdate()
    return {
        "expiring": (
            _("Certificates expiring in 90 days"),
            Q(
                status=CertificateStatus.ACTIVE,
                valid_until__gte=today,
                valid_until__lte=today + datetime.timedelta(days=EXPIRING_DAYS),
            ),
        ),
        "under_watch": (_("Certificates suspended or under watch"), certificates_under_watch()),
    }


def import_queues() -> dict[str, tuple[str, Q]]:
    return {"failed_imports": (_("Failed metric imports"), Q(status=ImportStatus.FAILED))}


def invitation_queues() -> dict[str, tuple[str, Q]]:
    sent_since = timezone.now() - datetime.timedelta(seconds=INVITATION_MAX_AGE)
    return {"pending": (_("Invitations pending"), Q(accepted_at=None, created_at__gte=sent_since))}


# model -> its queues, for the dashboard and the lists' filter
QUEUES_OF = {
    Application: application_queues,
    Certificate: certificate_queues,
    MetricImportJob: import_queues,
    Invitation: invitation_queues,
}


class QueueFilter(admin.SimpleListFilter):
    """A list's work queues, as linked from the dashboard."""

    title = _("work queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [(name, label) for name, (label, _q) in QUEUES_OF[model_admin.model]().items()]

    def queryset(self, request, queryset):
        queues = QUEUES_OF[queryset.model]()
        if self.value() in queues:
            return queryset.filter(queues[self.value()][1])
        return queryset


# --- counting and charting -----------------------------------------------------


def _scoped(model, request):
    rows = model.objects.all()
    if access(request).is_superuser:
        return rows
    return rows.filter(association_id__in=access(request).association_ids)


def work_queues(request) -> list[dict]:
    """Every queue with its count and the link to its list: one query per model."""
    queues = []
    for model, queues_of in QUEUES_OF.items():
        defined = queues_of()
        counts = _scoped(model, request).aggregate(
            **{name: Count("pk", filter=q) for name, (_label, q) in defined.items()}
        )
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        queues.extend(
            {"name": name, "label": label, "count": counts[name], "url": f"{changelist}?queue={name}"}
            for name, (label, _q) in defined.items()
        )
    return queues


def _months(today: datetime.date) -> list[datetime.date]:
    """The first days of the last 12 months, oldest first."""
    first = today.replace(day=1)
    months = []
    for _i in range(12):
        months.append(first)
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    return months[::-1]


def _month_key(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def applications_by_state(request, months) -> dict:
    """Applications started each month, by the state they are in now."""
    rows = (
        _scoped(Application, request)
        .filter(created_at__date__gte=months[0])
        .annotate(month=TruncMonth("created_at"))
        .values("month", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {(_month_key(r["month"]), r["status"]): r["n"] for r in rows}
    datasets = [
        {"label": str(label), "data": [counts.get((m, status), 0) for m in months]}
        for status, label in S.choices
        if any(counts.get((m, status)) for m in months)
    ]
    return {"labels": [date_format(m, "M Y") for m in months], "datasets": datasets}


def level_mix(request) -> dict:
    """Valid certificates by the level printed on them."""
    rows = (
        _scoped(Certificate, request)
        .filter(status=CertificateStatus.ACTIVE)
        .values("level_name")
        .annotate(n=Count("pk"))
        .order_by("level_name")
    )
    rows = list(rows)
    return {
        "labels": [r["level_name"] for r in rows],
        "datasets": [{"label": str(_("Valid certificates")), "data": [r["n"] for r in rows]}],
    }


def decision_days(request, months) -> dict:
    """The median days from submission to decision, per month of decision."""
    decided = (
        _scoped(Application, request)
        .filter(decided_at__date__gte=months[0], submitted_at__isnull=False)
        .values_list("submitted_at", "decided_at")
    )
    per_month = {}
    for submitted, decided_at in decided:
        month = timezone.localtime(decided_at).date().replace(day=1)
        per_month.setdefault(month, []).append((decided_at - submitted).total_seconds() / 86400)
    return {
        "labels": [date_format(m, "M Y") for m in months],
        "datasets": [
            {
                "label": str(_("Median days from submission to decision")),
                "data": [round(median(per_month[m]), 1) if m in per_month else None for m in months],
            }
        ],
    }


def dashboard_callback(request, context: dict) -> dict:
    """unfold's DASHBOARD_CALLBACK: what templates/admin/index.html shows."""
    months = _months(timezone.localdate())
    context.update(
        queues=work_queues(request),
        chart_states=json.dumps(applications_by_state(request, months)),
        chart_stacked=json.dumps({"scales": {"x": {"stacked": True}, "y": {"stacked": True}}}),
        chart_levels=json.dumps(level_mix(request)),
        chart_days=json.dumps(decision_days(request, months)),
    )
    return context
