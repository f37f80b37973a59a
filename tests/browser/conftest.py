"""Shared by every browser test: Playwright drives Debian's Chromium
(playwright cannot download its own browser here) against pytest-django's
live server."""

import os
from pathlib import Path

import pytest
from django.test.utils import override_settings

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (make install does, as root)")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    # Playwright's sync API keeps an event loop running in the test thread,
    # where tests and their fixtures use the ORM.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def _media_url_for_live_server():
    # Django's live server wraps a media handler that parses MEDIA_URL, and
    # ours is None (media is never served from a URL): give it a path no page links to.

    with override_settings(MEDIA_URL="/__media_is_not_served__/"):
        yield


@pytest.fixture(scope="session")
def live_server(_media_url_for_live_server, live_server):
    return live_server
