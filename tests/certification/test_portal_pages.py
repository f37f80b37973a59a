"""The portal pages for applications: the dashboard, starting, the
application page, submitting, answering, withdrawing; and their query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from associations.models import CertificationLevel, Dimension
from associations.services import log_action
from certification.models import Application, ApplicationStatus, Certificate, ChangeRequest
from tests import factories as f

S = ApplicationStatus


@pytest.fixture
def standard(two_associations):
    standard = f.PublishedStandardFactory(association=two_associations.a, name="Courier service")
    f.CriterionFactory(
        standard=standard, code="T1", dimension=Dimension.TANGIBLES, order=1, guidance="Look at the vans."
    )
    f.CriterionFactory(
        standard=standard,
        code="R1",
        dimension=Dimension.RELIABILITY,
        order=2,
        guidance="Check the on-time log.",
    )
    return standard


def test_start_application_for_a_published_standard(client_for, two_associations, standard):
    client = client_for("business_user_a")

    response = client.post(
        reverse("applications:start"), {"business": two_associations.business_a.pk, "standard": standard.pk}
    )

    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:detail", args=[application.pk])
    assert (application.business, application.standard, application.status) == (
        two_associations.business_a,
        standard,
        S.DRAFT,
    )


def test_start_application_lists_only_standards_of_own_associations(client_for, two_associations, standard):
    f.StandardFactory(association=two_associations.a, name="Draft standard")
    f.PublishedStandardFactory(association=two_associations.b, name="Other association's")

    response = client_for("business_user_a").get(reverse("applications:start"))

    assert list(response.context["form"].fields["standard"].queryset) == [standard]


def test_start_application_twice_shows_a_friendly_error(client_for, two_associations, standard):
    client = client_for("business_user_a")
    data = {"business": two_associations.business_a.pk, "standard": standard.pk}
    client.post(reverse("applications:start"), data)

    response = client.post(reverse("applications:start"), data)

    assert response.status_code == 200
    assert "already has an open application for this standard" in response.content.decode()
    assert Application.objects.count() == 1


def test_start_application_refuses_another_business(client_for, two_associations, standard):
    response = client_for("business_user_a").post(
        reverse("applications:start"), {"business": two_associations.business_b.pk, "standard": standard.pk}
    )

    assert response.status_code == 200
    assert Application.objects.count() == 0


def test_application_page_groups_criteria_by_servqual_dimension(client_for, two_associations, standard):
    application = f.ApplicationFactory(business=two_associations.business_a, standard=standard)

    response = client_for("business_user_a").get(reverse("applications:detail", args=[application.pk]))

    groups = response.context["groups"]
    assert [(g["dimension"], [r.criterion.code for r in g["rows"]]) for g in groups] == [
        (Dimension.RELIABILITY, ["R1"]),
        (Dimension.TANGIBLES, ["T1"]),
    ]
    assert [c.code for c in response.context["missing"]] == ["T1", "R1"]
    body = response.content.decode()
    assert "Check the on-time log." in body
    assert "Still missing evidence for" in body


def test_submit_refused_names_missing_criteria(client_for, two_associations, standard):
    application = f.ApplicationFactory(business=two_associations.business_a, standard=standard)

    response = client_for("business_user_a").post(
        reverse("applications:submit", args=[application.pk]), follow=True
    )

    assert "Missing: T1, R1." in response.content.decode()
    assert Application.objects.get().status == S.DRAFT


def test_submit_with_all_evidence_shows_submitted_and_history(client_for, two_associations, standard):
    application = f.ApplicationFactory(business=two_associations.business_a, standard=standard)
    for criterion in standard.criteria.all():
        f.EvidenceFactory(application=application, criterion=criterion)

    response = client_for("business_user_a").post(
        reverse("applications:submit", args=[application.pk]), follow=True
    )

    assert Application.objects.get().status == S.SUBMITTED
    history = response.context["history"]
    assert [(h.label, h.before, h.after, h.actor) for h in history] == [
        ("Submitted", "Draft", "Submitted", two_associations.business_user_a),
    ]


def test_answer_each_change_request_then_resubmit(client_for, two_associations, standard):
    t1, r1 = standard.criteria.order_by("order")
    application = f.ApplicationFactory(
        business=two_associations.business_a, standard=standard, status=S.CHANGES_REQUESTED
    )
    for criterion in (t1, r1):
        f.EvidenceFactory(application=application, criterion=criterion)
    requests = [f.ChangeRequestFactory(application=application, criterion=c) for c in (t1, r1)]
    client = client_for("business_user_a")

    for cr in requests:
        url = reverse("applications:answer", args=[application.pk, cr.pk])
        client.post(url, {"response": f"Fixed {cr.pk}"})
    response = client.post(reverse("applications:resubmit", args=[application.pk]))

    assert response.status_code == 302
    assert Application.objects.get().status == S.IN_REVIEW
    assert list(ChangeRequest.objects.order_by("pk").values_list("response", flat=True)) == [
        f"Fixed {requests[0].pk}",
        f"Fixed {requests[1].pk}",
    ]
    assert ChangeRequest.objects.open().count() == 0


def test_answer_of_another_applications_change_request_is_404(client_for, two_associations, standard):
    mine = f.ApplicationFactory(
        business=two_associations.business_a, standard=standard, status=S.CHANGES_REQUESTED
    )
    theirs = f.ChangeRequestFactory(
        application__business=two_associations.business_b, application__status=S.CHANGES_REQUESTED
    )

    response = client_for("business_user_a").post(
        reverse("applications:answer", args=[mine.pk, theirs.pk]), {"response": "x"}
    )

    assert response.status_code == 404


def test_withdraw_asks_for_confirmation_then_withdraws(client_for, two_associations, standard):
    application = f.ApplicationFactory(business=two_associations.business_a, standard=standard)
    client = client_for("business_user_a")

    confirm = client.get(reverse("applications:withdraw", args=[application.pk]))
    response = client.post(reverse("applications:withdraw", args=[application.pk]), {"reason": "Later"})

    assert "Yes, withdraw" in confirm.content.decode()
    assert Application.objects.get().status == S.WITHDRAWN
    assert response.status_code == 302


def test_user_of_two_businesses_sees_both_and_no_others(client, two_associations, standard):
    f.BusinessUserFactory(business=two_associations.business_b, user=two_associations.business_user_a)
    mine_a = f.ApplicationFactory(business=two_associations.business_a, standard=standard)
    mine_b = f.ApplicationFactory(
        business=two_associations.business_b,
        standard=f.PublishedStandardFactory(association=two_associations.b),
    )
    f.ApplicationFactory(standard=standard)
    client.force_login(two_associations.business_user_a)

    response = client.get(reverse("portal:dashboard"))

    section = response.context
    assert {a.pk for a in section["applications"]} == {mine_a.pk, mine_b.pk}


def test_dashboard_lists_next_steps_and_certificates(client_for, two_associations, standard):
    draft = f.ApplicationFactory(business=two_associations.business_a, standard=standard)
    changes = _changes_requested(two_associations.business_a, two_associations.a)
    _certificate(two_associations.business_a, two_associations.a)

    response = client_for("business_user_a").get(reverse("portal:dashboard"))

    section = response.context
    todo = [(t["application"], t["kind"]) for t in section["todo"]]
    assert todo == [(draft, "draft"), (changes, "changes")]
    assert [c.code for c in section["todo"][0]["missing"]] == ["T1", "R1"]
    assert len(section["certificates"]) == 1
    assert "PSA-2026-" in response.content.decode()


# --- query counts ---------------------------------------------------------------


def _changes_requested(business, association):
    standard = f.PublishedStandardFactory(association=association)
    criterion = f.CriterionFactory(standard=standard)
    application = f.ApplicationFactory(business=business, standard=standard, status=S.CHANGES_REQUESTED)
    f.ChangeRequestFactory(application=application, criterion=criterion)
    return application


def _certificate(business, association):
    standard = f.PublishedStandardFactory(association=association)
    level, _created = CertificationLevel.objects.get_or_create(
        association=association, name="Gold", defaults={"min_score": 80}
    )
    application = f.ApplicationFactory(business=business, standard=standard, status=S.APPROVED, level=level)
    today = timezone.localdate()
    return Certificate.objects.create(
        application=application,
        association=association,
        business=business,
        number=f"PSA-2026-{application.pk:06d}",
        holder_name=business.name,
        association_name=association.name,
        standard_name=standard.name,
        standard_version=1,
        level_name=level.name,
        overall_score=80,
        issued_at=timezone.now(),
        valid_from=today,
        valid_until=today + datetime.timedelta(days=700),
    )


def _business_with(two_associations, n: int):
    business = f.BusinessFactory()
    f.MembershipFactory(association=two_associations.a, business=business)
    user = f.BusinessUserFactory(business=business).user
    for _ in range(n):
        standard = f.PublishedStandardFactory(association=two_associations.a)
        f.CriterionFactory.create_batch(2, standard=standard)
        f.ApplicationFactory(business=business, standard=standard)
        _changes_requested(business, two_associations.a)
        _certificate(business, two_associations.a)
    return user


def _count(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    print(f"{url}: {len(queries)} queries")
    return len(queries)


def test_dashboard_queries_do_not_grow_with_applications(client, two_associations):
    one, fifty = _business_with(two_associations, 1), _business_with(two_associations, 50)
    url = reverse("portal:dashboard")

    assert _count(client, one, url) == _count(client, fifty, url)


def _application_with(two_associations, n: int):
    business = f.BusinessFactory()
    f.MembershipFactory(association=two_associations.a, business=business)
    user = f.BusinessUserFactory(business=business).user
    standard = f.PublishedStandardFactory(association=two_associations.a)
    application = f.ApplicationFactory(business=business, standard=standard, status=S.CHANGES_REQUESTED)
    for i in range(n):
        criterion = f.CriterionFactory(standard=standard, dimension=list(Dimension)[i % 5])
        f.EvidenceFactory(application=application, criterion=criterion, uploaded_by=user)
        f.ChangeRequestFactory(
            application=application, criterion=criterion, requested_by=two_associations.staff_admin_a
        )
        log_action(application, "application.submit", actor=user, data={"from": "draft", "to": "submitted"})
    return user, reverse("applications:detail", args=[application.pk])


def test_application_page_queries_do_not_grow_with_criteria(client, two_associations):
    one, fifty = _application_with(two_associations, 1), _application_with(two_associations, 50)

    assert _count(client, *one) == _count(client, *fifty)


def test_dashboard_certificates_link_download_verify_and_renew_in_the_window(client_for, two_associations):
    today = timezone.localdate()
    far = _certificate(two_associations.business_a, two_associations.a)
    soon = _certificate(two_associations.business_a, two_associations.a)
    expired = _certificate(two_associations.business_a, two_associations.a)
    Certificate.objects.filter(pk=soon.pk).update(
        valid_until=today + datetime.timedelta(days=20), pdf="certificates/x.pdf", pdf_sha256="a" * 64
    )
    Certificate.objects.filter(pk=expired.pk).update(
        valid_from=today - datetime.timedelta(days=700),
        valid_until=today - datetime.timedelta(days=3),
        status="expired",
    )

    body = client_for("business_user_a").get(reverse("portal:dashboard")).content.decode()

    renew = {c.pk for c in (far, soon, expired) if reverse("certification:renew", args=[c.pk]) in body}
    assert renew == {soon.pk, expired.pk}
    assert reverse("certification:download", args=[soon.pk]) in body
    assert reverse("certification:download", args=[far.pk]) not in body
    assert all(
        reverse("certification:verify_detail", args=[c.verification_token]) in body
        for c in (far, soon, expired)
    )


def test_dashboard_hides_renew_while_a_renewal_is_under_way(client_for, two_associations):
    certificate = _certificate(two_associations.business_a, two_associations.a)
    Certificate.objects.filter(pk=certificate.pk).update(status="expired")
    f.ApplicationFactory(
        business=two_associations.business_a, standard=certificate.application.standard, renews=certificate
    )

    body = client_for("business_user_a").get(reverse("portal:dashboard")).content.decode()

    assert reverse("certification:renew", args=[certificate.pk]) not in body


@pytest.mark.parametrize(("status", "linked"), [(S.APPROVED, True), (S.REJECTED, True), (S.SCORED, False)])
def test_decided_application_links_the_audit_result(client_for, two_associations, standard, status, linked):
    level = f.LevelFactory(association=two_associations.a) if status == S.APPROVED else None
    application = f.ApplicationFactory(
        business=two_associations.business_a, standard=standard, status=status, level=level
    )
    client = client_for("business_user_a")
    link = reverse("audits:result", args=[application.pk])

    detail = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    dashboard = client.get(reverse("portal:dashboard")).content.decode()

    assert (link in detail, link in dashboard) == (linked, linked)
