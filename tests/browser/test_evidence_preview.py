"""The auditor's evidence preview renders in Chromium: the PDF viewer loads
inside the page (a sandboxed iframe showed Chromium's broken-page icon),
and an image shows as an image."""

import io
import time

import pypdf
import pytest
from django.core.files.base import ContentFile
from django.test import Client
from playwright.sync_api import expect

from tests import factories as f
from tests.audits.scenario import build

# Files on local disk, then on S3 (tests/conftest.py): the same preview.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("file_storage")]

PDF_VIEWER = "chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f80f0000010101001b5b1d0a0000000049454e44ae426082"
)


def _pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _login(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _evidence(s, data: bytes, name: str, content_type: str):
    evidence = f.EvidenceFactory(
        application=s.application,
        criterion=s.criteria[0],
        original_name=name,
        content_type=content_type,
        size=len(data),
    )
    evidence.file.save(name, ContentFile(data), save=True)
    return evidence


def _descendants(frame):
    for child in frame.child_frames:
        yield child
        yield from _descendants(child)


def _pdf_viewer_loaded(page, frame, *, seconds: float = 15) -> bool:
    """Chromium's viewer is an extension frame inside the previewed frame,
    with the document in its plugin's <embed>; a blocked preview is an error
    page instead."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        frames = [frame, *_descendants(frame)]
        if any(fr.url.startswith(PDF_VIEWER) for fr in frames) and any(
            fr.locator("embed[type='application/x-google-chrome-pdf']").count() for fr in frames
        ):
            return True
        page.wait_for_timeout(200)
    return False


def test_auditor_pdf_evidence_preview_loads_the_pdf_viewer(two_associations, live_server, page):
    s = build(two_associations)
    _evidence(s, _pdf(), "complaints.pdf", "application/pdf")
    _login(page, live_server, two_associations.auditor)

    page.goto(f"{live_server.url}/audit/applications/{s.application.pk}/")

    preview = page.locator("iframe.preview[title='complaints.pdf']").element_handle().content_frame()
    assert _pdf_viewer_loaded(page, preview)
    assert not [fr.url for fr in page.frames if fr.url.startswith("chrome-error:")]


def test_auditor_image_evidence_preview_shows_the_image(two_associations, live_server, page):
    s = build(two_associations)
    _evidence(s, PNG, "shopfront.png", "image/png")
    _login(page, live_server, two_associations.auditor)

    page.goto(f"{live_server.url}/audit/applications/{s.application.pk}/")

    image = page.locator("img.preview[alt='shopfront.png']")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 1
