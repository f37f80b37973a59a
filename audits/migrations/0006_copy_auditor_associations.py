"""Every row of the auditors' old many-to-many becomes an active membership.
Data only: PostgreSQL refuses the schema changes Django defers to the end
of a migration once rows were written in it."""

from django.db import migrations


def copy_associations(apps, schema_editor):
    AuditorProfile = apps.get_model("audits", "AuditorProfile")
    AuditorMembership = apps.get_model("audits", "AuditorMembership")
    Through = AuditorProfile.associations.through
    # The old rows kept no date: the profile's creation is the best "since".
    AuditorMembership.objects.bulk_create(
        AuditorMembership(
            auditor_id=row.auditorprofile_id,
            association_id=row.association_id,
            started_at=row.auditorprofile.created_at,
        )
        for row in Through.objects.select_related("auditorprofile").order_by("pk")
    )


def copy_back(apps, schema_editor):
    AuditorProfile = apps.get_model("audits", "AuditorProfile")
    AuditorMembership = apps.get_model("audits", "AuditorMembership")
    Through = AuditorProfile.associations.through
    Through.objects.bulk_create(
        Through(auditorprofile_id=row.auditor_id, association_id=row.association_id)
        for row in AuditorMembership.objects.filter(ended_at=None)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0005_auditor_memberships"),
    ]

    operations = [
        migrations.RunPython(copy_associations, copy_back),
    ]
