"""Stored files (evidence, certificate PDFs, metric imports): they go to the
browser only through here, never from a media URL (the browser must not
guess another type and must not keep a copy); files no row points at are
deleted by a daily task."""

import datetime
import itertools
from collections.abc import Iterator

from django.core.files.storage import default_storage
from django.http import FileResponse

from members.models import MetricImportJob

from .models import Certificate, Evidence


def serve_file(fieldfile, *, filename: str, content_type: str, inline: bool = False) -> FileResponse:
    response = FileResponse(
        fieldfile.storage.open(fieldfile.name, "rb"),
        as_attachment=not inline,
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
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


def _walk(storage, folder: str) -> Iterator[str]:
    try:
        folders, names = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _walk(storage, f"{folder}/{sub}")


def delete_orphan_files(*, older_than: datetime.datetime, storage=None) -> dict[str, int]:
    """Delete stored files under evidence/, certificates/ and metric-imports/
    last written before `older_than` that no row points at (left by a
    failed write, a crashed process, a render that lost its race). Checked a
    batch of names at a time: one query per 1,000 files. Returns how many
    were deleted per folder."""
    storage = storage or default_storage
    deleted = {}
    for folder, (model, field) in STORED_FILES.items():
        deleted[folder] = 0
        old = (name for name in _walk(storage, folder) if storage.get_modified_time(name) < older_than)
        while batch := list(itertools.islice(old, BATCH)):
            kept = set(model.objects.filter(**{f"{field}__in": batch}).values_list(field, flat=True))
            for name in batch:
                if name not in kept:
                    storage.delete(name)
                    deleted[folder] += 1
    return deleted
