"""The login page in English, Urdu and Bengali, in a real browser: the
product's layout, right to left in Urdu, saved as screenshots for review
(TEST_ARTIFACTS_DIR, default var/test-artifacts/)."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS_DIR", settings.BASE_DIR / "var" / "test-artifacts"))


@pytest.mark.parametrize(
    ("language", "direction", "heading"), [("en", "ltr", "Log in"), ("ur", "rtl", None), ("bn", "ltr", None)]
)
def test_login_page_in_three_languages(language, direction, heading, transactional_db, page, live_server):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])

    page.goto(f"{live_server.url}/accounts/login/")

    expect(page.locator("html")).to_have_attribute("dir", direction)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("header.topbar")).to_be_visible()
    expect(page.locator("#language-select")).to_have_value(language)
    expect(page.locator("input[name=login]")).to_be_visible()
    expect(page.get_by_text("Menu:")).to_have_count(0)
    expect(page.get_by_text("sign up", exact=False)).to_have_count(0)
    if heading:
        expect(page.locator("h1")).to_have_text(heading)
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Times" not in font
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"login-{language}.png"), full_page=True)
