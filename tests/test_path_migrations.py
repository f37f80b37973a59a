"""The issue 9 migrations keep what existed: the auditor role tables move
from audits to members with every row and the history written about them,
and applications scored before get the result their scorecards reached."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("associations", "0003_actionlog_assoc_created_index"),
    ("audits", "0010_emails_through_the_outbox"),
    ("certification", "0005_issuance_queue_and_email_records"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def old_schema(transactional_db):
    apps = _migrate(BEFORE)
    yield apps
    _migrate(_latest())
    ContentType.objects.clear_cache()


def _old_rows(apps):
    """A scored application (one auditor: 4 and 5 of 5), a standing conflict,
    and a history entry about the auditor's membership."""
    association = apps.get_model("associations", "Association").objects.create(
        name="A", slug="a", country="PK", certificate_prefix="AAA"
    )
    Level = apps.get_model("associations", "CertificationLevel")
    Level.objects.create(association=association, name="Silver", min_score=70)
    gold = Level.objects.create(association=association, name="Gold", min_score=85)
    standard = apps.get_model("associations", "Standard").objects.create(
        association=association, name="S", version=1, status="published", published_at=timezone.now()
    )
    Criterion = apps.get_model("associations", "Criterion")
    reliability = Criterion.objects.create(
        standard=standard, code="R1", text="r", dimension="reliability", weight=1, max_score=5, order=1
    )
    empathy = Criterion.objects.create(
        standard=standard, code="E1", text="e", dimension="empathy", weight=3, max_score=5, order=2
    )
    user = apps.get_model("members", "User").objects.create(email="auditor@example.com")
    business = apps.get_model("members", "Business").objects.create(name="B")
    application = apps.get_model("certification", "Application").objects.create(
        business=business, association=association, standard=standard, status="scored"
    )
    profile = apps.get_model("audits", "AuditorProfile").objects.create(user=user)
    membership = apps.get_model("audits", "AuditorMembership").objects.create(
        auditor=profile, association=association
    )
    apps.get_model("audits", "ConflictOfInterest").objects.create(
        auditor=profile, business=business, association=association, reason="Cousin"
    )
    assignment = apps.get_model("audits", "Assignment").objects.create(
        application=application,
        auditor=profile,
        due_date=datetime.date(2026, 12, 1),
        declaration="no_conflict",
        declared_at=timezone.now(),
    )
    scorecard = apps.get_model("audits", "Scorecard").objects.create(
        assignment=assignment, submitted_at=timezone.now()
    )
    Score = apps.get_model("audits", "Score")
    Score.objects.create(scorecard=scorecard, criterion=reliability, score=4)
    Score.objects.create(scorecard=scorecard, criterion=empathy, score=5)
    content_type = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="audits", model="auditormembership"
    )[0]
    apps.get_model("associations", "ActionLog").objects.create(
        association=association,
        content_type=content_type,
        object_id=membership.pk,
        action="auditor.membership_added",
    )
    return {
        "application": application.pk,
        "profile": profile.pk,
        "membership": membership.pk,
        "gold": gold.pk,
    }


def test_issue_9_migrations_move_the_auditor_roles_and_store_scored_results(old_schema):
    ids = _old_rows(old_schema)

    apps = _migrate(_latest())

    profile = apps.get_model("members", "AuditorProfile").objects.get(pk=ids["profile"])
    assert profile.user.email == "auditor@example.com"
    assert [m.pk for m in profile.memberships.all()] == [ids["membership"]]
    assert list(profile.conflicts.values_list("reason", flat=True)) == ["Cousin"]
    assert profile.assignments.get().application_id == ids["application"]
    membership_history = apps.get_model("associations", "ActionLog").objects.get()
    assert (membership_history.content_type.app_label, membership_history.content_type.model) == (
        "members",
        "auditormembership",
    )
    application = apps.get_model("certification", "Application").objects.get(pk=ids["application"])
    # (1 x 4/5 + 3 x 5/5) / 4 = 95%: Gold.
    assert application.overall_score == Decimal("95.00")
    assert application.dimension_scores == {"reliability": "80.00", "empathy": "100.00"}
    assert application.level_reached_id == ids["gold"]
    assert application.gates_missed == []
