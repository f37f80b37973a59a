"""Approve, issue (eagerly, in the test process), download as the business,
open the verification link printed under the QR code, revoke from the admin."""

import io
import re

import pypdf
import pytest
from django.conf import settings
from django.test import Client

from certification import services
from certification.models import Certificate
from tests import factories as f

pytestmark = pytest.mark.browser


def _login(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_certificate_issued_downloaded_verified_and_revoked(
    transactional_db, two_associations, live_server, browser, django_capture_on_commit_callbacks
):
    level = f.LevelFactory(association=two_associations.a, name="Gold")
    application = f.ApprovedApplicationFactory(
        association=two_associations.a, business=two_associations.business_a, status="scored", level=level
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_application(application, actor=two_associations.staff_admin_a, level=level)
    certificate = Certificate.objects.get(application=application)

    business = browser.new_context(base_url=live_server.url, accept_downloads=True)
    _login(business, live_server, two_associations.business_user_a)
    page = business.new_page()
    page.goto("/verify/")
    with page.expect_download() as download_info:
        page.evaluate(f"window.location.assign('/certificates/{certificate.pk}/download/')")
    pdf = download_info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    printed_link = re.search(r"https?://\S+/verify/[\w-]+/", text).group(0)
    qr_path = printed_link.removeprefix(settings.SITE_URL)

    public = browser.new_context(base_url=live_server.url).new_page()
    public.goto(qr_path)
    assert public.get_by_test_id("certificate-status").inner_text().strip() == "Valid"

    staff = browser.new_context(base_url=live_server.url)
    _login(staff, live_server, two_associations.staff_admin_a)
    admin = staff.new_page()
    admin.goto("/admin/certification/certificate/")
    admin.check(f'input[name="_selected_action"][value="{certificate.pk}"]')
    admin.select_option('select[name="action"]', "revoke")
    admin.click('button[name="index"]')
    admin.fill('textarea[name="reason"]', "Evidence found to be forged")
    admin.click('button[name="apply"]')
    admin.wait_for_url("**/admin/certification/certificate/")

    public.goto(qr_path)
    assert public.get_by_test_id("certificate-status").inner_text().strip() == "Revoked"
    assert "Evidence found to be forged" in public.content()
