"""Under the Content-Security-Policy, the demo's main pages load in Chromium
with no violation reported, and their scripts really run: the portal's KPI
chart, the unfold admin (Alpine.js), the auditor's pages, verification and the
Swagger docs."""

import pytest
from playwright.sync_api import expect

from audits.models import Assignment
from certification.models import Application, ApplicationStatus, Certificate
from config.demo import DEMO_PASSWORD, seed_demo
from members.models import Business

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    return seed_demo(force=True)  # pytest-django runs with DEBUG off


@pytest.fixture
def violations(page):
    """Every CSP violation Chromium reports, from the console and from the
    page's securitypolicyviolation events."""
    found = []
    page.on(
        "console",
        lambda message: found.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return found


def _approved_application() -> Application:
    return Application.objects.get(business__name="Indus Courier Company", status=ApplicationStatus.APPROVED)


def _log_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit]:not(.link)")
    page.wait_for_load_state("load")


def _visit(page, url):
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response.status == 200, url
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy or "/admin/" in url
    return response


def test_portal_kpi_charts_draw_under_the_policy(demo, page, live_server, violations):
    business = Business.objects.get(name="Indus Courier Company")
    _log_in(page, live_server, "owner@indus-courier.example.org")

    _visit(page, f"{live_server.url}/portal/b/{business.pk}/metrics/")

    assert page.evaluate("document.querySelectorAll('canvas.kpi-chart').length") == 5
    assert page.evaluate("[...document.querySelectorAll('canvas.kpi-chart')].every(c => Chart.getChart(c))")
    assert violations == []


def test_admin_index_and_change_page_run_alpine_under_the_policy(demo, page, live_server, violations):
    application = _approved_application()
    _log_in(page, live_server, "admin@psa.example.org")

    _visit(page, f"{live_server.url}/admin/")
    alpine_on_index = page.evaluate("typeof window.Alpine === 'object'")
    _visit(page, f"{live_server.url}/admin/certification/application/{application.pk}/change/")

    assert alpine_on_index
    # Alpine removes x-cloak from the page once it has started.
    expect(page.locator("html")).not_to_have_attribute("x-cloak", "")
    assert violations == []


def test_auditor_pages_and_result_bars_under_the_policy(demo, page, live_server, violations):
    assignment = Assignment.objects.filter(auditor__user__email="auditor@psa.example.org").first()
    approved = _approved_application()
    _log_in(page, live_server, "auditor@psa.example.org")

    _visit(page, f"{live_server.url}/audit/")
    _visit(page, f"{live_server.url}/audit/assignments/{assignment.pk}/")
    _visit(page, f"{live_server.url}/audit/applications/{approved.pk}/result/")

    bars = page.locator("[data-testid=dimension-bars] meter.bar")
    expect(bars).to_have_count(5)
    assert bars.first.bounding_box()["width"] > 100
    assert violations == []


def test_verify_pages_and_language_switch_under_the_policy(demo, page, live_server, violations):
    certificate = Certificate.objects.get(holder_name="Indus Courier Company")

    _visit(page, f"{live_server.url}/verify/")
    page.fill("input[name=number]", certificate.number)
    page.click("form.verify-number button[type=submit]")
    page.wait_for_load_state("networkidle")
    with page.expect_navigation():
        page.select_option("#language-select", "ur")

    expect(page).to_have_url(f"{live_server.url}/verify/{certificate.verification_token}/")
    expect(page.locator("html")).to_have_attribute("lang", "ur")
    assert violations == []


def test_swagger_docs_render_under_the_policy(demo, page, live_server, violations):
    _visit(page, f"{live_server.url}/api/v1/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Certification platform API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert violations == []
