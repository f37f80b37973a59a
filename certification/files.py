"""Stored files (evidence, certificate PDFs, metric imports): they go to the
browser only through here, never from a media URL (the browser must not
guess another type and must not keep a copy); files no row points at are
deleted by a daily task."""

import datetime
import itertools

from django.core.files.storage import default_storage
from django.http import FileResponse

from members.models import MetricImportJob

from .models import Certificate, Evidence


def serve_file(fieldfile, *, filename: str, content_type: str, inline: bool = False) -> FileResponse:
    handle = fieldfile.storage.open(fieldfile.name, "rb")
    response = FileResponse(handle, as_attachment=not inline, filename=filename, content_type=content_type)
    # Object storage streams its body (config/s3storage.py): not seekable,
    # so the length comes from the server's answer.
    response["Content-Length"] = handle.size
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# What a browser shows in the page; anything else is downloaded.
PREVIEWABLE = {"application/pdf", "image/png", "image/jpeg"}


def preview_evidence(item) -> FileResponse:
    """A piece of evidence to look at in the browser (the caller has checked
    who may): shown inline when the browser can, downloaded otherwise."""
    inline = item.content_type in PREVIEWABLE
    response = serve_file(
        item.file,
        filename=item.original_name,
        content_type=item.content_type if inline else "application/octet-stream",
        inline=inline,
    )
    # The sandbox travels with the file, not on the page's iframe: Chromium
    # shows its PDF viewer under a response's CSP sandbox but not inside a
    # sandboxed iframe. Only our own pages may frame it.
    response["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
    )
    return response


# --- files nobody points at ------------------------------------------------------

# Where each kind of stored file lives, and the field of the rows that point
# at it. (Renewals point several evidence rows at one file: any row keeps it.)
STORED_FILES = {
    "evidence": (Evidence, "file"),
    "certificates": (Certificate, "pdf"),
    "metric-imports": (MetricImportJob, "file"),
}
BATCH = 1000


def delete_orphan_files(*, older_than: datetime.datetime, storage=None) -> dict[str, int]:
    """Delete stored files under evidence/, certificates/ and metric-imports/
    last written before `older_than` that no row points at (left by a
    failed write, a crashed process, a render that lost its race). Checked a
    batch of names at a time: one query per 1,000 files, and on object
    storage one listing and one delete request per 1,000 objects. The
    storage is ours (config/storage.py, config/s3storage.py): it lists a
    folder with modification times and deletes by name. Returns how many
    were deleted per folder."""
    storage = storage or default_storage
    deleted = {}
    for folder, (model, field) in STORED_FILES.items():
        deleted[folder] = 0
        old = (name for name, modified in storage.files_under(folder) if modified < older_than)
        while batch := list(itertools.islice(old, BATCH)):
            kept = set(model.objects.filter(**{f"{field}__in": batch}).values_list(field, flat=True))
            orphans = [name for name in batch if name not in kept]
            storage.delete_many(orphans)
            deleted[folder] += len(orphans)
    return deleted
