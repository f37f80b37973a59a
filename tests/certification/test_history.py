"""The application history: the business sees its application's own steps,
labelled, with the association's people and auditors anonymous and no audit
rows; staff and auditors see everything, labelled."""

from django.urls import reverse

from audits import services as audit_services
from certification.queries import BUSINESS, FULL, REVIEWER, application_history, history_audience
from certification.services import reject_application
from tests import factories as f
from tests.audits.scenario import build


def test_business_history_hides_audit_rows_and_auditor_names(two_associations, client_for):
    s = build(two_associations, declared=False)
    profile = f.AuditorFactory(associations=[two_associations.a], user__name="Ortwin Other")
    other = f.AssignmentFactory(application=s.application, auditor=profile)
    audit_services.declare_conflict(other, actor=profile.user, reason="Former employer")
    audit_services.declare_no_conflict(s.assignment, actor=two_associations.auditor)

    response = client_for("business_user_a").get(reverse("applications:detail", args=[s.application.pk]))

    body = response.content.decode()
    assert [(h.label, h.actor, h.reason) for h in response.context["history"]] == [
        ("Review started", "an auditor", ""),
    ]
    assert "Former employer" not in body
    assert "Ortwin Other" not in body and str(two_associations.auditor) not in body
    assert "audit." not in body


def test_business_history_names_staff_as_the_association(two_associations):
    s = build(two_associations, declared=False)
    application = s.application
    application.status = "scored"
    application.save(update_fields=["status"])
    reject_application(application, actor=two_associations.staff_admin_a, reason="Vans not clean")

    entries = application_history(application, audience=BUSINESS)

    assert [(e.label, e.actor, e.reason, e.before, e.after) for e in entries] == [
        ("Rejected", "the association", "Vans not clean", "Scored", "Rejected"),
    ]


def test_full_history_labels_audit_rows_for_staff_and_auditors(two_associations, client_for):
    s = build(two_associations, declared=False)
    profile = f.AuditorFactory(associations=[two_associations.a], user__name="Ortwin Other")
    other = f.AssignmentFactory(application=s.application, auditor=profile)
    audit_services.declare_conflict(other, actor=profile.user, reason="Former employer")
    audit_services.declare_no_conflict(s.assignment, actor=two_associations.auditor)

    body = client_for("auditor").get(reverse("audits:application", args=[s.application.pk])).content.decode()
    entries = application_history(s.application, audience=FULL)

    assert [(e.label, e.actor) for e in entries] == [
        ("Conflict of interest declared", profile.user),
        ("No conflict declared", two_associations.auditor),
        ("Review started", two_associations.auditor),
    ]
    assert entries[0].reason == "Former employer"
    assert "Conflict of interest declared" in body and "audit.conflict_declared" not in body
    # A fellow auditor sees that a conflict was declared, not why.
    assert "Former employer" not in body
    assert application_history(s.application, audience=REVIEWER)[0].reason == ""


def test_history_audience_by_role(two_associations):
    s = build(two_associations)

    audiences = {
        role: history_audience(s.application, getattr(two_associations, role))
        for role in ("business_user_a", "auditor", "staff_admin_a", "staff_viewer_a", "superuser")
    }

    assert audiences == {
        "business_user_a": BUSINESS,
        "auditor": REVIEWER,
        "staff_admin_a": FULL,
        "staff_viewer_a": FULL,
        "superuser": FULL,
    }
