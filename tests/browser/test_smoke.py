"""Each demo login, through the real login form in a real browser, lands on
its page; the language selector switches to Urdu, right to left."""

import re

import pytest
from playwright.sync_api import expect

from config.demo import DEMO_PASSWORD, seed_demo

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    return seed_demo(force=True)  # pytest-django runs with DEBUG off


def _log_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit]:not(.link)")


@pytest.mark.parametrize(
    ("email", "landing", "heading"),
    [
        ("owner@shalimar-telecom.example.org", "/portal/", "Business portal"),
        ("auditor@psa.example.org", "/audit/", "Your audit queue"),
        ("admin@psa.example.org", "/admin/", None),
        ("viewer@psa.example.org", "/admin/", None),
        ("officer@psa.example.org", "/choose/", "Where would you like to go?"),
    ],
)
def test_demo_login_lands_on_role_page(email, landing, heading, demo, page, live_server):
    _log_in(page, live_server, email)

    expect(page).to_have_url(f"{live_server.url}{landing}")
    if heading:
        expect(page.locator("h1")).to_have_text(heading)
    else:
        expect(page.locator("a[href='/admin/associations/standard/']").first).to_be_attached()


def test_demo_officer_switches_from_chooser_to_auditor_pages(demo, page, live_server):
    _log_in(page, live_server, "officer@psa.example.org")

    page.click("[data-testid=role-switcher] a[href='/audit/']")

    expect(page).to_have_url(f"{live_server.url}/audit/")


def test_language_selector_switches_to_urdu_right_to_left(demo, page, live_server):
    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    with page.expect_navigation():
        page.select_option("#language-select", "ur")

    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ur")
    assert re.search(r'<html lang="ur" dir="rtl">', page.content())
