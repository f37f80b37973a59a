from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits import services
from audits.models import Score
from certification.models import ApplicationStatus
from members.models import Declaration
from tests import factories as f

from .scenario import build, full_scores, second_auditor


def _form_data(criteria, value=5, **extra):
    data = {}
    for c in criteria:
        data[f"score-{c.pk}"] = value
        data[f"comment-{c.pk}"] = "Seen."
    return {**data, **extra}


def _count(client, method, url, data=None):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    return response, len(ctx.captured_queries)


@pytest.mark.parametrize("method", ["get", "post"])
def test_score_form_queries_do_not_grow_with_criteria(two_associations, client_for, method):
    counts = []
    for size in (5, 60):
        s = build(two_associations, criteria=size, business=f.BusinessFactory())
        client = client_for("auditor")
        url = reverse("audits:score", args=[s.application.pk])
        data = _form_data(s.criteria, submit="1") if method == "post" else None

        response, queries = _count(client, method, url, data)

        assert response.status_code == (302 if method == "post" else 200)
        counts.append(queries)
        if method == "post":
            assert Score.objects.filter(scorecard__assignment=s.assignment).count() == size
    assert counts[0] == counts[1]


def test_score_form_saves_sixty_scores_in_one_insert(two_associations, client_for):
    s = build(two_associations, criteria=60)
    url = reverse("audits:score", args=[s.application.pk])
    client = client_for("auditor")

    with CaptureQueriesContext(connection) as ctx:
        client.post(url, _form_data(s.criteria, save="1"))

    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "audits_score"')]
    assert len(inserts) == 1
    assert Score.objects.count() == 60


def test_score_form_submit_saves_every_score_and_locks(two_associations, client_for):
    s = build(two_associations)
    client = client_for("auditor")
    url = reverse("audits:score", args=[s.application.pk])

    response = client.post(url, _form_data(s.criteria, 4, submit="1"))

    assert response.status_code == 302
    assert sorted(Score.objects.values_list("score", flat=True)) == [4] * 5
    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.SCORED
    assert client.post(url, _form_data(s.criteria, 1, submit="1")).status_code == 200
    assert sorted(Score.objects.values_list("score", flat=True)) == [4] * 5


def test_score_form_requires_a_comment_below_half(two_associations, client_for):
    s = build(two_associations)
    data = _form_data(s.criteria, 5, save="1")
    data[f"comment-{s.criteria[0].pk}"] = ""
    data[f"score-{s.criteria[0].pk}"] = 1

    response = client_for("auditor").post(reverse("audits:score", args=[s.application.pk]), data)

    assert response.status_code == 200
    assert "Explain a score below half the maximum" in response.content.decode()
    assert Score.objects.count() == 0


def test_declaration_page_moves_to_review(two_associations, client_for):
    s = build(two_associations, declared=False)
    client = client_for("auditor")

    response = client.post(reverse("audits:assignment", args=[s.assignment.pk]), {"conflict": "no"})

    assert response.status_code == 302
    s.assignment.refresh_from_db()
    s.application.refresh_from_db()
    assert (s.assignment.declaration, s.application.status) == (Declaration.NO_CONFLICT, "in_review")


def test_declaration_page_records_a_conflict(two_associations, client_for):
    s = build(two_associations, declared=False)

    client_for("auditor").post(
        reverse("audits:assignment", args=[s.assignment.pk]), {"conflict": "yes", "reason": "Former employer"}
    )

    s.assignment.refresh_from_db()
    assert (s.assignment.declaration, s.assignment.conflict_reason) == (
        Declaration.CONFLICT,
        "Former employer",
    )


def test_application_page_is_blind_until_everyone_submitted(two_associations, client_for):
    s = build(two_associations)
    other = second_auditor(two_associations, s.application)
    services.save_scores(
        other,
        actor=other.auditor.user,
        entries={**full_scores(s.criteria, 5), s.criteria[1].pk: (0, "Nothing at all")},
        submit=True,
    )
    client = client_for("auditor")
    url = reverse("audits:application", args=[s.application.pk])

    before = client.get(url).content.decode()
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 5), submit=True
    )
    after = client.get(url).content.decode()

    assert "Nothing at all" not in before and 'data-testid="disagreements"' not in before
    assert 'data-testid="disagreements"' in after and "0, 5" in after
    assert 'data-testid="scorecards"' not in before
    assert 'data-testid="scorecards"' in after and "Nothing at all" in after


def test_application_page_shows_criteria_evidence_kpis_and_changes(two_associations, client_for):
    s = build(two_associations)
    kpi = f.KpiFactory(association=two_associations.a, name="Customer satisfaction")
    report = f.MetricReportFactory(business=two_associations.business_a, association=two_associations.a)
    f.MetricValueFactory(report=report, kpi=kpi, value="91.50")
    services.request_changes(
        s.application, actor=two_associations.auditor, items=[(s.criteria[2], "Show the roster")]
    )

    body = client_for("auditor").get(reverse("audits:application", args=[s.application.pk])).content.decode()

    assert "Reliability" in body and s.criteria[4].text in body
    assert reverse("audits:evidence", args=[s.evidence.pk]) in body
    assert "Customer satisfaction" in body and "91.50" in body
    assert "Show the roster" in body


