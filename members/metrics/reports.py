"""Service metrics: the one writer every way in (portal form, CSV import,
REST API) goes through, and the reads of the KPI dashboard."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from associations.models import ActionLog, Association, KpiDefinition
from associations.services import log_action

from ..models import Business, Membership, MembershipStatus, MetricReport, MetricValue
from ..services import MembersError

# A KPI value fits DecimalField(max_digits=12, decimal_places=2).
MAX_ABS_VALUE = Decimal("9999999999.99")
MAX_SAMPLE_SIZE = 2_147_483_647

ValuePair = tuple[object, object]  # (value, sample_size) as given: str, int, Decimal or None


class MetricsError(MembersError):
    """A refused report. `errors` lists one readable reason per bad value
    (or per month already reported); `existing` names those months."""

    def __init__(self, message: str, *, errors: list[str] | None = None, existing: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        self.existing = existing or []


class ValueProblem(ValueError):
    """One value that cannot be accepted, with the reason."""


@dataclass(frozen=True)
class RecordResult:
    reports: list[MetricReport]
    created: int
    replaced: int
    values: int


def month_start(value) -> datetime.date:
    """The first day of the month, from a date or 'YYYY-MM' / 'YYYY-MM-DD'."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.replace(day=1)
    text = str(value).strip()
    try:
        if len(text) == 7 and text[4] == "-":
            return datetime.date(int(text[:4]), int(text[5:7]), 1)
        if len(text) == 10:
            return datetime.date.fromisoformat(text).replace(day=1)
        raise ValueError(text)
    except ValueError:
        raise ValueProblem(
            _("“%(month)s” is not a month; write it as YYYY-MM, e.g. 2026-03.") % {"month": text}
        ) from None


def clean_value(kpi: KpiDefinition, value, sample_size) -> tuple[Decimal, int | None]:
    """The value and sample size as stored, or ValueProblem saying why not."""
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value).strip() if value is not None else ""
        if not text:
            raise ValueProblem(_("%(kpi)s: a value is required.") % {"kpi": kpi.code})
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueProblem(
                _("%(kpi)s: “%(value)s” is not a number.") % {"kpi": kpi.code, "value": text[:40]}
            ) from None
    if not number.is_finite():
        raise ValueProblem(_("%(kpi)s: the value must be a finite number.") % {"kpi": kpi.code})
    if abs(number) > MAX_ABS_VALUE:
        raise ValueProblem(_("%(kpi)s: the value is too large.") % {"kpi": kpi.code})
    if number != number.quantize(Decimal("0.01")):
        raise ValueProblem(
            _("%(kpi)s: use at most two decimal places (got %(value)s).") % {"kpi": kpi.code, "value": number}
        )
    if number < kpi.min_value or number > kpi.max_value:
        raise ValueProblem(
            _("%(kpi)s: %(value)s is outside the valid range %(min)s to %(max)s %(unit)s.")
            % {
                "kpi": kpi.code,
                "value": plain_number(number),
                "min": plain_number(kpi.min_value),
                "max": plain_number(kpi.max_value),
                "unit": kpi.unit,
            }
        )
    return number, _clean_sample(kpi, sample_size)


def plain_number(number) -> str:
    """100.00 -> "100", 4.50 -> "4.5": how a person writes the number."""
    return f"{Decimal(number).normalize():f}"


def _clean_sample(kpi: KpiDefinition, sample_size) -> int | None:
    text = "" if sample_size is None else str(sample_size).strip()
    if not kpi.has_sample_size:
        if text:
            raise ValueProblem(_("%(kpi)s: this KPI does not take a sample size.") % {"kpi": kpi.code})
        return None
    if not text:
        raise ValueProblem(_("%(kpi)s: a sample size is required.") % {"kpi": kpi.code})
    try:
        size = int(text)
    except ValueError:
        raise ValueProblem(
            _("%(kpi)s: the sample size “%(size)s” is not a whole number.")
            % {"kpi": kpi.code, "size": text[:20]}
        ) from None
    if size < 1:
        raise ValueProblem(_("%(kpi)s: the sample size must be at least 1.") % {"kpi": kpi.code})
    if size > MAX_SAMPLE_SIZE:
        raise ValueProblem(
            _("%(kpi)s: the sample size must be at most %(max)s.")
            % {"kpi": kpi.code, "max": number_format(MAX_SAMPLE_SIZE, force_grouping=True)}
        )
    return size


def kpis_by_code(association: Association) -> dict[str, KpiDefinition]:
    return {kpi.code: kpi for kpi in KpiDefinition.objects.filter(association=association)}


