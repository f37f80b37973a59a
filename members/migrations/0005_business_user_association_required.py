# Every role has its association (0004): the column becomes required.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("associations", "0002_initial"),
        ("members", "0004_grant_roles_every_association"),
    ]

    operations = [
        migrations.AlterField(
            model_name="businessuser",
            name="association",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="business_users",
                to="associations.association",
                verbose_name="granted by",
            ),
        ),
        migrations.AddConstraint(
            model_name="businessuser",
            constraint=models.UniqueConstraint(
                fields=("business", "user", "association"), name="unique_user_per_business_association"
            ),
        ),
    ]
