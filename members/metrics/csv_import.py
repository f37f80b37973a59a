"""CSV import of service metrics: the whole file is checked before anything
is written, then every month goes through `record_metric_reports` at once.
Small files are processed in the request, large ones by a Celery task."""

import csv
import datetime
import io
import logging
import secrets
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association, KpiDefinition
from associations.services import log_action
from config.celery import REQUEUE_AFTER, TRANSIENT_ERRORS, stamp_queued

from ..models import Business, ImportStatus, MetricImportJob
from .reports import MetricsError, ValueProblem, clean_value, kpis_by_code, month_start, record_metric_reports

logger = logging.getLogger(__name__)

COLUMNS = ("month", "kpi_code", "value", "sample_size")
REQUIRED_COLUMNS = ("month", "kpi_code", "value")
PROGRESS_EVERY = 10_000
# A running import beats its heart every PROGRESS_EVERY rows it parses (well
# under a second apart); the write at the end is one transaction of a few
# seconds, during which the job row is locked. A claim whose heart stopped
# this long ago was left by a dead worker.
STALE_AFTER = datetime.timedelta(seconds=60)
# Enough to see what is wrong with a file; a file that is wrong on every
# line would otherwise store one reason per line in one row and one page.
MAX_LISTED_ERRORS = 200


@dataclass
class ParsedCsv:
    reports: dict = field(default_factory=dict)  # {date: {kpi_code: (Decimal, int | None)}}
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
    latest = timezone.localdate().replace(day=1)
    months: dict[str, object] = {}
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
            period = months[raw_month] = _parse_month(raw_month, latest)
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
            month_values = reports[period] = {}
        month_values[code] = cleaned
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


def _parse_month(text: str, latest: datetime.date):
    """A date, or the reason (a str) the month is refused."""
    try:
        period = month_start(text)
    except ValueProblem as problem:
        return str(problem)
    if period > latest:
        return _("%(month)s: a month in the future cannot be reported.") % {"month": text}
    return period


def count_rows(data: bytes) -> int:
    return max(data.count(b"\n") + (0 if data.endswith(b"\n") else 1) - 1, 0)


