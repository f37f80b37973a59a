"""Tenant isolation in the staff admin: staff of A see, choose and change only
A's rows; B's rows answer 404; viewers only look; superusers see all."""

from io import BytesIO

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from associations.models import CodeOfConduct, PublicationStatus, StaffMembership, StaffRole, Standard
from members.models import Business, Membership
from tests import factories as f


def _rows(two_associations, model):
    """One row of `model` in A and one in B; returns (a_row, b_row)."""
    makers = {
        "standard": lambda assoc: f.StandardFactory(association=assoc),
        "certificationlevel": lambda assoc: f.LevelFactory(association=assoc),
        "kpidefinition": lambda assoc: f.KpiFactory(association=assoc),
        "codeofconduct": lambda assoc: f.CodeOfConductFactory(association=assoc),
        "membership": lambda assoc: f.MembershipFactory(association=assoc),
        "auditorprofile": lambda assoc: f.AuditorFactory(associations=[assoc]),
        "business": lambda assoc: f.MembershipFactory(association=assoc).business,
    }
    return makers[model](two_associations.a), makers[model](two_associations.b)


CHANGELISTS = [
    ("associations", "standard"),
    ("associations", "certificationlevel"),
    ("associations", "kpidefinition"),
    ("associations", "codeofconduct"),
    ("members", "membership"),
    ("members", "business"),
    ("members", "auditorprofile"),
]


@pytest.mark.parametrize(("app", "model"), CHANGELISTS)
def test_admin_changelist_shows_only_own_association(app, model, two_associations, client_for):
    row_a, row_b = _rows(two_associations, model)
    client = client_for("staff_admin_a")

    response = client.get(reverse(f"admin:{app}_{model}_changelist"))

    assert response.status_code == 200
    shown = set(response.context["cl"].result_list)
    assert row_a in shown
    assert row_b not in shown


def test_admin_changelist_of_staff_and_auditors_is_scoped(two_associations, client_for):
    client = client_for("staff_admin_a")

    staff = client.get(reverse("admin:associations_staffmembership_changelist")).context["cl"].result_list
    auditors = client.get(reverse("admin:members_auditorprofile_changelist")).context["cl"].result_list

    assert {m.user for m in staff} == {two_associations.staff_admin_a, two_associations.staff_viewer_a}
    assert [p.user for p in auditors] == [two_associations.auditor]


@pytest.mark.parametrize(("app", "model"), CHANGELISTS)
def test_admin_change_page_of_other_association_is_404(app, model, two_associations, client_for):
    _row_a, row_b = _rows(two_associations, model)
    client = client_for("staff_admin_a")

    get = client.get(reverse(f"admin:{app}_{model}_change", args=[row_b.pk]))
    post = client.post(reverse(f"admin:{app}_{model}_change", args=[row_b.pk]), {})
    history = client.get(reverse(f"admin:{app}_{model}_history", args=[row_b.pk]))
    delete = client.post(reverse(f"admin:{app}_{model}_delete", args=[row_b.pk]), {"post": "yes"})

    assert (get.status_code, post.status_code, history.status_code, delete.status_code) == (
        404,
        404,
        404,
        404,
    )


@pytest.mark.parametrize(("app", "model"), CHANGELISTS)
def test_admin_superuser_sees_every_association(app, model, two_associations, client_for):
    row_a, row_b = _rows(two_associations, model)

    response = client_for("superuser").get(reverse(f"admin:{app}_{model}_changelist"))

    assert {row_a, row_b} <= set(response.context["cl"].result_list)


@pytest.mark.parametrize(
    "url",
    [
        "admin:associations_standard_add",
        "admin:associations_certificationlevel_add",
        "admin:associations_kpidefinition_add",
        "admin:associations_codeofconduct_add",
        "admin:members_membership_add",
        "admin:members_invitation_add",
    ],
)
def test_admin_association_choices_are_own_only(url, two_associations, client_for):
    response = client_for("staff_admin_a").get(reverse(url))

    assert list(response.context["adminform"].form.fields["association"].queryset) == [two_associations.a]


def test_admin_criterion_kpi_choices_are_the_standards_association(two_associations, client_for):
    kpi_a = f.KpiFactory(association=two_associations.a)
    f.KpiFactory(association=two_associations.b)
    f.StaffFactory(association=two_associations.b, user=two_associations.staff_admin_a, role=StaffRole.ADMIN)
    standard = f.StandardFactory(association=two_associations.a)

    response = client_for("staff_admin_a").get(
        reverse("admin:associations_standard_change", args=[standard.pk])
    )

    formset = response.context["inline_admin_formsets"][0].formset
    assert list(formset.form.base_fields["kpi"].queryset) == [kpi_a]


