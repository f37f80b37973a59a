"""Minimal browser settings (the foundation branch may provide a fuller
one): Playwright drives the system Chromium when its own is not installed."""

import os
import shutil

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# in these tests are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The live server wraps media in a handler that cannot take MEDIA_URL = None
# (media is never public here); give it a prefix no view uses.
settings.MEDIA_URL = "/media-not-served/"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:
        return {**browser_type_launch_args, "executable_path": chromium, "args": ["--no-sandbox"]}
    return browser_type_launch_args
