"""A customer complains from the verification page and confirms by the
emailed link; the business answers in the portal; the customer escalates;
staff mediate and uphold in the admin; the business's complaint record
changes. And the seal on a member's page turns from valid to suspended when
staff suspend the certificate."""

import re

import pytest
from django.conf import settings
from django.test import Client

from certification.seal import add_seal_domain
from members.models import OutboundEmail
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


@pytest.fixture
def certificate(transactional_db, two_associations):
    return f.CertificateFactory(
        application=f.ApprovedApplicationFactory(
            association=two_associations.a, business=two_associations.business_a
        )
    )


def _emailed_link(to: str, path: str) -> str:
    body = OutboundEmail.objects.filter(to=to).order_by("-pk").first().body
    return re.search(rf"https?://[^/\s]+({path}\S+)", body).group(1)


def test_complaint_from_verification_to_upheld_outcome(certificate, two_associations, live_server, browser):
    customer = browser.new_context(base_url=live_server.url).new_page()
    customer.goto(f"/verify/{certificate.verification_token}/")
    customer.get_by_test_id("complain").click()
    customer.fill('input[name="customer_name"]', "Sana Iqbal")
    customer.fill('input[name="customer_email"]', "sana@example.net")
    customer.select_option('select[name="issue"]', "delay")
    customer.fill('input[name="happened_on"]', "2026-02-20")
    customer.fill('textarea[name="description"]', "The courier never came.")
    customer.select_option('select[name="wanted"]', "refund")
    customer.click('form[data-testid="complaint-form"] button[type="submit"]')
    customer.get_by_test_id("complaint-sent").wait_for()

    customer.goto(_emailed_link("sana@example.net", "/complaints/confirm/"))
    customer.get_by_test_id("confirm-complaint").click()
    assert customer.get_by_test_id("complaint-status").get_attribute("data-status") == "with_business"
    mine = customer.url

    business = browser.new_context(base_url=live_server.url)
    _login(business, live_server, two_associations.business_user_a)
    portal = business.new_page()
    portal.goto(f"/portal/b/{two_associations.business_a.pk}/complaints/")
    assert portal.get_by_test_id("record-upheld").inner_text() == "0"
    portal.click("table a")
    portal.fill('textarea[name="answer"]', "We will refund the delivery charge.")
    portal.get_by_test_id("answer").click()
    assert portal.get_by_test_id("complaint-status").get_attribute("data-status") == "answered"

    customer.goto(mine)
    assert "We will refund the delivery charge." in customer.get_by_test_id("business-answer").inner_text()
    customer.fill('textarea[name="reply"]', "A week passed and nothing came.")
    customer.get_by_test_id("escalate").click()
    assert customer.get_by_test_id("complaint-status").get_attribute("data-status") == "escalated"

    staff = browser.new_context(base_url=live_server.url)
    _login(staff, live_server, two_associations.staff_admin_a)
    admin = staff.new_page()
    admin.goto("/admin/certification/complaint/")
    admin.check('input[name="_selected_action"]')
    admin.select_option('select[name="action"]', "mediate")
    admin.click('button[name="index"]')
    admin.wait_for_url("**/admin/certification/complaint/")
    admin.check('input[name="_selected_action"]')
    admin.select_option('select[name="action"]', "close")
    admin.click('button[name="index"]')
    admin.select_option('select[name="outcome"]', "upheld")
    admin.fill('textarea[name="note"]', "Refund the full charge.")
    admin.fill('input[name="honour_by"]', "2026-12-31")
    admin.click('button[name="apply"]')
    admin.wait_for_url("**/admin/certification/complaint/")

    customer.goto(mine)
    assert "Upheld" in customer.get_by_test_id("outcome").inner_text()
    portal.goto(f"/portal/b/{two_associations.business_a.pk}/complaints/")
    assert portal.get_by_test_id("record-upheld").inner_text() == "1"
    assert portal.get_by_test_id("record-received").inner_text() == "1"


MEMBER_SITE = "http://alpha.example/"
# The member's site is public and the live server is on loopback: Chromium's
# private/local network checks would block the image, as they never would
# between a real member's site and ours.
PUBLIC_TO_LOOPBACK = (
    "--disable-features=BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,"
    "PrivateNetworkAccessRespectPreflightResults,LocalNetworkAccessChecks"
)


@pytest.fixture
def member_browser(browser_type, browser_type_launch_args):
    args = [*browser_type_launch_args["args"], PUBLIC_TO_LOOPBACK]
    browser = browser_type.launch(**{**browser_type_launch_args, "args": args})
    yield browser
    browser.close()


def _seal_on_member_site(browser, live_server, certificate) -> str:
    """The SVG the member's page (served by the test) loaded from us."""
    page = browser.new_context().new_page()
    seal = f"{live_server.url}/seal/{certificate.verification_token}.svg"
    page.route(
        MEMBER_SITE,
        lambda route: route.fulfill(
            content_type="text/html", body=f'<html><body><img id="seal" src="{seal}"></body></html>'
        ),
    )
    with page.expect_response(lambda response: "/seal/" in response.url) as loaded:
        page.goto(MEMBER_SITE)
    return loaded.value.text()


def test_seal_on_a_member_page_turns_suspended_when_staff_suspend(
    certificate, two_associations, live_server, browser, member_browser
):
    add_seal_domain(
        two_associations.business_a, domain="alpha.example", actor=two_associations.business_user_a
    )
    before = _seal_on_member_site(member_browser, live_server, certificate)
    assert 'data-status="active"' in before
    assert "Not verified" not in before

    staff = browser.new_context(base_url=live_server.url)
    _login(staff, live_server, two_associations.staff_admin_a)
    admin = staff.new_page()
    admin.goto("/admin/certification/certificate/")
    admin.check(f'input[name="_selected_action"][value="{certificate.pk}"]')
    admin.select_option('select[name="action"]', "suspend")
    admin.click('button[name="index"]')
    admin.fill('textarea[name="reason"]', "Complaints left unanswered")
    admin.click('button[name="apply"]')
    admin.wait_for_url("**/admin/certification/certificate/")

    after = _seal_on_member_site(member_browser, live_server, certificate)
    assert 'data-status="suspended"' in after
