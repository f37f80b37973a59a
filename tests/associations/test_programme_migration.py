"""The programme's one-language text moves into its association's default
language's column (associations 0004), on PostgreSQL and SQLite alike."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("associations", "0003_actionlog_assoc_created_index")]
AFTER = [("associations", "0004_programme_in_three_languages")]


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


def test_existing_programme_text_moves_into_the_default_language(old_schema):
    Association = old_schema.get_model("associations", "Association")
    english = Association.objects.create(name="E", slug="e", country="PK", certificate_prefix="EEE")
    urdu = Association.objects.create(
        name="U", slug="u", country="PK", certificate_prefix="UUU", default_language="ur"
    )
    Standard = old_schema.get_model("associations", "Standard")
    standard = Standard.objects.create(association=urdu, name="خدمت", description="تفصیل", version=1)
    old_schema.get_model("associations", "Criterion").objects.create(
        standard=standard, code="R1", text="وقت پر", guidance="دیکھیں", dimension="reliability"
    )
    old_schema.get_model("associations", "CertificationLevel").objects.create(
        association=english, name="Gold", min_score=90
    )
    old_schema.get_model("associations", "KpiDefinition").objects.create(
        association=english, code="csat", name="CSAT", unit="%", min_value=0, max_value=100
    )
    old_schema.get_model("associations", "CodeOfConduct").objects.create(
        association=english, version=1, title="Code", body="Be fair."
    )

    apps = _migrate(AFTER)

    def row(model, *fields):
        return apps.get_model("associations", model).objects.values(*fields).get()

    assert row("Standard", "name_ur", "name_en", "description_ur") == {
        "name_ur": "خدمت",
        "name_en": None,
        "description_ur": "تفصیل",
    }
    assert row("Criterion", "text_ur", "guidance_ur", "text_en") == {
        "text_ur": "وقت پر",
        "guidance_ur": "دیکھیں",
        "text_en": None,
    }
    assert row("CertificationLevel", "name_en", "name_ur") == {"name_en": "Gold", "name_ur": None}
    assert row("KpiDefinition", "name_en", "unit_en") == {"name_en": "CSAT", "unit_en": "%"}
    assert row("CodeOfConduct", "title_en", "body_en", "body_bn") == {
        "title_en": "Code",
        "body_en": "Be fair.",
        "body_bn": None,
    }