def start_metric_import(
    business: Business, *, association: Association, upload: UploadedFile, actor
) -> MetricImportJob:
    """Store the upload and process it: now when small, in a task when large."""
    if upload.size > settings.METRIC_IMPORT_MAX_BYTES:
        raise MetricsError(
            _("The file is larger than %(mb)d MB.")
            % {"mb": settings.METRIC_IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    if not business.memberships.filter(association=association).exists():
        raise MetricsError(
            _("%(business)s is not a member of %(association)s.")
            % {"business": business, "association": association}
        )
    data = upload.read()
    upload.seek(0)
    # Refused before anything is stored: no job, no file.
    if refusal := nul_refusal(data):
        raise MetricsError(refusal[1])
    original_name = _printable(upload.name or "")[:200]
    job = MetricImportJob(
        business=business,
        association=association,
        original_name=original_name,
        created_by=actor,
        total_rows=count_rows(data),
        queued_at=timezone.now(),
    )
    # The stored name is ours; the person's file name is kept only as data.
    _store_upload(job, upload, f"{secrets.token_hex(16)}.csv")
    try:
        with transaction.atomic():
            job.save()
            log_action(job, "metrics.import_started", actor=actor, data={"rows": job.total_rows})
    except Exception:
        job.file.storage.delete(job.file.name)
        raise
    return _dispatch(job)


def _printable(name: str) -> str:
    return "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")


def _store_upload(job: MetricImportJob, upload: UploadedFile, name: str) -> None:
    try:
        job.file.save(name, upload, save=False)
    except Exception:
        # Any storage failure (a full or read-only disk, an object store
        # refusing): the storage leaves no partial file, the person is told.
        logger.exception("could not store the metric import upload")
        raise MetricsError(
            _("The file could not be stored just now. Nothing was imported; please try again later.")
        ) from None


def confirm_metric_import(job: MetricImportJob, *, actor) -> MetricImportJob:
    """Re-run an import that found months already reported, replacing them."""
    with transaction.atomic():
        claimed = MetricImportJob.objects.filter(pk=job.pk, status=ImportStatus.NEEDS_CONFIRMATION).update(
            status=ImportStatus.QUEUED,
            replace=True,
            processed_rows=0,
            finished_at=None,
            claim="",
            queued_at=timezone.now(),
        )
        if not claimed:
            raise MetricsError(_("This import is not waiting for a confirmation."))
        job.refresh_from_db()
        log_action(job, "metrics.import_confirmed", actor=actor, data={"months": job.existing_months})
    return _dispatch(job)


def _dispatch(job: MetricImportJob) -> MetricImportJob:
    """The job row is committed before this: if the broker is down (or the
    request dies), the sweep finds the job queued and queues it again."""
    if job.total_rows > settings.METRIC_IMPORT_SYNC_MAX_ROWS:
        # tasks imports this module to run the job: the cycle is cut here.
        from ..tasks import process_metric_import

        process_metric_import.delay_on_commit(job_id=job.pk)
        return job
    process_import_job(job.pk, claim=f"request-{secrets.token_hex(8)}")
    job.refresh_from_db()
    return job


class ClaimLost(Exception):
    """Another worker took the job over (this one was taken for dead)."""


def process_import_job(job_id: int, *, claim: str) -> MetricImportJob | None:
    """Claim the job and run it; None when there is nothing to do. Safe to
    call twice: only one claim wins, and the import itself is all or
    nothing. `claim` is the task's id: a redelivered task (its worker died)
    takes its own claim back at once; another one waits until the claim's
    heartbeat is older than STALE_AFTER."""
    now = timezone.now()
    claimable = (
        Q(status=ImportStatus.QUEUED)
        | Q(status=ImportStatus.RUNNING, claim=claim)
        | Q(status=ImportStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
        | Q(status=ImportStatus.RUNNING, heartbeat_at=None)
    )
    claimed = MetricImportJob.objects.filter(claimable, pk=job_id).update(
        status=ImportStatus.RUNNING, started_at=now, claim=claim, heartbeat_at=now
    )
    if not claimed:
        return None
    job = MetricImportJob.objects.select_related("business", "association", "created_by").get(pk=job_id)
    try:
        _run(job)
    except ClaimLost:
        logger.warning("metric import %s was taken over by another worker; this run stops", job_id)
        return None
    except Exception as error:
        if isinstance(error, TRANSIENT_ERRORS) and not isinstance(error, FileNotFoundError):
            # The database or the disk hiccupped: the job stays claimed, and
            # the task's retry (same id) or the sweep takes it back.
            raise
        _finish(job, ImportStatus.FAILED, errors=[{"line": 0, "reason": _("The import failed. Try again.")}])
        raise
    return job


def _run(job: MetricImportJob) -> None:
    with job.file.open("rb") as handle:
        data = handle.read()
    kpis = kpis_by_code(job.association)

    def progress(rows: int) -> None:
        # The heartbeat: a job whose heart stopped is taken over.
        if not _mine(job).update(processed_rows=rows, heartbeat_at=timezone.now()):
            raise ClaimLost

    parsed = parse_metric_csv(data, kpis, progress=progress)
    if parsed.errors:
        finished = _finish(
            job,
            ImportStatus.INVALID,
            errors=parsed.errors,
            more_errors=parsed.more_errors,
            processed_rows=parsed.rows,
        )
        if finished:
            _discard_file(job)
        return
    with transaction.atomic():
        # Held until the import commits: a worker that would take this job
        # over waits here, then finds it finished.
        if not list(_mine(job).select_for_update().values_list("pk", flat=True)):
            raise ClaimLost
        try:
            result = record_metric_reports(
                job.business,
                association=job.association,
                reports=parsed.reports,
                actor=job.created_by,
                source="csv",
                replace=job.replace,
                kpis=kpis,
            )
        except MetricsError as error:
            if error.existing:
                _finish(
                    job,
                    ImportStatus.NEEDS_CONFIRMATION,
                    existing_months=error.existing,
                    processed_rows=parsed.rows,
                )
            else:
                reasons = error.errors or [error.message]
                _finish(job, ImportStatus.INVALID, errors=[{"line": 0, "reason": r} for r in reasons])
            return
        _finish(
            job,
            ImportStatus.DONE,
            processed_rows=parsed.rows,
            imported_reports=len(result.reports),
            imported_values=result.values,
            errors=[],
            existing_months=[],
        )


def _mine(job: MetricImportJob):
    return MetricImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING, claim=job.claim)


def _discard_file(job: MetricImportJob) -> None:
    """A refused file is never read again (a corrected one is a new upload)."""
    job.file.delete(save=False)
    MetricImportJob.objects.filter(pk=job.pk).update(file="")


def _finish(job: MetricImportJob, status: str, **fields) -> bool:
    """Record the outcome, unless another worker took the job over (it will)."""
    fields.update(status=status, finished_at=timezone.now())
    if not MetricImportJob.objects.filter(pk=job.pk, claim=job.claim).update(**fields):
        return False
    for name, value in fields.items():
        setattr(job, name, value)
    return True


def claim_stalled_imports(*, limit: int = 1000) -> list[int]:
    """Ids of import jobs that should be running and are not, stamped as
    queued now: queued (a broker outage or a request that died lost the
    message) or running with a stopped heartbeat (its worker died), and
    not queued again within REQUEUE_AFTER."""
    now = timezone.now()
    stalled = (
        Q(status=ImportStatus.QUEUED)
        | Q(status=ImportStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
        | Q(status=ImportStatus.RUNNING, heartbeat_at=None)
    )
    return stamp_queued(
        MetricImportJob.objects.filter(stalled).filter(
            Q(queued_at=None, created_at__lt=now - REQUEUE_AFTER) | Q(queued_at__lt=now - REQUEUE_AFTER)
        ),
        now=now,
        limit=limit,
    )
