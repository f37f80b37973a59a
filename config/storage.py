"""Local-disk file storage that never leaves a partial file.

Django's FileSystemStorage writes straight into the final name: a full or
failing disk leaves a truncated (often 0-byte) file there, which a row may
then point at. This one writes to a temporary name in the same folder and
links it into place only when every byte is on disk; on failure the
temporary file is removed. (S3-compatible storage needs none of this: an
object appears only once its upload completed.)"""

import contextlib
import os
import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.core.files.storage import FileSystemStorage as DjangoFileSystemStorage
from django.utils._os import safe_makedirs
from django.utils.deconstruct import deconstructible

# The orphan-file sweep deletes leftovers with this prefix too (a process
# killed between write and cleanup).
PARTIAL_PREFIX = ".partial-"


@deconstructible(path="config.storage.FileSystemStorage")
class FileSystemStorage(DjangoFileSystemStorage):
    def _save(self, name: str, content) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        if self.directory_permissions_mode is not None:
            safe_makedirs(directory, self.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)
        partial = os.path.join(directory, f"{PARTIAL_PREFIX}{uuid.uuid4().hex}")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                os.fsync(out.fileno())
            while True:
                try:
                    # A link, not a rename: it fails when the name is taken,
                    # so a file already there is never replaced.
                    os.link(partial, full_path)
                    break
                except FileExistsError:
                    name = self.get_available_name(name)
                    full_path = self.path(name)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(partial)
        if self.file_permissions_mode is not None:
            os.chmod(full_path, self.file_permissions_mode)
        name = os.path.relpath(full_path, self.location)
        self._ensure_location_group_id(full_path)
        return str(name).replace("\\", "/")

    def files_under(self, folder: str) -> Iterator[tuple[str, datetime]]:
        """Every stored name under `folder` with its last-modified time (the
        orphan-file sweep's listing; config/s3storage.py has the same)."""
        try:
            folders, names = self.listdir(folder)
        except FileNotFoundError:
            return
        for name in names:
            yield f"{folder}/{name}", self.get_modified_time(f"{folder}/{name}")
        for sub in folders:
            yield from self.files_under(f"{folder}/{sub}")

    def delete_many(self, names: Iterable[str]) -> None:
        for name in names:
            self.delete(name)
