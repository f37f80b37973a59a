"""A business user does their whole side of an application in a real browser."""

import pytest

from associations.models import Dimension
from certification.models import Application, ApplicationStatus
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_business_user_applies_uploads_evidence_and_submits(live_server, page, tmp_path):
    association = f.AssociationFactory(name="Pakistan Service Association")
    business = f.BusinessFactory(name="Alpha Traders")
    f.MembershipFactory(association=association, business=business)
    user = f.BusinessUserFactory(business=business, user__email="owner@alpha.example").user
    standard = f.PublishedStandardFactory(association=association, name="Courier service")
    codes = ["R1", "A1", "T1"]
    for code, dimension in zip(
        codes, (Dimension.RELIABILITY, Dimension.ASSURANCE, Dimension.TANGIBLES), strict=True
    ):
        f.CriterionFactory(standard=standard, code=code, dimension=dimension)
    evidence = tmp_path / "complaint-log.pdf"
    evidence.write_bytes(f.PDF_BYTES)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("form [type=submit]")
    page.goto(f"{live_server.url}/portal/")
    page.click("text=Start an application")
    page.select_option("select[name=standard]", label=f"{association.name}: Courier service v1")
    page.click("button:has-text('Start application')")
    for code in codes:
        page.click(f"[data-testid=add-evidence-{code}]")
        page.set_input_files("input[name=file]", str(evidence))
        page.fill("textarea[name=description]", f"Evidence for {code}")
        page.click("button:has-text('Upload')")
        page.wait_for_selector(f"text=Evidence added to {code}.")
    page.click("button:has-text('Submit for review')")

    assert page.inner_text("[data-testid=application-status]") == "Submitted"
    assert page.is_visible("text=Application submitted.")
    application = Application.objects.get()
    assert (application.status, application.evidence.count()) == (ApplicationStatus.SUBMITTED, 3)
