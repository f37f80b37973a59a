"""Running a CSV import job: what tasks.process_metric_import (or the request,
for a small file) calls, and the sweep's claim of jobs whose worker died.
A job is claimed with a conditional update and beats its heart while it
parses; the file is checked whole, then written at once or not at all."""

import datetime
import gc
import logging
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from config.celery import REQUEUE_AFTER, TRANSIENT_ERRORS, stamp_queued

from ..models import ImportStatus, MetricImportJob
from .csv_parsing import parse_metric_csv
from .reports import record_metric_reports
from .values import MetricsError, kpis_by_code

logger = logging.getLogger(__name__)

# A running import beats its heart every PROGRESS_EVERY rows it parses (well
# under a second apart); the write at the end is one transaction of a few
# seconds, during which the job row is locked. A claim whose heart stopped
# this long ago was left by a dead worker.
STALE_AFTER = datetime.timedelta(seconds=60)


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
        with _cyclic_gc_paused():
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


@contextmanager
def _cyclic_gc_paused():
    """A large file makes several objects per line (values, tuples, rows),
    none in a reference cycle: reference counting frees them all. Left on,
    the cyclic collector walks every one of them again and again as they
    accumulate, which took half the time of a 100,000-line import."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