def test_admin_criterion_with_other_associations_kpi_is_refused(two_associations, client_for):
    kpi_b = f.KpiFactory(association=two_associations.b)
    f.StaffFactory(association=two_associations.b, user=two_associations.staff_admin_a, role=StaffRole.ADMIN)
    data = {
        "association": two_associations.a.pk,
        "name_en": "Courier standard",
        "version": 1,
        "description_en": "",
        # Live certification: surveillance audits every 12 months.
        "surveillance_interval_months": 12,
        "criteria-TOTAL_FORMS": 1,
        "criteria-INITIAL_FORMS": 0,
        "criteria-0-order": 1,
        "criteria-0-code": "R1",
        "criteria-0-dimension": "reliability",
        "criteria-0-text_en": "Parcels arrive on time.",
        "criteria-0-weight": "1",
        "criteria-0-max_score": 5,
        "criteria-0-kpi": kpi_b.pk,
        "criteria-0-kpi_threshold": "80",
        "criteria-0-guidance_en": "",
        # The gate's surveillance: 2 bad months open a breach, 60 days to cure, 15 days' grace.
        "criteria-0-breach_months": 2,
        "criteria-0-cure_period_days": 60,
        "criteria-0-grace_days": 15,
    }

    response = client_for("staff_admin_a").post(reverse("admin:associations_standard_add"), data)

    assert response.status_code == 200
    assert Standard.objects.filter(name="Courier standard").exists() is False
    errors = response.context["inline_admin_formsets"][0].formset.errors
    assert errors == [{"kpi": ["Choose a KPI of this standard's association."]}]


def test_admin_staff_admin_creates_standard_with_criteria(two_associations, client_for):
    kpi = f.KpiFactory(association=two_associations.a, code="csat")
    data = {
        "association": two_associations.a.pk,
        "name_en": "Courier standard",
        "version": 1,
        "description_en": "",
        # Live certification: surveillance audits every 12 months.
        "surveillance_interval_months": 12,
        "criteria-TOTAL_FORMS": 1,
        "criteria-INITIAL_FORMS": 0,
        "criteria-0-order": 1,
        "criteria-0-code": "R1",
        "criteria-0-dimension": "reliability",
        "criteria-0-text_en": "Customers are satisfied.",
        "criteria-0-weight": "1.5",
        "criteria-0-max_score": 5,
        "criteria-0-kpi": kpi.pk,
        "criteria-0-kpi_threshold": "80",
        "criteria-0-guidance_en": "",
        # The gate's surveillance: 2 bad months open a breach, 60 days to cure, 15 days' grace.
        "criteria-0-breach_months": 2,
        "criteria-0-cure_period_days": 60,
        "criteria-0-grace_days": 15,
    }

    response = client_for("staff_admin_a").post(reverse("admin:associations_standard_add"), data)

    assert response.status_code == 302
    standard = Standard.objects.get(name="Courier standard")
    assert (standard.association, standard.status) == (two_associations.a, PublicationStatus.DRAFT)
    assert [(c.code, c.kpi, c.kpi_threshold) for c in standard.criteria.all()] == [("R1", kpi, 80)]


def test_admin_staff_admin_cannot_create_for_other_association(two_associations, client_for):
    response = client_for("staff_admin_a").post(
        reverse("admin:associations_certificationlevel_add"),
        {"association": two_associations.b.pk, "name_en": "Gold", "min_score": "90"},
    )

    assert response.status_code == 200
    assert "association" in response.context["adminform"].form.errors
    assert two_associations.b.levels.exists() is False


def test_admin_viewer_cannot_add_or_change(two_associations, client_for):
    level = f.LevelFactory(association=two_associations.a, name="Gold", min_score=90)
    client = client_for("staff_viewer_a")

    add = client.post(
        reverse("admin:associations_certificationlevel_add"),
        {"association": two_associations.a.pk, "name_en": "Silver", "min_score": "75"},
    )
    change = client.post(
        reverse("admin:associations_certificationlevel_change", args=[level.pk]),
        {"association": two_associations.a.pk, "name_en": "Platinum", "min_score": "95"},
    )
    page = client.get(reverse("admin:associations_certificationlevel_change", args=[level.pk]))

    assert (add.status_code, change.status_code, page.status_code) == (403, 403, 200)
    level.refresh_from_db()
    assert level.name == "Gold"
    assert 'name="_save"' not in page.content.decode()
    assert 'name="_continue"' not in page.content.decode()