def record_metric_report(
    business: Business,
    *,
    association: Association,
    period,
    values: Mapping[str, ValuePair],
    actor,
    source: str,
    replace: bool = False,
) -> MetricReport:
    """Record one month's values ({kpi_code: (value, sample_size)})."""
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
    reports: Mapping[object, Mapping[str, ValuePair]],
    actor,
    source: str,
    replace: bool = False,
    kpis: dict[str, KpiDefinition] | None = None,
) -> RecordResult:
    """Record several months at once ({period: {kpi_code: (value, sample)}}):
    all of them or none. A month already reported is replaced as a whole,
    and only when `replace` is set. Writes in bulk: a fixed number of
    queries however many months and values."""
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
    kpis = kpis if kpis is not None else kpis_by_code(association)
    cleaned, errors = _clean_reports(reports, kpis)
    if errors:
        raise MetricsError(_("Nothing was saved: some values are not valid."), errors=errors)
    if not cleaned:
        raise MetricsError(_("There is nothing to record."))

    periods = sorted(cleaned)
    existing = {
        report.period: report
        for report in MetricReport.objects.filter(
            business=business, association=association, period__gte=periods[0], period__lte=periods[-1]
        )
        if report.period in cleaned
    }
    if existing and not replace:
        months = [f"{p:%Y-%m}" for p in sorted(existing)]
        raise MetricsError(
            _("These months are already reported: %(months)s. Confirm to replace them.")
            % {"months": ", ".join(months)},
            existing=months,
        )
    now = timezone.now()
    submitted_by = actor if getattr(actor, "is_authenticated", False) else None
    if existing:
        MetricValue.objects.filter(report__in=[r.pk for r in existing.values()]).delete()
        MetricReport.objects.filter(pk__in=[r.pk for r in existing.values()]).update(
            source=source, submitted_by=submitted_by, updated_at=now
        )
    new = MetricReport.objects.bulk_create(
        [
            MetricReport(
                business=business, association=association, period=p, source=source, submitted_by=submitted_by
            )
            for p in periods
            if p not in existing
        ]
    )
    by_period = {**existing, **{r.period: r for r in new}}
    rows = [
        (by_period[period].pk, kpi_id, value, sample)
        for period in periods
        for kpi_id, value, sample in cleaned[period]
    ]
    _insert_values(rows)
    _log_reports(list(existing.values()), "metrics.replaced", actor=actor, source=source)
    _log_reports(new, "metrics.reported", actor=actor, source=source)
    return RecordResult(
        reports=[by_period[p] for p in periods], created=len(new), replaced=len(existing), values=len(rows)
    )


def _insert_values(rows: list[tuple]) -> None:
    """(report_id, kpi_id, value, sample_size) rows. PostgreSQL gets COPY,
    which is several times faster than a bulk INSERT for large imports."""
    if connection.vendor == "postgresql" and len(rows) > 1000:
        meta = MetricValue._meta
        columns = ", ".join(meta.get_field(f).column for f in ("report", "kpi", "value", "sample_size"))
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    MetricValue.objects.bulk_create(
        [MetricValue(report_id=r, kpi_id=k, value=v, sample_size=n) for r, k, v, n in rows], batch_size=5000
    )


def _clean_reports(reports, kpis) -> tuple[dict[datetime.date, list[tuple]], list[str]]:
    cleaned: dict[datetime.date, list[tuple]] = {}
    errors: list[str] = []
    latest = timezone.localdate().replace(day=1)
    for raw_period, values in reports.items():
        try:
            period = month_start(raw_period)
        except ValueProblem as problem:
            errors.append(str(problem))
            continue
        label = f"{period:%Y-%m}"
        if period > latest:
            errors.append(_("%(month)s: a month in the future cannot be reported.") % {"month": label})
            continue
        if period in cleaned:
            errors.append(_("%(month)s: the month is given twice.") % {"month": label})
            continue
        rows = []
        for code, pair in values.items():
            kpi = kpis.get(code)
            if kpi is None:
                errors.append(_("%(month)s: unknown KPI code “%(code)s”.") % {"month": label, "code": code})
                continue
            value, sample = pair if isinstance(pair, tuple | list) else (pair, None)
            try:
                number, size = clean_value(kpi, value, sample)
            except ValueProblem as problem:
                errors.append(f"{label}: {problem}")
                continue
            rows.append((kpi.pk, number, size))
        if not values:
            errors.append(_("%(month)s: no values given.") % {"month": label})
        cleaned[period] = rows
    return cleaned, errors


def _log_reports(reports: list[MetricReport], action: str, *, actor, source: str) -> None:
    if len(reports) == 1:
        log_action(reports[0], action, actor=actor, data={"source": source})
        return
    # A large import would otherwise write one history row per query.
    content_type = ContentType.objects.get_for_model(MetricReport)
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
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
