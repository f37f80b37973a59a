# The memberships (0005, filled in by 0006) replace the many-to-many.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0006_copy_auditor_associations"),
    ]

    operations = [
        migrations.RemoveField(model_name="auditorprofile", name="associations"),
    ]
