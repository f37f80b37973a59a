"""The one writer of service metrics: every way in (the portal's form, a CSV
import, the API) records checked values (values.py) through it."""

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import ActionLog, Association, KpiSource
from associations.services import log_action

from ..models import Business, Membership, MembershipStatus, MetricReport, MetricValue
from .values import CleanValue, MetricsError


@dataclass(frozen=True)
class RecordResult:
    reports: list[MetricReport]
    created: int
    replaced: int
    values: int


def record_metric_report(
    business: Business,
    *,
    association: Association,
    period: datetime.date,
    values: list[CleanValue],
    actor,
    source: str,
    replace: bool = False,
) -> MetricReport:
    """Record one month's values."""
    result = record_metric_reports(
        business,
        association=association,
        reports={period: values},
        actor=actor,
        source=source,
        replace=replace,
    )
    return result.reports[0]


@transaction.atomic
def record_metric_reports(
    business: Business,
    *,
    association: Association,
    reports: Mapping[datetime.date, list[CleanValue]],
    actor,
    source: str,
    replace: bool = False,
) -> RecordResult:
    """Record several months at once ({month: [value, ...]}), values that
    values.py checked: all of them or none. A month already reported is
    replaced as a whole, and only when `replace` is set. Writes in bulk: a
    fixed number of queries however many months and values."""
    # The lock serialises imports for one membership, so two uploads of the
    # same month cannot race past the "already reported" check.
    membership = (
        Membership.objects.select_for_update().filter(business=business, association=association).first()
    )
    if membership is None:
        raise MetricsError(
            _("%(business)s is not a member of %(association)s.")
            % {"business": business, "association": association}
        )
    if membership.status != MembershipStatus.ACTIVE:
        raise MetricsError(
            _("The membership is %(status)s; metrics cannot be reported.")
            % {"status": membership.get_status_display().lower()}
        )
    if not reports:
        raise MetricsError(_("There is nothing to record."))

    periods = sorted(reports)
    # A month may already have a report holding only values computed from
    # customer responses or complaints: the business has not reported it yet,
    # so its values go into that report, and replacing touches only theirs.
    present = {
        report.period: report
        for report in MetricReport.objects.filter(
            business=business, association=association, period__gte=periods[0], period__lte=periods[-1]
        ).annotate(
            reported=Exists(MetricValue.objects.filter(report=OuterRef("pk"), source=KpiSource.REPORTED))
        )
        if report.period in reports
    }
    existing = {period: report for period, report in present.items() if report.reported}
    if existing and not replace:
        months = [f"{p:%Y-%m}" for p in sorted(existing)]
        raise MetricsError(
            _("These months are already reported: %(months)s. Confirm to replace them.")
            % {"months": ", ".join(months)},
            existing=months,
        )
    now = timezone.now()
    submitted_by = actor if getattr(actor, "is_authenticated", False) else None
    if present:
        MetricValue.objects.filter(
            report__in=[r.pk for r in present.values()], source=KpiSource.REPORTED
        ).delete()
        MetricReport.objects.filter(pk__in=[r.pk for r in present.values()]).update(
            source=source, submitted_by=submitted_by, updated_at=now
        )
    new = _create_reports(
        [
            MetricReport(
                business=business,
                association=association,
                period=p,
                source=source,
                submitted_by=submitted_by,
                created_at=now,
                updated_at=now,
            )
            for p in periods
            if p not in present
        ]
    )
    by_period = {**present, **{r.period: r for r in new}}
    rows = [
        (by_period[period].pk, value.kpi_id, value.value, value.sample_size)
        for period in periods
        for value in reports[period]
    ]
    _insert_values(rows)
    _log_reports(list(existing.values()), "metrics.replaced", actor=actor, source=source)
    first_reported = new + [r for p, r in present.items() if p not in existing]
    _log_reports(first_reported, "metrics.reported", actor=actor, source=source)
    return RecordResult(
        reports=[by_period[p] for p in periods],
        created=len(first_reported),
        replaced=len(existing),
        values=len(rows),
    )


# Above this many rows PostgreSQL gets COPY, several times faster than a
# bulk INSERT (and than building a model instance per row).
COPY_ABOVE = 1000


def _copy(model, fields: tuple[str, ...], rows=(), *, text: str = "") -> None:
    """COPY rows (tuples in the order of `fields`), or COPY's text format,
    into the model's table."""
    meta = model._meta
    columns = ", ".join(connection.ops.quote_name(meta.get_field(f).column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        if text:
            copy.write(text)
        for row in rows:
            copy.write_row(row)


def _create_reports(reports: list[MetricReport]) -> list[MetricReport]:
    """bulk_create, or on PostgreSQL for many: ids taken from the table's
    sequence first, then COPY."""
    if connection.vendor != "postgresql" or len(reports) <= COPY_ABOVE:
        return MetricReport.objects.bulk_create(reports)
    table = MetricReport._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(reports)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    for report, pk in zip(reports, ids, strict=True):
        report.pk = pk
        report._state.adding = False
    fields = ("id", "business", "association", "period", "source", "submitted_by", "created_at", "updated_at")
    _copy(
        MetricReport,
        fields,
        (
            (
                r.pk,
                r.business_id,
                r.association_id,
                r.period,
                r.source,
                r.submitted_by_id,
                r.created_at,
                r.updated_at,
            )
            for r in reports
        ),
    )
    return reports


def _insert_values(rows: list[tuple]) -> None:
    """(report_id, kpi_id, value, sample_size) rows."""
    if connection.vendor == "postgresql" and len(rows) > COPY_ABOVE:
        # Numbers only, nothing to escape: COPY's text format built here in
        # one piece is several times faster than formatting row by row.
        null = "\\N"
        text = "".join(f"{r}\t{k}\t{v}\t{null if n is None else n}\n" for r, k, v, n in rows)
        _copy(MetricValue, ("report", "kpi", "value", "sample_size"), text=text)
        return
    MetricValue.objects.bulk_create(
        [MetricValue(report_id=r, kpi_id=k, value=v, sample_size=n) for r, k, v, n in rows], batch_size=5000
    )


def _log_reports(reports: list[MetricReport], action: str, *, actor, source: str) -> None:
    if len(reports) == 1:
        log_action(reports[0], action, actor=actor, data={"source": source})
        return
    # A large import would otherwise write one history row per query.
    content_type = ContentType.objects.get_for_model(MetricReport)
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    if connection.vendor == "postgresql" and len(reports) > COPY_ABOVE:
        fields = ("association", "content_type", "object_id", "action", "actor", "data", "created_at")
        data, now = json.dumps({"source": source}), timezone.now()
        _copy(
            ActionLog,
            fields,
            ((r.association_id, content_type.pk, r.pk, action, actor_id, data, now) for r in reports),
        )
        return
    ActionLog.objects.bulk_create(
        [
            ActionLog(
                association_id=r.association_id,
                content_type=content_type,
                object_id=r.pk,
                action=action,
                actor_id=actor_id,
                data={"source": source},
            )
            for r in reports
        ],
        batch_size=2000,
    )
