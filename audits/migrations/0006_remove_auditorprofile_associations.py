# The memberships (0005) replace the many-to-many; a separate migration, as
# PostgreSQL refuses schema changes in the transaction that copied the rows.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0005_auditor_memberships"),
    ]

    operations = [
        migrations.RemoveField(model_name="auditorprofile", name="associations"),
    ]
