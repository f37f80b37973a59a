"""A real S3-compatible HTTP server for the tests: moto's server mode in a
thread of the test run, on a free port, nothing to install or start by hand.
The storage tests (evidence, certificates, metric imports) run once on local
disk and once against it: the `file_storage` fixture in tests/conftest.py."""

import logging
import uuid

import boto3
from django.core.files.storage import default_storage

# moto accepts any credentials; the storage signs its requests with these.
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
REGION = "us-east-1"


class S3Server:
    def __init__(self):
        # Imported here: moto's server (Flask) costs every test run 0.5 to 0.9 s
        # to import, and only a run with an S3 test needs it.
        from moto.server import ThreadedMotoServer  # noqa: PLC0415

        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)

    def start(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        self.client = boto3.client("s3", endpoint_url=self.url, region_name=REGION, **CREDENTIALS)

    def stop(self) -> None:
        self._server.stop()

    def new_bucket(self) -> str:
        bucket = f"test-{uuid.uuid4().hex}"
        self.client.create_bucket(Bucket=bucket)
        return bucket

    def drop_bucket(self, bucket: str) -> None:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for page in pages:
            if keys := [{"Key": entry["Key"]} for entry in page.get("Contents", ())]:
                self.client.delete_objects(Bucket=bucket, Delete={"Objects": keys})
        self.client.delete_bucket(Bucket=bucket)

    def storage_settings(self, bucket: str) -> dict:
        """What config/settings.py builds for FILE_STORAGE=s3, pointed here."""
        return {
            "BACKEND": "config.s3storage.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": self.url,
                "region_name": REGION,
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
                "default_acl": None,
                "querystring_auth": True,
                "signature_version": "s3v4",
                "querystring_expire": 60,
                "file_overwrite": False,
            },
        }


def stored_names(folder: str = "") -> list[str]:
    """Every file the default storage holds under `folder` (on either storage),
    sorted; local disk's folders are walked from the top when none is given."""
    if folder:
        return sorted(name for name, _ in default_storage.files_under(folder))
    try:
        folders, names = default_storage.listdir("")
    except FileNotFoundError:
        return []
    return sorted([*names, *(name for sub in folders for name, _ in default_storage.files_under(sub))])
