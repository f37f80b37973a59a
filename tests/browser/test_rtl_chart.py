"""The KPI chart right to left: time runs leftwards, the value axis stands on
the right, and every month's label (the first one too) is inside the canvas."""

import datetime

import pytest

from certification.issuance import add_months
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LABEL_BOXES = """canvas => {
  const chart = Chart.getChart(canvas);
  const boxes = chart.scales.x.getLabelItems().map(item => {
    const ctx = chart.ctx;
    ctx.save(); ctx.font = item.font.string;
    const width = ctx.measureText(item.label).width; ctx.restore();
    const x = item.options.translation[0];
    const align = item.options.textAlign;
    const left = align === "right" ? x - width : align === "left" ? x : x - width / 2;
    return [left, left + width];
  });
  return {boxes: boxes, width: chart.width, y: chart.scales.y.position,
          reversed: chart.scales.x.options.reverse};
}"""


def test_kpi_chart_in_urdu_keeps_every_label_inside(live_server, page):
    association = f.AssociationFactory()
    business = f.BusinessFactory()
    f.MembershipFactory(association=association, business=business)
    user = f.BusinessUserFactory(business=business, association=association, user__language="ur").user
    kpi = f.KpiFactory(association=association, name_en="Customer satisfaction (CSAT)")
    first = datetime.date(2025, 11, 1)
    for month in range(12):
        report = f.MetricReportFactory(
            business=business, association=association, period=add_months(first, month)
        )
        f.MetricValueFactory(report=report, kpi=kpi, value=70 + month)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("form [type=submit]")
    page.goto(f"{live_server.url}/portal/b/{business.pk}/metrics/?association={association.pk}")
    chart = page.locator(f'canvas.kpi-chart[data-kpi="{kpi.pk}"]')
    chart.wait_for()
    page.wait_for_function("c => Chart.getChart(c) !== undefined", arg=chart.element_handle())
    shown = chart.evaluate(LABEL_BOXES)

    assert page.locator("html").get_attribute("dir") == "rtl"
    assert (shown["y"], shown["reversed"]) == ("right", True)
    assert shown["boxes"]
    assert all(left >= 0 and right <= shown["width"] for left, right in shown["boxes"]), shown
