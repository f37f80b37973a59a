"""The auditor role models are members' now (members/0008): assignments
point at members.AuditorProfile, and audits forgets the models. State only:
the tables, renamed by 0011, stay as they are."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0011_auditor_role_tables_renamed"),
        ("members", "0008_auditor_roles_from_audits"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="assignment",
                    name="auditor",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assignments",
                        to="members.auditorprofile",
                        verbose_name="auditor",
                    ),
                ),
                migrations.DeleteModel(name="ConflictOfInterest"),
                migrations.DeleteModel(name="AuditorMembership"),
                migrations.DeleteModel(name="AuditorProfile"),
            ],
        ),
    ]
