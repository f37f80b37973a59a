# Renames keep every row's value: a reminder or certificate email already
# recorded as sent stays so and is not sent again after the upgrade; a
# reminder claimed and never sent (sent_at empty) is pending, so the sweep
# sends it.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('certification', '0004_fix_certificate_pdf_claim'),
    ]

    operations = [
        migrations.AddField(
            model_name='application',
            name='issuance_queued_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RenameField(
            model_name='certificate',
            old_name='issued_email_sent_at',
            new_name='issued_email_recorded_at',
        ),
        migrations.AlterField(
            model_name='certificate',
            name='issued_email_recorded_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RenameField(
            model_name='remindersent',
            old_name='sent_at',
            new_name='recorded_at',
        ),
        migrations.RenameField(
            model_name='remindersent',
            old_name='claimed_at',
            new_name='queued_at',
        ),
        migrations.AlterField(
            model_name='remindersent',
            name='queued_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='remindersent',
            index=models.Index(condition=models.Q(('recorded_at__isnull', True)), fields=['queued_at'], name='reminder_unrecorded'),
        ),
    ]
