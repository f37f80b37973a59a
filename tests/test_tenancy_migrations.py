"""The tenancy migrations (issue 8, items 2 to 4) keep what existed: every
business role reaches every association its business belonged to, every
auditor keeps every association, every conflict gets the association it was
declared in."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    # Associations as they were then (later columns have no database default).
    ("associations", "0003_actionlog_assoc_created_index"),
    ("members", "0002_metric_imports_and_api_tokens"),
    ("audits", "0004_fix_email_claims"),
    # Applications as they were then (later columns have no database default).
    ("certification", "0005_issuance_queue_and_email_records"),
]
AFTER = [("members", "0005_business_user_association_required"), ("audits", "0009_place_conflicts")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_schema(transactional_db):
    apps = _migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _old_rows(apps):
    Association = apps.get_model("associations", "Association")
    a = Association.objects.create(name="A", slug="a", country="PK", certificate_prefix="AAA")
    b = Association.objects.create(name="B", slug="b", country="PK", certificate_prefix="BBB")
    c = Association.objects.create(name="C", slug="c", country="PK", certificate_prefix="CCC")
    User = apps.get_model("members", "User")
    owner, auditor_user, lone = (
        User.objects.create(email=f"{n}@example.com") for n in ("owner", "auditor", "lone")
    )
    Business = apps.get_model("members", "Business")
    shared, alone, loose = (Business.objects.create(name=n) for n in ("Shared", "Alone", "Loose"))
    Membership = apps.get_model("members", "Membership")
    Membership.objects.create(association=a, business=shared, member_number="A-1")
    Membership.objects.create(association=b, business=shared, member_number="B-1")
    Membership.objects.create(association=c, business=alone, member_number="C-1")
    BusinessUser = apps.get_model("members", "BusinessUser")
    BusinessUser.objects.create(business=shared, user=owner, role="owner")
    BusinessUser.objects.create(business=alone, user=owner, role="editor")
    BusinessUser.objects.create(business=loose, user=lone, role="owner")
    token = apps.get_model("members", "ApiToken").objects.create(
        business=shared, name="CRM", prefix="cpt_x", token_hash="h", created_by=owner
    )
    profile = apps.get_model("audits", "AuditorProfile").objects.create(user=auditor_user)
    profile.associations.add(a)  # its first association
    profile.associations.add(b)
    standard = apps.get_model("associations", "Standard").objects.create(association=b, name="S", version=1)
    application = apps.get_model("certification", "Application").objects.create(
        business=shared, association=b, standard=standard, status="submitted"
    )
    apps.get_model("audits", "Assignment").objects.create(
        application=application,
        auditor=profile,
        due_date=datetime.date(2026, 12, 1),
        declaration="conflict",
        conflict_reason="Cousin",
        declared_at=timezone.now(),
    )
    Conflict = apps.get_model("audits", "ConflictOfInterest")
    declared = Conflict.objects.create(auditor=profile, business=shared, reason="Cousin")
    by_admin = Conflict.objects.create(auditor=profile, business=alone, reason="Ex-employer")
    return {"token": token.pk, "declared": declared.pk, "by_admin": by_admin.pk}


def test_tenancy_migrations_keep_every_role_membership_and_conflict(old_schema):
    ids = _old_rows(old_schema)

    apps = _migrate(AFTER)

    roles = apps.get_model("members", "BusinessUser").objects.values_list(
        "business__name", "user__email", "association__slug", "role"
    )
    assert sorted(roles) == [
        ("Alone", "owner@example.com", "c", "editor"),
        ("Shared", "owner@example.com", "a", "owner"),
        ("Shared", "owner@example.com", "b", "owner"),
    ]
    token = apps.get_model("members", "ApiToken").objects.get(pk=ids["token"])
    assert sorted(token.associations.values_list("slug", flat=True)) == ["a", "b"]
    memberships = apps.get_model("audits", "AuditorMembership").objects.values_list(
        "association__slug", "ended_at"
    )
    assert sorted(memberships) == [("a", None), ("b", None)]
    Conflict = apps.get_model("audits", "ConflictOfInterest")
    # Declared on B's application; recorded in the admin: the auditor's first association.
    assert Conflict.objects.get(pk=ids["declared"]).association.slug == "b"
    assert Conflict.objects.get(pk=ids["by_admin"]).association.slug == "a"
