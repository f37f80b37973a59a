"""A customer answers a business's survey on a phone in Urdu: from the QR
poster's link to the thank-you page, without an account. Then, with enough
responses, the business sees its gaps."""

import io

import pypdf
import pytest

from members.models import SurveyResponse
from tests import factories as f
from tests.members.surveys import published_survey, seed_responses

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _login(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("form [type=submit]")


def test_customer_answers_from_the_poster_on_a_phone_in_urdu(live_server, browser):
    association = f.AssociationFactory(name="Pakistan Service Association", languages=["ur", "en"])
    business = f.BusinessFactory(name="Alpha Traders")
    f.MembershipFactory(association=association, business=business)
    owner = f.BusinessUserFactory(
        business=business, association=association, user__email="owner@alpha.example"
    ).user
    instrument = published_survey(association)
    office = browser.new_context()
    page = office.new_page()
    _login(page, live_server, owner)
    page.goto(f"{live_server.url}/portal/b/{business.pk}/voice/")
    poster = page.request.get(live_server.url + page.get_attribute("[data-testid=poster-link]", "href"))
    text = pypdf.PdfReader(io.BytesIO(poster.body())).pages[0].extract_text()
    link = page.get_attribute("[data-testid=open-link]", "href")
    assert link.rsplit("/s/", 1)[1] in text.replace("\n", "")

    phone = browser.new_context(viewport=PHONE, locale="ur-PK", is_mobile=True, has_touch=True)
    customer = phone.new_page()
    customer.goto(link)
    assert customer.get_attribute("html", "dir") == "rtl"
    for item in instrument.items.all():
        customer.check(f"input[name=e{item.number}][value='6']")
        customer.check(f"input[name=p{item.number}][value='5']")
    customer.check("input[name=csat][value='4']")
    customer.check("input[name=nps][value='9']")
    customer.check("input[name=fcr][value=yes]")
    customer.click("button[type=submit]")

    customer.wait_for_selector("[data-testid=survey-thanks]")
    assert customer.get_attribute("html", "dir") == "rtl"
    assert SurveyResponse.objects.get().language == "ur"

    seed_responses(instrument, business, 29, perceived=4, expected=6)
    page.goto(f"{live_server.url}/portal/b/{business.pk}/voice/")
    assert page.is_visible("[data-testid=gap-reliability]")
    assert page.is_visible("[data-testid=voice-improve]")
