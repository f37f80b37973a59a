"""A business user's role is granted by one association (issue 8, item 2):
the column, nullable until 0004 fills it in."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("associations", "0002_initial"),
        ("members", "0002_metric_imports_and_api_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="businessuser",
            name="association",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="business_users",
                to="associations.association",
                verbose_name="granted by",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="associations",
            field=models.ManyToManyField(
                blank=True, related_name="api_tokens", to="associations.association", verbose_name="reaches"
            ),
        ),
        migrations.RemoveConstraint(model_name="businessuser", name="unique_user_per_business"),
    ]
