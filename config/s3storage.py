"""Object storage (Amazon S3 or any S3-compatible server) for the files that
several web and worker machines share: evidence, certificate PDFs, metric
imports, association logos. `FILE_STORAGE=s3` selects it (config/settings.py).

Private: no ACL is sent with an object (the bucket's own settings apply, and
its public access is blocked), so only the bucket's credentials read it.
People get the bytes only from the permission-checked views, which stream
them (certification/files.py): no object URL, signed or not, leaves the
server. An object appears only once its upload completed, so a failed upload
leaves no partial file (the job config/storage.py does on local disk).

Separate from config/storage.py so that a machine on local disk never
imports boto3."""

import functools
import posixpath
from collections.abc import Iterable, Iterator
from datetime import datetime

import boto3
import botocore.session
from botocore.exceptions import ClientError
from botocore.loaders import Loader, create_loader
from django.core.files.base import File
from django.utils.crypto import get_random_string
from storages.backends.s3 import S3Storage as BaseS3Storage
from storages.utils import clean_name

# S3's DeleteObjects takes at most this many keys a request.
DELETE_BATCH = 1000


@functools.cache
def _service_descriptions() -> Loader:
    return create_loader(botocore.session.Session().get_config_variable("data_path"))


class S3Storage(BaseS3Storage):
    def _create_session(self) -> boto3.Session:
        """boto3 parses S3's service description and the endpoint list
        (2.7 MB of JSON, 0.1 to 0.4 s of CPU) for every session, and
        django-storages makes one per thread and per storage: the loader
        that keeps them parsed is shared by the process instead."""
        if self.session_profile:
            return super()._create_session()
        core = botocore.session.Session()
        core.register_component("data_loader", _service_descriptions())
        session = boto3.Session(
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            aws_session_token=self.security_token,
            botocore_session=core,
        )
        # Each boto3 session appends its data folder to the loader's paths.
        paths = _service_descriptions().search_paths
        paths[:] = list(dict.fromkeys(paths))
        return session

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        """A fresh random suffix for every save, without asking the server
        whether the name is free. S3 has no "create only if absent" for the
        transfer manager's (multipart) uploads, so two machines that both
        found a name free would overwrite each other: a stale certificate
        render would replace the PDF whose hash another worker recorded, and
        then delete it as its own leftover. A name is never reused instead."""
        root, ext = posixpath.splitext(clean_name(name))
        suffix = f"_{get_random_string(12)}"
        if max_length is not None:
            root = root[: max(max_length - len(suffix) - len(ext), 1)]
        return f"{root}{suffix}{ext}"

    def _save(self, name: str, content) -> str:
        """An upload Django spooled to a temporary file goes up from that
        file, each part read from disk as it is sent (from a file object,
        boto3 would hold up to ten 8 MB parts in memory at once)."""
        if not hasattr(content, "temporary_file_path"):
            return super()._save(name, content)
        cleaned = clean_name(name)
        self.bucket.Object(self._normalize_name(cleaned)).upload_file(
            content.temporary_file_path(),
            ExtraArgs=self._get_write_parameters(cleaned, content),
            Config=self.transfer_config,
        )
        return cleaned

    def _open(self, name: str, mode: str = "rb") -> File:
        """Reading streams the object's body as the server sends it: a large
        file is neither held in memory nor copied to a temporary file first
        (django-storages' S3File downloads it whole). Writing goes through
        S3File as usual."""
        if mode != "rb":
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        try:
            response = self.connection.meta.client.get_object(Bucket=self.bucket_name, Key=key)
        except ClientError as error:
            if error.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                raise FileNotFoundError(f"File does not exist: {name}") from None
            raise
        stream = File(response["Body"], name=name)
        stream.size = response["ContentLength"]
        return stream

    def files_under(self, folder: str) -> Iterator[tuple[str, datetime]]:
        """Every stored name under `folder` with its last-modified time: one
        listing request per 1,000 objects, not one request per file."""
        prefix = self._normalize_name(clean_name(folder)).rstrip("/") + "/"
        pages = self.connection.meta.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket_name, Prefix=prefix
        )
        for page in pages:
            for entry in page.get("Contents", ()):
                key = entry["Key"]
                yield (posixpath.relpath(key, self.location) if self.location else key), entry["LastModified"]

    def delete_many(self, names: Iterable[str]) -> None:
        names = list(names)
        client = self.connection.meta.client
        for start in range(0, len(names), DELETE_BATCH):
            keys = [{"Key": self._normalize_name(clean_name(n))} for n in names[start : start + DELETE_BATCH]]
            response = client.delete_objects(Bucket=self.bucket_name, Delete={"Objects": keys, "Quiet": True})
            if errors := response.get("Errors"):
                raise OSError(f"could not delete {len(errors)} stored files, e.g. {errors[0]}")
