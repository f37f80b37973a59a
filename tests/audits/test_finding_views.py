import hashlib
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from associations.models import ActionLog
from audits import findings, services
from audits.findings import NewFinding
from audits.models import CorrectiveAction, Finding, FindingGrade, FindingStatus
from audits.report import report_html
from certification.issuance import issue_certificate
from tests import factories as f

from .scenario import build, full_scores

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _minor(criterion, statement="Response times not published."):
    return NewFinding(
        criterion_id=criterion.pk, grade=FindingGrade.MINOR, statement=statement, requirement="5.1"
    )


def _scored(people, *, count: int = 1, business=None):
    s = build(people, criteria=max(count, 5), business=business)
    services.save_scores(
        s.assignment,
        actor=people.auditor,
        entries=full_scores(s.criteria, 4),
        submit=True,
        new_findings=[_minor(c, f"Gap {i}") for i, c in enumerate(s.criteria[:count])],
    )
    s.application.refresh_from_db()
    return s


def _count(client, method, url, data=None):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data or {})
    return response, len(ctx.captured_queries)


def test_auditor_raises_a_major_on_the_scoring_form(two_associations, client_for):
    s = build(two_associations)
    data = {f"score-{c.pk}": "4" for c in s.criteria} | {
        f"grade-{s.criteria[0].pk}": "major",
        f"statement-{s.criteria[0].pk}": "No complaints log.",
        f"requirement-{s.criteria[0].pk}": "Clause 4.2",
        f"evidence-{s.criteria[0].pk}": [str(s.evidence.pk)],
        "submit": "1",
    }

    response = client_for("auditor").post(reverse("audits:score", args=[s.application.pk]), data)

    assert response.status_code == 302
    finding = Finding.objects.get()
    assert (finding.grade, finding.status, finding.statement) == ("major", "open", "No complaints log.")
    assert list(finding.evidence.all()) == [s.evidence]


def test_scoring_form_says_a_nonconformity_needs_its_requirement(two_associations, client_for):
    s = build(two_associations)
    data = {f"score-{c.pk}": "4" for c in s.criteria} | {
        f"grade-{s.criteria[0].pk}": "minor",
        f"statement-{s.criteria[0].pk}": "Gap.",
        "save": "1",
    }

    response = client_for("auditor").post(reverse("audits:score", args=[s.application.pk]), data)

    assert "Name the requirement that is not met." in response.content.decode()
    assert not Finding.objects.exists()


def test_business_answers_with_new_evidence_and_sees_every_version(two_associations, client_for):
    _scored(two_associations)
    finding = Finding.objects.get()
    client = client_for("business_user_a")
    url = reverse("portal_findings:detail", args=[finding.pk])
    due = (timezone.localdate() + timedelta(days=20)).isoformat()

    response = client.post(
        url,
        {
            "root_cause": "No owner.",
            "correction": "Published them.",
            "corrective_action": "Reviewed monthly.",
            "due_date": due,
            "file": SimpleUploadedFile("times.png", PNG, content_type="image/png"),
        },
    )
    findings.return_answer(finding, actor=two_associations.auditor, reason="Show the website page.")
    page = client.get(url).content.decode()

    assert response.status_code == 302
    answer = CorrectiveAction.objects.get()
    assert [e.original_name for e in answer.evidence.all()] == ["times.png"]
    assert "Your answer, version 1" in page and "Show the website page." in page
    assert 'data-testid="answer-form"' in page


def test_business_answer_past_the_window_is_refused_on_the_page(two_associations, client_for):
    s = _scored(two_associations)
    finding = Finding.objects.get()
    late = (timezone.localdate() + timedelta(days=120)).isoformat()

    response = client_for("business_user_a").post(
        reverse("portal_findings:detail", args=[finding.pk]),
        {"root_cause": "r", "correction": "c", "corrective_action": "a", "due_date": late},
    )

    assert response.status_code == 400
    assert "on or before" in response.content.decode()
    assert s.application.findings.get().status == FindingStatus.OPEN


def test_auditor_accepts_and_verifies_from_the_findings_page(two_associations, client_for):
    _scored(two_associations)
    finding = Finding.objects.get()
    findings.answer_finding(
        finding,
        actor=two_associations.business_user_a,
        root_cause="r",
        correction="c",
        corrective_action="a",
        due_date=finding.deadline,
    )
    client = client_for("auditor")
    url = reverse("audits:finding_review", args=[finding.application_id, finding.pk])

    client.post(url, {f"f{finding.pk}-decision": "accept"})
    client.post(url, {f"f{finding.pk}-decision": "verify"})

    finding.refresh_from_db()
    assert (finding.status, finding.verified_by) == (FindingStatus.CLOSED, two_associations.auditor)


