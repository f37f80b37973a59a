"""The project's settings, with the bench's URLconf: it mounts a trivial
view next to the real pages so a page's throughput can be compared with
the bare cost of a request through the same server and middleware."""

from config.settings import *  # noqa: F403
from config.settings import DEBUG, STORAGES

ROOT_URLCONF = "bench.urls"

if not DEBUG:
    STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "bench.storage.StaticStorage"}}
