"""The CSV format of metric imports: the template a business fills in, and
the parser that checks every line of a file and turns the good ones into
the writer's CleanValues (values.py checks each one)."""

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import KpiDefinition

from .values import ValueProblem, clean_value, reportable_month

COLUMNS = ("month", "kpi_code", "value", "sample_size")
REQUIRED_COLUMNS = ("month", "kpi_code", "value")
# How often a parse reports its progress (import_jobs beats its heart then).
PROGRESS_EVERY = 10_000
# Enough to see what is wrong with a file; a file that is wrong on every
# line would otherwise store one reason per line in one row and one page.
MAX_LISTED_ERRORS = 200


@dataclass
class ParsedCsv:
    reports: dict = field(default_factory=dict)  # {date: [CleanValue, ...]}: for the writer as they are
    errors: list = field(default_factory=list)  # [{"line": n, "reason": "..."}], the first MAX_LISTED_ERRORS
    more_errors: int = 0  # lines with an error beyond those listed
    rows: int = 0

    def add_error(self, line: int, reason: str) -> None:
        if len(self.errors) < MAX_LISTED_ERRORS:
            self.errors.append({"line": line, "reason": reason})
        else:
            self.more_errors += 1


def nul_refusal(data: bytes) -> tuple[int, str] | None:
    """(line, reason) when the file holds a NUL byte: no CSV text has one,
    and PostgreSQL can store it in neither text nor JSON."""
    position = data.find(b"\x00")
    if position < 0:
        return None
    line = data.count(b"\n", 0, position) + 1
    return line, _(
        "Line %(line)d contains a NUL character, which a CSV file cannot hold. "
        "Save the file again as CSV UTF-8 and upload it."
    ) % {"line": line}


def template_csv(kpis: list[KpiDefinition], month: datetime.date) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for kpi in kpis:
        writer.writerow([f"{month:%Y-%m}", kpi.code, "", "" if kpi.has_sample_size else "-"])
    # A dash marks "no sample size" for the person filling it in; the parser
    # accepts it as empty.
    return out.getvalue()


def parse_metric_csv(data: bytes, kpis: dict[str, KpiDefinition], *, progress=None) -> ParsedCsv:
    """Every value of the file, or every bad line with its number and reason."""
    parsed = ParsedCsv()
    if refusal := nul_refusal(data):
        parsed.add_error(*refusal)
        return parsed
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        parsed.add_error(1, _("The file is not UTF-8 text. Save it as CSV UTF-8."))
        return parsed
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    positions = _header_positions(header, parsed)
    if positions is None:
        return parsed
    i_month, i_code, i_value, i_sample = positions
    width = len(header)
    # Decimal commas come with semicolon files (spreadsheets in many locales).
    decimal_comma = delimiter == ";"
    months: dict[str, object] = {}  # each month's text read once: a date, or why it is refused
    this_month = timezone.localdate().replace(day=1)
    seen: dict[tuple, int] = {}
    reports = parsed.reports
    add_error = parsed.add_error
    for row in reader:
        line = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        parsed.rows += 1
        if progress and parsed.rows % PROGRESS_EVERY == 0:
            progress(parsed.rows)
        if len(row) != width:
            add_error(
                line,
                _("Expected %(expected)d columns, found %(found)d.") % {"expected": width, "found": len(row)},
            )
            continue
        raw_month = row[i_month].strip()
        period = months.get(raw_month)
        if period is None:
            try:
                period = reportable_month(raw_month, this_month=this_month)
            except ValueProblem as problem:
                period = str(problem)
            months[raw_month] = period
        if isinstance(period, str):
            add_error(line, period)
            continue
        code = row[i_code].strip()
        kpi = kpis.get(code)
        if kpi is None:
            add_error(line, _("Unknown KPI code “%(code)s”.") % {"code": code[:40]})
            continue
        value = row[i_value].strip()
        if decimal_comma:
            value = value.replace(",", ".")
        sample = row[i_sample].strip() if i_sample is not None else ""
        if sample == "-":
            sample = ""
        try:
            cleaned = clean_value(kpi, value, sample)
        except ValueProblem as problem:
            add_error(line, str(problem))
            continue
        key = (period, code)
        first = seen.get(key)
        if first is not None:
            add_error(
                line,
                _("%(month)s %(code)s is already given on line %(first)d.")
                % {"month": raw_month, "code": code, "first": first},
            )
            continue
        seen[key] = line
        month_values = reports.get(period)
        if month_values is None:
            month_values = reports[period] = []
        month_values.append(cleaned)
    if parsed.rows == 0 and not parsed.errors:
        parsed.add_error(2, _("The file has a header but no values."))
    return parsed


def _header_positions(header, parsed: ParsedCsv):
    names = [(name or "").strip().lower() for name in header or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    unknown = [n for n in names if n not in COLUMNS]
    if missing or unknown or len(set(names)) != len(names):
        parsed.add_error(
            1,
            _("The header must be %(expected)s (found: %(found)s).")
            % {"expected": ",".join(COLUMNS), "found": ",".join(names)[:120] or _("nothing")},
        )
        return None
    sample = names.index("sample_size") if "sample_size" in names else None
    return names.index("month"), names.index("kpi_code"), names.index("value"), sample


def count_rows(data: bytes) -> int:
    return max(data.count(b"\n") + (0 if data.endswith(b"\n") else 1) - 1, 0)