def test_verification_page_shows_conditions_open_until_the_last_minor_closes(
    two_associations, client, django_capture_on_commit_callbacks
):
    s = _scored(two_associations)
    services.approve(
        s.application,
        actor=two_associations.staff_admin_a,
        level=s.application.level_reached,
        with_conditions=True,
    )
    certificate = issue_certificate(s.application)
    url = reverse("certification:verify_detail", args=[certificate.verification_token])
    json_url = reverse("certification:verify_json", args=[certificate.verification_token])

    before = client.get(url).content.decode()
    finding = Finding.objects.get()
    findings.answer_finding(
        finding,
        actor=two_associations.business_user_a,
        root_cause="r",
        correction="c",
        corrective_action="a",
        due_date=finding.deadline,
    )
    findings.accept_answer(finding, actor=two_associations.auditor)
    with django_capture_on_commit_callbacks(execute=True):
        findings.verify_effectiveness(finding, actor=two_associations.auditor)

    assert "Conditions open" in before
    assert "No open conditions." in client.get(url).content.decode()
    badge = client.get(json_url).json()
    assert "Granted with conditions" not in badge["credentialSubject"]["achievement"]["description"]


def test_findings_pages_queries_do_not_grow_with_findings(two_associations, client_for):
    counts = {"audit": [], "portal": [], "detail": [], "admin": []}
    for size in (1, 12):
        business = f.BusinessFactory()
        f.MembershipFactory(association=two_associations.a, business=business)
        f.BusinessUserFactory(business=business, user=two_associations.business_user_a)
        s = _scored(two_associations, count=size, business=business)
        first = s.application.findings.order_by("pk").first()
        for finding in s.application.findings.all():
            findings.answer_finding(
                finding,
                actor=two_associations.business_user_a,
                root_cause="r",
                correction="c",
                corrective_action="a",
                due_date=finding.deadline,
            )
        counts["audit"].append(
            _count(client_for("auditor"), "get", reverse("audits:findings", args=[s.application.pk]))[1]
        )
        business = client_for("business_user_a")
        counts["portal"].append(
            _count(business, "get", reverse("portal_findings:list", args=[s.application.pk]))[1]
        )
        counts["detail"].append(
            _count(business, "get", reverse("portal_findings:detail", args=[first.pk]))[1]
        )
        response, admin_count = _count(
            client_for("staff_admin_a"), "get", reverse("admin:audits_finding_changelist")
        )
        assert response.status_code == 200
        counts["admin"].append(admin_count)

    assert {name: len(set(c)) for name, c in counts.items()} == {
        "audit": 1,
        "portal": 1,
        "detail": 1,
        "admin": 1,
    }, counts


def test_staff_list_filters_overdue_findings(two_associations, client_for):
    _scored(two_associations, count=2)
    late, on_time = Finding.objects.order_by("pk")
    Finding.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - timedelta(days=1))

    response = client_for("staff_admin_a").get(reverse("admin:audits_finding_changelist") + "?open=overdue")

    page = response.content.decode()
    assert late.statement in page and on_time.statement not in page


def test_staff_of_another_association_see_none_of_the_findings(two_associations, client_for):
    _scored(two_associations)

    response = client_for("staff_b").get(reverse("admin:audits_finding_changelist"))

    assert Finding.objects.get().statement not in response.content.decode()


def test_business_downloads_the_audit_report_and_its_hash_is_recorded(two_associations, client_for):
    s = _scored(two_associations)

    response = client_for("business_user_a").get(reverse("audits:report", args=[s.application.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    logged = ActionLog.objects.for_object(s.application).get(action="audit.report_rendered")
    assert (
        logged.data["sha256"] == hashlib.sha256(response.content).hexdigest() == response["X-Content-SHA256"]
    )


def test_audit_report_names_the_findings_and_the_decision(two_associations):
    s = _scored(two_associations)
    services.approve(
        s.application,
        actor=two_associations.staff_admin_a,
        level=s.application.level_reached,
        with_conditions=True,
    )
    s.application.refresh_from_db()

    html = report_html(s.application, two_associations.staff_admin_a)

    assert "Gap 0" in html and "Grant with conditions" in html and "Conditions open" in html
