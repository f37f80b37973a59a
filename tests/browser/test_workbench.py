"""The staff workbench in Chromium: each button on a record's page, from the
page to the message and the record's new state; the dashboard's queues
against seeded work, and its screenshots in English, Urdu and Bengali
(saved under test-artifacts/, or $TEST_ARTIFACTS)."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from audits import services
from certification.models import ApplicationStatus, CertificateStatus
from tests import factories as f
from tests.audits.scenario import build, full_scores
from tests.audits.test_dashboard import _work

pytestmark = pytest.mark.browser

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(settings.BASE_DIR) / "test-artifacts"))


def _login(page, live_server, user, language: str | None = None):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    cookies = [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    if language:
        cookies.append({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url})
    page.context.add_cookies(cookies)


def _open_record(page, live_server, model: str, pk: int):
    page.goto(f"{live_server.url}/admin/{model}/{pk}/change/")


def _scored(w, score: int):
    s = build(w)
    services.save_scores(s.assignment, actor=w.auditor, entries=full_scores(s.criteria, score), submit=True)
    return s


def test_assign_button_assigns_an_auditor(two_associations, live_server, page):
    s = build(two_associations)
    profile = f.AuditorFactory(associations=[two_associations.a])
    _login(page, live_server, two_associations.staff_admin_a)

    _open_record(page, live_server, "certification/application", s.application.pk)
    page.locator('a[href$="/assign/"]').click()
    page.locator("select[name=auditor]").select_option(str(profile.pk))
    page.fill("input[name=due_date]", "2030-01-31")
    page.locator("button[name=confirm]").click()

    expect(page.get_by_text("Auditor assigned.")).to_be_visible()
    assert s.application.assignments.filter(auditor=profile, ended_at=None).exists()


def test_request_changes_button_sends_the_application_back(two_associations, live_server, page):
    s = build(two_associations)
    _login(page, live_server, two_associations.staff_admin_a)

    _open_record(page, live_server, "certification/application", s.application.pk)
    page.locator('a[href$="/request-changes/"]').click()
    page.fill(f"textarea[name=missing-{s.criteria[1].pk}]", "Upload this year's complaint log")
    page.locator("button[name=confirm]").click()

    expect(page.get_by_text("Sent back to the business for changes.")).to_be_visible()
    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.CHANGES_REQUESTED


def test_approve_button_preselects_the_level_reached_and_approves(two_associations, live_server, page):
    s = _scored(two_associations, 4)  # 80: Silver
    _login(page, live_server, two_associations.staff_admin_a)

    _open_record(page, live_server, "certification/application", s.application.pk)
    page.locator('a[href$="/approve/"]').click()
    expect(page.locator("select[name=level]")).to_have_value(str(s.levels[1].pk))
    page.locator("button[name=confirm]").click()

    expect(page.get_by_text("Approved: the certificate is being issued.")).to_be_visible()
    s.application.refresh_from_db()
    assert (s.application.status, s.application.level) == (ApplicationStatus.APPROVED, s.levels[1])


def test_approve_button_refusal_is_shown_at_the_top(two_associations, live_server, page):
    s = _scored(two_associations, 4)  # Silver reached
    _login(page, live_server, two_associations.staff_admin_a)

    _open_record(page, live_server, "certification/application", s.application.pk)
    page.locator('a[href$="/approve/"]').click()
    page.locator("select[name=level]").select_option(str(s.levels[2].pk))
    page.locator("button[name=confirm]").click()

    expect(page.get_by_text("You cannot approve above the level the scores reached.")).to_be_visible()
    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.SCORED


def test_reject_button_rejects_with_a_rationale(two_associations, live_server, page):
    s = _scored(two_associations, 1)
    _login(page, live_server, two_associations.staff_admin_a)

    _open_record(page, live_server, "certification/application", s.application.pk)
    page.locator('a[href$="/reject/"]').click()
    page.fill("textarea[name=reason]", "Evidence missing throughout")
    page.locator("button[name=confirm]").click()

    expect(page.get_by_text("Rejected: the business is emailed the decision.")).to_be_visible()
    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.REJECTED


def _certificate(w, status=CertificateStatus.ACTIVE):
    return f.CertificateFactory(
        application=f.ApprovedApplicationFactory(association=w.a, business=w.business_a), status=status
    )


@pytest.mark.parametrize(
    ("button", "start", "message", "end"),
    [
        ("suspend", CertificateStatus.ACTIVE, "Certificate suspended.", CertificateStatus.SUSPENDED),
        ("reinstate", CertificateStatus.SUSPENDED, "Certificate reinstated.", CertificateStatus.ACTIVE),
        ("revoke", CertificateStatus.ACTIVE, "Certificate revoked.", CertificateStatus.REVOKED),
    ],
)
def test_certificate_buttons(two_associations, live_server, page, button, start, message, end):
    certificate = _certificate(two_associations, start)
    _login(page, live_server, two_associations.staff_admin_a)

    _open_record(page, live_server, "certification/certificate", certificate.pk)
    page.locator(f'a[href$="/{button}/"]').click()
    page.locator("button[name=confirm]").click()  # no reason yet: refused by the form
    expect(page.get_by_text("This field is required.")).to_be_visible()
    page.fill("textarea[name=reason]", "Reviewed by the board")
    expect(page.locator("button[name=confirm]")).to_have_text(button.capitalize())
    page.locator("button[name=confirm]").click()

    expect(page.get_by_text(message)).to_be_visible()
    certificate.refresh_from_db()
    assert (certificate.status, certificate.status_reason) == (
        end,
        "" if end == CertificateStatus.ACTIVE else "Reviewed by the board",
    )


def test_viewer_sees_the_record_without_buttons(two_associations, live_server, page):
    certificate = _certificate(two_associations)
    _login(page, live_server, two_associations.staff_viewer_a)

    _open_record(page, live_server, "certification/certificate", certificate.pk)

    expect(page.get_by_text(certificate.number).first).to_be_visible()
    expect(page.locator('a[href$="/revoke/"]')).to_have_count(0)
    expect(page.locator('button[name="_save"]')).to_have_count(0)


def test_dashboard_queues_match_the_seeded_work_and_link_to_their_lists(two_associations, live_server, page):
    _work(two_associations, two_associations.a, two_associations.business_a, n=2)
    _work(two_associations, two_associations.b, two_associations.business_b, n=1)
    _login(page, live_server, two_associations.staff_viewer_a)

    page.goto(f"{live_server.url}/admin/")
    for queue in ("waiting_for_auditor", "audits_overdue", "awaiting_decision", "changes_unanswered"):
        expect(page.get_by_test_id(f"queue-{queue}").get_by_test_id("count")).to_have_text("2")
    expect(page.locator("canvas.chart")).to_have_count(3)
    page.get_by_test_id("queue-under_watch").click()

    expect(page).to_have_url(f"{live_server.url}/admin/certification/certificate/?queue=under_watch")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)


@pytest.mark.parametrize("language", ["en", "ur", "bn"])
def test_dashboard_screenshot(two_associations, live_server, page, language):
    _work(two_associations, two_associations.a, two_associations.business_a, n=3)
    _login(page, live_server, two_associations.staff_admin_a, language=language)
    page.set_viewport_size({"width": 1440, "height": 1100})

    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_test_id("dashboard")).to_be_visible()
    page.wait_for_timeout(500)  # the charts' first paint

    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ur" else "ltr")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"dashboard-{language}.png"), full_page=True)