def test_application_page_queries_do_not_grow_with_rows(two_associations, client_for):
    counts = []
    for size in (1, 12):
        business = f.BusinessFactory()
        s = build(two_associations, criteria=size, business=business)
        for i in range(size):
            report = f.MetricReportFactory(
                business=business,
                association=two_associations.a,
                period=(timezone.localdate() - timedelta(days=31 * i)).replace(day=1),
            )
            f.MetricValueFactory(report=report, kpi=f.KpiFactory(association=two_associations.a))
            f.EvidenceFactory(application=s.application, criterion=s.criteria[i])

        response, queries = _count(
            client_for("auditor"), "get", reverse("audits:application", args=[s.application.pk])
        )

        assert response.status_code == 200
        counts.append(queries)
    assert counts[0] == counts[1]


def test_queue_queries_do_not_grow_with_assignments(two_associations, client_for):
    counts = []
    for size in (1, 8):
        for _ in range(size):
            f.AssignmentFactory(
                auditor=two_associations.auditor.auditor_profile,
                application__standard__association=two_associations.a,
            )

        response, queries = _count(client_for("auditor"), "get", reverse("audits:queue"))

        assert response.status_code == 200
        counts.append(queries)
    assert counts[0] == counts[1]


def test_evidence_pdf_is_inline_and_sandboxed(two_associations, client_for):
    s = build(two_associations)

    response = client_for("auditor").get(reverse("audits:evidence", args=[s.evidence.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_evidence_html_is_downloaded_not_rendered(two_associations, client_for):
    s = build(two_associations)
    html = f.EvidenceFactory(
        application=s.application,
        criterion=s.criteria[0],
        content_type="text/html",
        original_name="page.html",
        file=ContentFile(b"<script>1</script>", name="x"),
    )

    response = client_for("auditor").get(reverse("audits:evidence", args=[html.pk]))

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment")


def test_consensus_view_records_the_agreed_score(two_associations, client_for):
    s = build(two_associations)
    other = second_auditor(two_associations, s.application)
    services.save_scores(
        other,
        actor=other.auditor.user,
        entries={**full_scores(s.criteria, 5), s.criteria[1].pk: (1, "Thin")},
        submit=True,
    )
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 5), submit=True
    )
    c = s.criteria[1]

    client_for("auditor").post(
        reverse("audits:consensus", args=[s.application.pk, c.pk]),
        {f"c{c.pk}-score": "3", f"c{c.pk}-rationale": "Partly evidenced"},
    )

    s.application.refresh_from_db()
    assert s.application.status == ApplicationStatus.SCORED
    assert s.application.consensus_scores.get().rationale == "Partly evidenced"


def test_result_page_shows_dimensions_and_arithmetic(two_associations, client_for):
    s = build(two_associations)
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 4), submit=True
    )
    services.approve(s.application, actor=two_associations.staff_admin_a, level=s.levels[1])

    body = (
        client_for("business_user_a").get(reverse("audits:result", args=[s.application.pk])).content.decode()
    )

    assert 'data-testid="dimension-bars"' in body
    assert "4.0000 ÷ 5.00 × 100 = <strong>80.00</strong>" in body
    assert "Silver" in body


def _gated(two_associations, *, higher_is_better: bool, latest):
    s = build(two_associations)
    kpi = f.KpiFactory(
        association=two_associations.a,
        code="csat" if higher_is_better else "hours",
        name="Customer satisfaction" if higher_is_better else "Response time",
        unit="%" if higher_is_better else "h",
        higher_is_better=higher_is_better,
    )
    s.criteria[0].kpi, s.criteria[0].kpi_threshold = kpi, Decimal(80 if higher_is_better else 4)
    s.criteria[0].save()
    if latest is not None:
        report = f.MetricReportFactory(business=two_associations.business_a, association=two_associations.a)
        f.MetricValueFactory(report=report, kpi=kpi, value=latest)
    services.save_scores(
        s.assignment, actor=two_associations.auditor, entries=full_scores(s.criteria, 5), submit=True
    )
    return s


@pytest.mark.parametrize(
    ("higher_is_better", "latest", "said"),
    [
        (
            True,
            Decimal("75.6"),
            "KPI gate {code} missed: Customer satisfaction is 75.60 %, below the threshold of 80 %.",
        ),
        (
            False,
            Decimal("6.5"),
            "KPI gate {code} missed: Response time is 6.50 h, above the threshold of 4 h.",
        ),
        (
            True,
            None,
            "KPI gate {code} missed: no value of Customer satisfaction is reported; the threshold is 80 %.",
        ),
    ],
)
def test_result_page_names_the_missed_kpi_with_its_unit(
    two_associations, client_for, higher_is_better, latest, said
):
    s = _gated(two_associations, higher_is_better=higher_is_better, latest=latest)

    body = client_for("staff_admin_a").get(reverse("audits:result", args=[s.application.pk])).content.decode()

    assert said.format(code=s.criteria[0].code) in " ".join(body.split())
    assert " csat is " not in body and " hours is " not in body
