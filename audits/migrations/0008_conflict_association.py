"""A conflict-of-interest reason belongs to the association where it was
declared (issue 8, item 4); 0009 places the existing declarations."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("associations", "0002_initial"),
        ("audits", "0007_remove_auditorprofile_associations"),
    ]

    operations = [
        migrations.AddField(
            model_name="conflictofinterest",
            name="association",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="associations.association",
                verbose_name="recorded by",
            ),
        ),
        migrations.RemoveConstraint(model_name="conflictofinterest", name="unique_conflict_per_business"),
        migrations.AddConstraint(
            model_name="conflictofinterest",
            constraint=models.UniqueConstraint(
                fields=("auditor", "business", "association"), name="unique_conflict_per_association"
            ),
        ),
    ]
