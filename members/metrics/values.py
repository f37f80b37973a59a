"""Checking what a business reports, once: the month, and each value and
sample size against its KPI's definition. Every way in (the portal's form,
a CSV file, the API) checks here and hands the writer (reports.py) the
CleanValues it made."""

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from associations.models import Association, KpiDefinition

from ..errors import MembersError

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


class CleanValue(NamedTuple):
    """One value as clean_value accepted it, ready to be stored."""

    kpi_id: int
    value: Decimal
    sample_size: int | None


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


def reportable_month(value, *, this_month: datetime.date | None = None) -> datetime.date:
    """The month `value` names, when it may be reported: not one still to
    come. `this_month`: the current month, when the caller checks many."""
    period = month_start(value)
    if period > (this_month or timezone.localdate().replace(day=1)):
        raise ValueProblem(
            _("%(month)s: a month in the future cannot be reported.") % {"month": f"{period:%Y-%m}"}
        )
    return period


def clean_value(kpi: KpiDefinition, value, sample_size) -> CleanValue:
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
    return CleanValue(kpi.pk, number, _clean_sample(kpi, sample_size))


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


def clean_reports(
    reports: Mapping[object, Mapping[str, ValuePair]], kpis: dict[str, KpiDefinition]
) -> dict[datetime.date, list[CleanValue]]:
    """Check values as given ({month: {kpi_code: (value, sample_size)}}), as
    the API and the demo give them; MetricsError lists every bad one."""
    cleaned: dict[datetime.date, list[CleanValue]] = {}
    errors: list[str] = []
    for raw_period, values in reports.items():
        try:
            period = reportable_month(raw_period)
        except ValueProblem as problem:
            errors.append(str(problem))
            continue
        label = f"{period:%Y-%m}"
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
                rows.append(clean_value(kpi, value, sample))
            except ValueProblem as problem:
                errors.append(f"{label}: {problem}")
        if not values:
            errors.append(_("%(month)s: no values given.") % {"month": label})
        cleaned[period] = rows
    if errors:
        raise MetricsError(_("Nothing was saved: some values are not valid."), errors=errors)
    return cleaned