def test_admin_viewer_cannot_run_actions(two_associations, client_for):
    draft = f.CodeOfConductFactory(association=two_associations.a, version=1)

    response = client_for("staff_viewer_a").post(
        reverse("admin:associations_codeofconduct_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )

    draft.refresh_from_db()
    assert draft.status == PublicationStatus.DRAFT
    assert response.status_code == 200  # the changelist, with "no action selected"


def test_admin_staff_admin_sees_save_buttons(two_associations, client_for):
    level = f.LevelFactory(association=two_associations.a)

    page = client_for("staff_admin_a").get(
        reverse("admin:associations_certificationlevel_change", args=[level.pk])
    )

    assert 'name="_save"' in page.content.decode()


def test_admin_published_code_of_conduct_is_read_only(two_associations, client_for):
    code = f.CodeOfConductFactory(
        association=two_associations.a,
        version=1,
        status=PublicationStatus.PUBLISHED,
        published_at="2026-01-01T00:00:00Z",
        body="Original text.",
    )
    client = client_for("staff_admin_a")
    url = reverse("admin:associations_codeofconduct_change", args=[code.pk])

    page = client.get(url)
    post = client.post(
        url, {"association": two_associations.a.pk, "version": 1, "title_en": "New", "body_en": "Changed."}
    )

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert post.status_code == 403
    code.refresh_from_db()
    assert (code.title, code.body) == ("Code of conduct", "Original text.")


def test_admin_publish_action_supersedes_previous_code(two_associations, client_for):
    f.CodeOfConductFactory(
        association=two_associations.a,
        version=1,
        status=PublicationStatus.PUBLISHED,
        published_at="2026-01-01T00:00:00Z",
    )
    draft = f.CodeOfConductFactory(association=two_associations.a, version=2)

    response = client_for("staff_admin_a").post(
        reverse("admin:associations_codeofconduct_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )

    assert response.status_code == 302
    statuses = dict(
        CodeOfConduct.objects.filter(association=two_associations.a).values_list("version", "status")
    )
    assert statuses == {1: PublicationStatus.RETIRED, 2: PublicationStatus.PUBLISHED}


def test_admin_published_standard_criteria_are_frozen(two_associations, client_for):
    standard = f.PublishedStandardFactory(association=two_associations.a)
    f.CriterionFactory(standard=standard)

    response = client_for("staff_admin_a").get(
        reverse("admin:associations_standard_change", args=[standard.pk])
    )

    inline = response.context["inline_admin_formsets"][0]
    assert (inline.has_add_permission, inline.has_change_permission, inline.has_delete_permission) == (
        False,
        False,
        False,
    )
    assert 'name="_save"' not in response.content.decode()


def test_admin_business_of_two_associations_shows_own_membership_only(two_associations, client_for):
    f.MembershipFactory(
        association=two_associations.b, business=two_associations.business_a, member_number="B-1"
    )

    response = client_for("staff_admin_a").get(
        reverse("admin:members_business_change", args=[two_associations.business_a.pk])
    )

    memberships = response.context["inline_admin_formsets"][0].formset.queryset
    assert [m.association for m in memberships] == [two_associations.a]


def test_admin_metric_report_association_filter_lists_own_only(two_associations, client_for):
    response = client_for("staff_admin_a").get(reverse("admin:members_metricreport_changelist"))

    assert two_associations.b.name not in response.content.decode()


def test_admin_staff_of_other_association_sees_none_of_a(two_associations, client_for):
    f.StandardFactory(association=two_associations.a)

    response = client_for("staff_b").get(reverse("admin:associations_standard_changelist"))

    assert list(response.context["cl"].result_list) == []
    assert Business.objects.count() == 2
    assert Membership.objects.count() == 2


def test_admin_staff_membership_change_keeps_association_and_user(two_associations, client_for):
    f.StaffFactory(association=two_associations.b, user=two_associations.staff_admin_a, role="officer")
    membership = StaffMembership.objects.get(user=two_associations.staff_viewer_a)
    client = client_for("staff_admin_a")
    url = reverse("admin:associations_staffmembership_change", args=[membership.pk])

    page = client.get(url)
    data = {
        "association": two_associations.b.pk,
        "user": two_associations.staff_admin_a.pk,
        "role": "officer",
    }
    response = client.post(url, data)

    assert sorted(page.context["adminform"].form.fields) == ["role"]
    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.association, membership.user, membership.role) == (
        two_associations.a,
        two_associations.staff_viewer_a,
        "officer",
    )


def test_admin_staff_membership_of_association_where_officer_is_403(two_associations, client_for):
    f.StaffFactory(association=two_associations.b, user=two_associations.staff_admin_a, role="officer")
    membership = StaffMembership.objects.get(user=two_associations.staff_b)
    url = reverse("admin:associations_staffmembership_change", args=[membership.pk])

    response = client_for("staff_admin_a").post(url, {"role": "viewer"})

    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == "admin"


def test_admin_staff_membership_association_choices_are_where_admin(two_associations, rf):
    f.StaffFactory(association=two_associations.b, user=two_associations.staff_admin_a, role="officer")
    request = rf.get("/")
    request.user = two_associations.staff_admin_a
    model_admin = admin.site._registry[StaffMembership]

    form = model_admin.get_form(request)()

    assert list(form.fields["association"].queryset) == [two_associations.a]


def test_admin_login_sends_to_allauth_login(client):
    response = client.get("/admin/login/?next=/admin/associations/standard/%3Fq%3Dx")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=%2Fadmin%2Fassociations%2Fstandard%2F%3Fq%3Dx"


def test_admin_login_without_next_sends_to_admin_index(client):
    response = client.get("/admin/login/")

    assert response.url == "/accounts/login/?next=%2Fadmin%2F"


def test_admin_invited_staff_reaches_admin_after_allauth_login(two_associations, client):
    user = two_associations.staff_viewer_a
    assert user.is_staff is False

    login_page = client.get("/admin/", follow=True)
    response = client.post(
        login_page.redirect_chain[-1][0], {"login": user.email, "password": f.PASSWORD}, follow=True
    )

    assert [url for url, _status in login_page.redirect_chain] == [
        "/admin/login/?next=/admin/",
        "/accounts/login/?next=%2Fadmin%2F",
    ]
    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.status_code == 200


def _png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_admin_association_change_page_with_logo_is_200(two_associations, client_for):
    two_associations.a.logo.save("psa.png", ContentFile(_png()))
    logo_url = reverse("admin:associations_association_logo", args=[two_associations.a.pk])
    url = reverse("admin:associations_association_change", args=[two_associations.a.pk])

    response = client_for("staff_admin_a").get(url)

    assert response.status_code == 200
    assert f'src="{logo_url}"' in response.content.decode()


def test_admin_association_logo_is_served_to_own_staff_only(two_associations, client_for):
    two_associations.a.logo.save("psa.png", ContentFile(_png()))
    url = reverse("admin:associations_association_logo", args=[two_associations.a.pk])

    own = client_for("staff_viewer_a").get(url)
    other = client_for("staff_b").get(url)

    assert (own.status_code, own["Content-Type"]) == (200, "image/png")
    assert b"".join(own.streaming_content) == _png()
    assert other.status_code == 404


def test_admin_association_logo_can_be_replaced(two_associations, client_for):
    two_associations.a.logo.save("old.png", ContentFile(_png()))
    client = client_for("staff_admin_a")
    url = reverse("admin:associations_association_change", args=[two_associations.a.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "logo"}
    data.update(languages='["en"]', reminder_offsets="[90, 30, 7]")
    data["logo"] = SimpleUploadedFile("new.png", _png())

    response = client.post(url, data)

    assert response.status_code == 302
    two_associations.a.refresh_from_db()
    assert two_associations.a.logo.name.startswith("logos/new")


@pytest.mark.parametrize(
    ("page", "status"), [("abc", 200), ("1.5", 200), ("", 200), ("-1", 200), ("1", 200), ("9", 404)]
)
def test_admin_search_with_a_bad_page_answers_the_first_page_or_404(
    two_associations, client_for, page, status
):
    client = client_for("staff_admin_a")

    response = client.get(reverse("admin:search"), {"s": "standard", "page": page})

    assert response.status_code == status
    if status == 200:
        assert response.context["results"].number == 1
