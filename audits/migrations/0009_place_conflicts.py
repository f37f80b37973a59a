"""Existing conflict declarations get the association of the application
they were declared on (from the assignment), else the auditor's first
association, else the business's first (issue 8, item 4). Data only, apart
from the schema change (0008) PostgreSQL would refuse after these writes."""

from django.db import migrations


def place_conflicts(apps, schema_editor):
    ConflictOfInterest = apps.get_model("audits", "ConflictOfInterest")
    Assignment = apps.get_model("audits", "Assignment")
    AuditorMembership = apps.get_model("audits", "AuditorMembership")
    Membership = apps.get_model("members", "Membership")
    for conflict in ConflictOfInterest.objects.filter(association__isnull=True):
        declared = (
            Assignment.objects.filter(
                auditor_id=conflict.auditor_id, application__business_id=conflict.business_id, declaration="conflict"
            )
            .order_by("declared_at", "pk")
            .values_list("application__association_id", flat=True)
            .first()
        )
        first_audited = (
            AuditorMembership.objects.filter(auditor_id=conflict.auditor_id)
            .order_by("pk")
            .values_list("association_id", flat=True)
            .first()
        )
        first_member = (
            Membership.objects.filter(business_id=conflict.business_id)
            .order_by("pk")
            .values_list("association_id", flat=True)
            .first()
        )
        association = declared or first_audited or first_member
        if association:
            ConflictOfInterest.objects.filter(pk=conflict.pk).update(association_id=association)


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0008_conflict_association"),
        ("members", "0002_metric_imports_and_api_tokens"),
        ("certification", "0004_fix_certificate_pdf_claim"),
    ]

    operations = [
        migrations.RunPython(place_conflicts, migrations.RunPython.noop),
    ]
