"""Two auditors score an application, disagree on one criterion, agree a
consensus; staff approve; the business reads the result."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from certification.models import ApplicationStatus
from tests import factories as f
from tests.audits.scenario import build

pytestmark = pytest.mark.browser


def _login(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _declare_and_score(page, live_server, criteria, scores):
    page.goto(f"{live_server.url}/audit/")
    page.get_by_role("link", name="Open").first.click()
    page.get_by_label("No, I have no conflict of interest").check()
    page.get_by_test_id("declare").click()
    page.get_by_test_id("score-link").click()
    for criterion, value in zip(criteria, scores, strict=True):
        page.fill(f"#id_score-{criterion.pk}", str(value))
        page.fill(f"#id_comment-{criterion.pk}", "Checked against the evidence.")
    page.get_by_test_id("submit").click()
    expect(page.get_by_text("Scorecard submitted.")).to_be_visible()


def test_two_auditors_disagree_agree_a_consensus_and_staff_approve(two_associations, live_server, page):
    s = build(two_associations, criteria=3, declared=False)
    other = f.AssignmentFactory(
        application=s.application, auditor=f.AuditorFactory(associations=[two_associations.a])
    )
    disputed = s.criteria[1]

    _login(page, live_server, two_associations.auditor)
    _declare_and_score(page, live_server, s.criteria, [5, 5, 5])
    _login(page, live_server, other.auditor.user)
    _declare_and_score(page, live_server, s.criteria, [5, 1, 5])

    expect(page.get_by_test_id("disagreements")).to_contain_text(disputed.code)
    page.fill(f"#id_c{disputed.pk}-score", "3")
    page.fill(f"#id_c{disputed.pk}-rationale", "Partly evidenced; agreed after discussion.")
    page.get_by_test_id(f"consensus-{disputed.code}").click()
    expect(page.get_by_text(f"Consensus recorded for {disputed.code}.")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Scored")

    _login(page, live_server, two_associations.staff_admin_a)
    page.goto(f"{live_server.url}/admin/certification/application/")
    page.locator(f"input[name=_selected_action][value='{s.application.pk}']").check()
    page.locator("select[name=action]").select_option("approve")
    page.locator("button[name=index]").click()
    expect(page.get_by_text("level reached: Gold")).to_be_visible()
    page.locator("select[name=level]").select_option(label="Gold")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_text("approved").first).to_be_visible()
    _login(page, live_server, two_associations.business_user_a)
    page.goto(f"{live_server.url}/audit/applications/{s.application.pk}/result/")

    expect(page.get_by_test_id("overall")).to_contain_text("= 86.67")
    expect(page.get_by_text("Level awarded: Gold")).to_be_visible()
    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.APPROVED
