"""CSV import of service metrics, as the portal starts it: the upload is
stored and recorded as a job, then checked whole and written at once
(import_jobs.py): in the request when small, by a Celery task when large."""

import logging
import secrets
import unicodedata

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from associations.models import Association
from associations.services import log_action

from ..models import Business, ImportStatus, MetricImportJob
from ..tasks import process_metric_import
from .csv_parsing import count_rows, nul_refusal
from .import_jobs import process_import_job
from .values import MetricsError

logger = logging.getLogger(__name__)


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
        process_metric_import.delay_on_commit(job_id=job.pk)
        return job
    process_import_job(job.pk, claim=f"request-{secrets.token_hex(8)}")
    job.refresh_from_db()
    return job
