"""The corrective-action loop as people do it: the auditor raises a major
and a minor, staff cannot approve, the business answers the major with
evidence, the auditor accepts, staff grant with conditions, the business
answers the minor and the auditor closes it, and the verification page
shows no open conditions."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from audits.models import Finding
from certification.models import Certificate
from tests.audits.scenario import build

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _login(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _raise(page, criterion, grade, statement, requirement):
    page.get_by_test_id(f"finding-{criterion.code}").locator("summary").click()
    page.locator(f"#id_grade-{criterion.pk}").select_option(grade)
    page.fill(f"#id_statement-{criterion.pk}", statement)
    page.fill(f"#id_requirement-{criterion.pk}", requirement)


def _answer(page, live_server, finding, *, with_file: bool):
    page.goto(f"{live_server.url}/portal/findings/{finding.pk}/")
    page.fill("#id_root_cause", "Nobody owned it.")
    page.fill("#id_correction", "Fixed it the same day.")
    page.fill("#id_corrective_action", "The manager checks it monthly.")
    page.fill("#id_due_date", (timezone.localdate() + datetime.timedelta(days=10)).isoformat())
    if with_file:
        page.set_input_files("#id_file", {"name": "log.png", "mimeType": "image/png", "buffer": PNG})
    page.get_by_test_id("send-answer").click()
    expect(page.get_by_text("Your answer is sent to the auditor.")).to_be_visible()


def _review(page, live_server, finding, decision):
    page.goto(f"{live_server.url}/audit/applications/{finding.application_id}/findings/")
    page.locator(f"#id_f{finding.pk}-decision").select_option(decision)
    page.get_by_test_id(f"review-{finding.pk}").click()


def _approve(page, live_server, application, *, with_conditions: bool):
    page.goto(f"{live_server.url}/admin/certification/application/")
    page.locator(f"input[name=_selected_action][value='{application.pk}']").check()
    page.locator("select[name=action]").select_option("approve")
    page.locator("button[name=index]").click()
    page.locator("select[name=level]").select_option(label="Gold")
    if with_conditions:
        page.locator("#id_with_conditions").check()
    page.get_by_test_id("confirm").click()


def test_major_blocks_then_conditional_grant_until_the_minor_closes(two_associations, live_server, page):
    s = build(two_associations, criteria=3)
    major_on, minor_on = s.criteria[0], s.criteria[1]

    _login(page, live_server, two_associations.auditor)
    page.goto(f"{live_server.url}/audit/applications/{s.application.pk}/score/")
    for criterion in s.criteria:
        page.fill(f"#id_score-{criterion.pk}", "5")
    _raise(page, major_on, "major", "No complaints log.", "Complaints are logged.")
    _raise(page, minor_on, "minor", "Hours not published.", "Hours are published.")
    page.get_by_test_id("submit").click()
    expect(page.get_by_text("Scorecard submitted.")).to_be_visible()
    major, minor = Finding.objects.order_by("pk")

    _login(page, live_server, two_associations.staff_admin_a)
    _approve(page, live_server, s.application, with_conditions=False)
    expect(page.get_by_text("An open major nonconformity blocks approval")).to_be_visible()
    expect(page.get_by_text("No complaints log.").first).to_be_visible()

    _login(page, live_server, two_associations.business_user_a)
    _answer(page, live_server, major, with_file=True)
    expect(page.get_by_role("link", name="log.png")).to_be_visible()

    _login(page, live_server, two_associations.auditor)
    _review(page, live_server, major, "accept")
    expect(page.get_by_text("The finding is now corrective action accepted.")).to_be_visible()

    _login(page, live_server, two_associations.staff_admin_a)
    _approve(page, live_server, s.application, with_conditions=True)
    expect(page.get_by_text("approved").first).to_be_visible()
    certificate = Certificate.objects.get(application=s.application)
    page.goto(f"{live_server.url}/verify/{certificate.verification_token}/")
    expect(page.get_by_test_id("conditions")).to_contain_text("Conditions open")

    _login(page, live_server, two_associations.business_user_a)
    _answer(page, live_server, minor, with_file=False)
    _login(page, live_server, two_associations.auditor)
    _review(page, live_server, minor, "accept")
    _review(page, live_server, minor, "verify")
    _review(page, live_server, major, "verify")
    expect(page.get_by_text("The finding is now closed.")).to_be_visible()

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/verify/{certificate.verification_token}/")
    expect(page.get_by_test_id("conditions")).to_have_text("No open conditions.")
