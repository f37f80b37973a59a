"""The auditor role tables move to members (issue 9): first their tables
take the members names (a rename: every row, key and foreign key stays),
then members/0008 takes the models over and 0012 lets go of them here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0010_emails_through_the_outbox"),
    ]

    operations = [
        migrations.AlterModelTable(name="auditorprofile", table="members_auditorprofile"),
        migrations.AlterModelTable(name="auditormembership", table="members_auditormembership"),
        migrations.AlterModelTable(name="conflictofinterest", table="members_conflictofinterest"),
    ]
