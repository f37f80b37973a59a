from django.db import migrations, models

LISTED = 200  # members.metrics_import.MAX_LISTED_ERRORS when this was written


def cap_stored_errors(apps, schema_editor):
    """Imports stored before the cap keep their first 200 reasons and the
    count of the rest, so their pages load."""
    Job = apps.get_model("members", "MetricImportJob")
    for pk in Job.objects.exclude(errors=[]).values_list("pk", flat=True).iterator():
        job = Job.objects.only("errors").get(pk=pk)
        if isinstance(job.errors, list) and len(job.errors) > LISTED:
            Job.objects.filter(pk=pk).update(errors=job.errors[:LISTED], more_errors=len(job.errors) - LISTED)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0005_business_user_association_required"),
    ]

    operations = [
        migrations.AddField(
            model_name="metricimportjob",
            name="more_errors",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(cap_stored_errors, migrations.RunPython.noop),
    ]
